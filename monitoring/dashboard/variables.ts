import { DATASOURCE, type Json } from './panel.js';

function query(name: string, label: string, q: string): Json {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: q,
    definition: q,
    refresh: 2,
    includeAll: true,
    multi: true,
    // Series without the label (e.g. no cluster label at all) still match ".*".
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
    regex: '',
    hide: 0,
    options: [],
  };
}

const BUILD = 'clouddc_exporter_build_info';
const TARGET = '%(matchers)s%(cluster)s=~"$cluster", job=~"$job", instance=~"$instance"';
const INFO = 'clouddc_log_export_info';

/** Data source, then cluster → job → instance (the exporters), then account → project → server (the exports). */
export function variables(): Json[] {
  return [
    {
      name: 'datasource',
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      current: {},
      hide: 0,
      includeAll: false,
      multi: false,
      options: [],
      refresh: 1,
      regex: '',
    },
    query('cluster', 'Cluster', `label_values(${BUILD}{%(matchers)s%(cluster)s!=""}, %(cluster)s)`),
    query('job', 'Job', `label_values(${BUILD}{%(matchers)s%(cluster)s=~"$cluster"}, job)`),
    query('instance', 'Instance', `label_values(${BUILD}{%(matchers)s%(cluster)s=~"$cluster", job=~"$job"}, instance)`),
    query('account', 'Account', `label_values(${INFO}{${TARGET}}, account)`),
    query('project', 'Project', `label_values(${INFO}{${TARGET}, account=~"$account"}, project_id)`),
    query('server', 'Server', `label_values(${INFO}{${TARGET}, account=~"$account", project_id=~"$project"}, server_id)`),
  ];
}
