import { parseArgs } from 'node:util';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Flags {
  readonly configFile: string;
  readonly configCheck: boolean;
  readonly listen: { readonly host?: string; readonly port: number };
  readonly logLevel: LogLevel;
  readonly demo: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export type FlagsResult = { ok: true; flags: Flags } | { ok: false; error: string };

/** Flag names follow the Prometheus convention (`--config.file`), so users of other exporters feel at home. */
const OPTIONS = {
  'config.file': { type: 'string', default: 'config.yaml' },
  'config.check': { type: 'boolean', default: false },
  'web.listen-address': { type: 'string', default: ':9877' },
  'log.level': { type: 'string', default: 'info' },
  demo: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

export function parseListenAddress(value: string): { host?: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2];
  return host ? { host, port } : { port };
}

export function parseFlags(argv: readonly string[]): FlagsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const listen = parseListenAddress(String(values['web.listen-address']));
  if (!listen) {
    return { ok: false, error: `--web.listen-address: expected [host]:port, got "${values['web.listen-address']}"` };
  }
  const level = String(values['log.level']);
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return { ok: false, error: `--log.level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"` };
  }
  return {
    ok: true,
    flags: {
      configFile: String(values['config.file']),
      configCheck: values['config.check'] === true,
      listen,
      logLevel: level as LogLevel,
      demo: values.demo === true,
      help: values.help === true,
      version: values.version === true,
    },
  };
}

export const HELP = `Usage: clouddc-exporter [flags]

Prometheus exporter for Huawei Cloud CloudDC BMC log exports. Polls ShowLogsExportStatus
for every export in the config file in the background and serves the results on /metrics.

Flags:
  --config.file=PATH          YAML configuration file (default "config.yaml").
  --config.check              Validate the configuration, print every problem, and exit
                              0 when it is valid or 1 when it is not. Nothing is polled.
  --web.listen-address=ADDR   [host]:port to serve /metrics, /-/healthy, /-/ready and the
                              landing page on (default ":9877", all interfaces).
  --log.level=LEVEL           One of trace, debug, info, warn, error (default "info").
                              Logs are JSON lines on standard output.
  --demo                      Run against a built-in CloudDC simulator on 127.0.0.1 with
                              scripted demo exports; needs no config file or credentials.
  --version                   Print the version and exit.
  -h, --help                  Show this help and exit.
`;
