/** logfmt first: the default of exporter-toolkit (promslog), Prometheus and Alertmanager. */
export const LOG_FORMATS = ['logfmt', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
