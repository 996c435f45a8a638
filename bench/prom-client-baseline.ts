import { Counter, Gauge, Registry } from 'prom-client';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The naive way: one prom-client Gauge/Counter per family, one labelled child per series. Built
 * from the exporter's own per-export text, so both sides render exactly the same series.
 */
export function registryFromExposition(text: string): { registry: Registry; series: number } {
  const registry = new Registry();
  const types = new Map<string, string>();
  const metrics = new Map<string, Gauge | Counter>();
  let series = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) throw new Error(`unexpected exposition line: ${line}`);
    const [, name, rawLabels, rawValue] = m as unknown as [string, string, string, string];
    const labels: Record<string, string> = {};
    for (const [, k, v] of rawLabels.matchAll(LABEL)) labels[k!] = v!;
    let metric = metrics.get(name);
    if (metric === undefined) {
      const opts = { name, help: `${name} (baseline)`, labelNames: Object.keys(labels), registers: [registry] };
      metric = types.get(name) === 'counter' ? new Counter(opts) : new Gauge(opts);
      metrics.set(name, metric);
    }
    const value = Number(rawValue);
    if (metric instanceof Counter) metric.inc(labels, value);
    else metric.set(labels, value);
    series++;
  }
  return { registry, series };
}

export function countSamples(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) n++;
  return n;
}
