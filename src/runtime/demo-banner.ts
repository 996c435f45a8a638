import { demoStartArgs, type Demo } from './demo.js';

export interface BannerInput {
  readonly demo: Pick<Demo, 'cases' | 'configFile' | 'exportsDir' | 'simulator'>;
  /** The exporter's base URL as a browser on this host reaches it. */
  readonly base: string;
  readonly metricsPath: string;
  readonly exports: number;
  /** The printed `prometheus --config.file=…` command. */
  readonly prometheus: string;
}

/**
 * What `npm start` prints once the demo is up: where to look, the cases, and the one Prometheus command.
 * @public main.ts reads it from a module it imports dynamically, which the dead-code check cannot follow.
 */
export function demoBanner({ demo, base, metricsPath, exports, prometheus }: BannerInput): string {
  const cases = demo.cases.map((c) => c.scenario).join(', ');
  return [
    '',
    `Demo mode: polling ${exports} scripted exports on the simulator at ${demo.simulator.url} every 5 s.`,
    ...(metricsPath === '/' ? [] : [`  Status page:  ${base}/`]),
    `  Metrics:      ${base}${metricsPath}`,
    `  Readiness:    ${base}/-/ready`,
    `Each export shows one case, named by its label scenario=: ${cases}.`,
    'To watch their alerts fire (within 5 minutes), run Prometheus with the config and demo-scale rules written for you,',
    'then open http://localhost:9090/alerts:',
    `  ${prometheus}`,
    'In 10 s the demo starts a new log export and the status page shows it without a restart; to start one yourself:',
    `  node dist/src/main.js ${demoStartArgs(demo, 'my-server').join(' ')}`,
    'Press Ctrl+C to stop.',
    '',
    '',
  ].join('\n');
}
