/** Grafana panel building blocks shared by every panel of the dashboard. */

export type Json = Record<string, unknown>;

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export interface GridPos {
  h: number;
  w: number;
  x: number;
  y: number;
}

export function target(refId: string, expr: string, kind: 'instant' | 'range' | 'table', legendFormat?: string): Json {
  return {
    datasource: DATASOURCE,
    refId,
    expr,
    ...(kind === 'range' ? {} : { instant: true, range: false }),
    ...(kind === 'table' && { format: 'table' }),
    ...(legendFormat !== undefined && { legendFormat }),
    ...(kind === 'range' && { range: true }),
  };
}

export function panel(id: number, type: string, title: string, description: string, gridPos: GridPos, targets: Json[], rest: Json): Json {
  return { id, type, title, description, datasource: DATASOURCE, gridPos, targets, ...rest };
}

const REDUCE = { calcs: ['lastNotNull'], fields: '', values: false };

export function stat(id: number, title: string, description: string, gridPos: GridPos, t: Json, defaults: Json, colorMode: string): Json {
  return panel(id, 'stat', title, description, gridPos, [t], {
    fieldConfig: { defaults, overrides: [] },
    options: { reduceOptions: REDUCE, colorMode, graphMode: 'none', textMode: 'value', justifyMode: 'auto', orientation: 'auto' },
  });
}

export function timeseries(
  id: number,
  title: string,
  description: string,
  gridPos: GridPos,
  targets: Json[],
  defaults: Json,
  custom: Json,
  overrides: Json[] = [],
): Json {
  return panel(id, 'timeseries', title, description, gridPos, targets, {
    fieldConfig: { defaults: { ...defaults, custom: { drawStyle: 'line', lineWidth: 1, showPoints: 'never', ...custom } }, overrides },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
  });
}

export function byName(name: string, properties: Array<[string, unknown]>): Json {
  return { matcher: { id: 'byName', options: name }, properties: properties.map(([id, value]) => ({ id, value })) };
}

/** Field overrides for every series of one query (target refId). */
export function byRefId(refId: string, properties: Array<[string, unknown]>): Json {
  return { matcher: { id: 'byFrameRefID', options: refId }, properties: properties.map(([id, value]) => ({ id, value })) };
}

export function valueMap(entries: Array<[string, string, string]>): Json[] {
  return [{ type: 'value', options: Object.fromEntries(entries.map(([v, text, color], index) => [v, { text, color, index }])) }];
}

export const REDUCE_OPTIONS = REDUCE;

export const STATUS_COLORS: Array<[string, string]> = [
  ['processing', 'blue'],
  ['completed', 'green'],
  ['failed', 'red'],
  ['unknown', 'orange'],
];

/** Colours of a discovered server's health_state, in the table and the Fleet row alike. */
export const HEALTH_COLORS: Array<[string, string]> = [
  ['OK', 'green'],
  ['Warning', 'orange'],
  ['Critical', 'red'],
  ['Unknown', 'purple'],
  ['other', 'purple'],
];
