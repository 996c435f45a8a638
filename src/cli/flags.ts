import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration.js';
import type { LogFormat } from '../logging/logger.js';
import { telemetryPathProblem } from './telemetry-path.js';
import { familyFilter, type FamilyFilter } from '../domain/family-filter.js';
import type { Result } from '../domain/result.js';

/** logfmt first: the default of exporter-toolkit (promslog), Prometheus and Alertmanager. */
export const LOG_FORMATS = ['logfmt', 'json'] as const satisfies readonly LogFormat[];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Flags {
  readonly configFile: string;
  readonly configCheck: boolean;
  /** 0 disables watching the file. */
  readonly autoReloadIntervalMs: number;
  readonly storagePath?: string;
  readonly shard: { readonly index: number; readonly total: number } | { readonly fromHostname: true; readonly total: number };
  readonly listen: { readonly host?: string; readonly port: number };
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** `--web.telemetry-path`: where the exposition is served (default /metrics). */
  readonly telemetryPath: string;
  readonly demo: boolean;
  /** `--once`: poll every export once, print a table or JSON, exit; no HTTP server. */
  readonly once: boolean;
  /** `--wait`: poll on the schedule until every export completed or failed, then print and exit. */
  readonly wait: boolean;
  /** What --once and --wait print on standard output. */
  readonly output: OutputFormat;
  /** `--timeout` for --once and --wait; undefined: no limit. */
  readonly timeoutMs?: number;
  /** `--web.config.file`: TLS, basic auth and response headers for the HTTP server. */
  readonly webConfigFile?: string;
  /** `--web.enable-lifecycle`: POST /-/reload (off by default, as in Prometheus). */
  readonly enableLifecycle: boolean;
  /** `--web.max-requests`: scrapes served at once, more get 503; 0 is no limit. */
  readonly maxRequests: number;
  /** `--web.write-idle-timeout`: a scrape response the client reads nothing of for this long is cut off; 0 never. */
  readonly writeIdleTimeoutMs: number;
  /** `--metric-allowlist` / `--metric-denylist`: which families are served; all when undefined. */
  readonly familyFilter?: FamilyFilter;
  readonly help: boolean;
  readonly version: boolean;
}

export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type FlagsResult = Result<Flags>;

/** Flag names follow the Prometheus convention (`--config.file`), so users of other exporters feel at home. */
const OPTIONS = {
  'config.file': { type: 'string', default: 'config.yaml' },
  'config.check': { type: 'boolean', default: false },
  'config.auto-reload-interval': { type: 'string', default: '5s' },
  'storage.path': { type: 'string' },
  'shard.index': { type: 'string', default: '0' },
  'shard.total': { type: 'string', default: '1' },
  'shard.from-hostname': { type: 'boolean', default: false },
  'web.listen-address': { type: 'string', default: ':9877' },
  // No parseArgs default: the default depends on the mode (info when serving, warn for --once/--wait).
  'log.level': { type: 'string' },
  'log.format': { type: 'string', default: 'logfmt' },
  'web.telemetry-path': { type: 'string', default: '/metrics' },
  demo: { type: 'boolean', default: false },
  once: { type: 'boolean', default: false },
  wait: { type: 'boolean', default: false },
  output: { type: 'string' },
  timeout: { type: 'string' },
  'web.config.file': { type: 'string' },
  'web.enable-lifecycle': { type: 'boolean', default: false },
  'web.max-requests': { type: 'string', default: '10' },
  'web.write-idle-timeout': { type: 'string', default: '10s' },
  'metric-allowlist': { type: 'string' },
  'metric-denylist': { type: 'string' },
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

function optionalString(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function parseFlags(argv: readonly string[]): FlagsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    return { ok: false, problems: [(err as Error).message] };
  }
  const listen = parseListenAddress(String(values['web.listen-address']));
  if (!listen) {
    return { ok: false, problems: [`--web.listen-address: expected [host]:port, got "${values['web.listen-address']}"`] };
  }
  const interval = parseDuration(String(values['config.auto-reload-interval']));
  if (interval === undefined) {
    return { ok: false, problems: [`--config.auto-reload-interval: expected a duration such as 5s or 0s`] };
  }
  const total = Number(values['shard.total']);
  const index = Number(values['shard.index']);
  if (!Number.isInteger(total) || total < 1 || total > 1000) {
    return { ok: false, problems: [`--shard.total: expected a whole number from 1 to 1000, got "${values['shard.total']}"`] };
  }
  const fromHostname = values['shard.from-hostname'] === true;
  if (!fromHostname && (!Number.isInteger(index) || index < 0 || index >= total)) {
    return { ok: false, problems: [`--shard.index: expected a whole number from 0 to ${total - 1}, got "${values['shard.index']}"`] };
  }
  const once = values.once === true;
  const wait = values.wait === true;
  // --once answers after one poll, --wait after every export settled: together they asked for two things.
  if (once && wait) return { ok: false, problems: ['--once and --wait: give one of them (--once polls once, --wait until every export settled)'] };
  const oneShot = once || wait;
  for (const flag of ['output', 'timeout'] as const) {
    if (values[flag] !== undefined && !oneShot) return { ok: false, problems: [`--${flag}: only applies with --once or --wait`] };
  }
  const output = values.output === undefined ? 'table' : String(values.output);
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    return { ok: false, problems: [`--output: expected ${OUTPUT_FORMATS.join(' or ')}, got "${output}"`] };
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = parseDuration(String(values.timeout));
    if (timeoutMs === undefined || timeoutMs === 0) {
      return { ok: false, problems: [`--timeout: expected a duration greater than 0 such as 30s or 10m, got "${values.timeout}"`] };
    }
  }
  const webConfigFile = typeof values['web.config.file'] === 'string' && values['web.config.file'] !== '' ? values['web.config.file'] : undefined;
  const level = values['log.level'] === undefined ? (oneShot ? 'warn' : 'info') : String(values['log.level']);
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return { ok: false, problems: [`--log.level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`] };
  }
  const logFormat = String(values['log.format']);
  if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) {
    return { ok: false, problems: [`--log.format: expected ${LOG_FORMATS.join(' or ')}, got "${logFormat}"`] };
  }
  const maxRequests = Number(values['web.max-requests']);
  if (!/^\d{1,6}$/.test(String(values['web.max-requests']))) {
    return { ok: false, problems: [`--web.max-requests: expected a whole number (0 for no limit), got "${values['web.max-requests']}"`] };
  }
  const writeIdleTimeoutMs = parseDuration(String(values['web.write-idle-timeout']));
  if (writeIdleTimeoutMs === undefined) {
    return { ok: false, problems: [`--web.write-idle-timeout: expected a duration such as 10s (0s for none), got "${values['web.write-idle-timeout']}"`] };
  }
  const telemetryPath = String(values['web.telemetry-path']);
  const pathProblem = telemetryPathProblem(telemetryPath);
  if (pathProblem) return { ok: false, problems: [`--web.telemetry-path: ${pathProblem}`] };
  const families = familyFilter(optionalString(values['metric-allowlist']), optionalString(values['metric-denylist']));
  if (!families.ok) return families;
  return {
    ok: true,
    value: {
      configFile: String(values['config.file']),
      configCheck: values['config.check'] === true,
      autoReloadIntervalMs: interval,
      storagePath: typeof values['storage.path'] === 'string' && values['storage.path'] !== '' ? values['storage.path'] : undefined,
      shard: fromHostname ? { fromHostname: true, total } : { index, total },
      listen,
      logLevel: level as LogLevel,
      logFormat: logFormat as LogFormat,
      telemetryPath,
      demo: values.demo === true,
      once,
      wait,
      output: output as OutputFormat,
      timeoutMs,
      webConfigFile,
      enableLifecycle: values['web.enable-lifecycle'] === true,
      maxRequests,
      writeIdleTimeoutMs,
      ...(families.value && { familyFilter: families.value }),
      help: values.help === true,
      version: values.version === true,
    },
  };
}

export const HELP = `Usage: clouddc-exporter [flags]

Prometheus exporter for Huawei Cloud CloudDC BMC log exports. Polls ShowLogsExportStatus
for every export in the config file in the background and serves the results on /metrics.
To start exports and download their bundles: clouddc-exporter export --help.

Flags:
  --config.file=PATH          YAML configuration file (default "config.yaml").
  --config.check              Validate the configuration, print every problem, and exit
                              0 when it is valid or 1 when it is not. Nothing is polled.
  --config.auto-reload-interval=DURATION
                              How often to check the config file for changes and reload
                              it (default "5s"; "0s" disables). SIGHUP and POST /-/reload
                              (with --web.enable-lifecycle) reload at once. A config that
                              fails validation is refused and the previous one keeps running.
  --storage.path=PATH         File (or directory, holding state.json) to keep last-progress
                              and completion times and retirements in across restarts
                              (written atomically after each poll cycle). It must be the
                              exporter's own file. Unset: nothing is written.
  --shard.total=N             Split the exports across N replicas (default 1).
  --shard.index=I             This replica's shard, 0 to N-1 (default 0).
  --shard.from-hostname       Take the shard index from the host name's trailing number,
                              as a StatefulSet names its pods (clouddc-exporter-2 -> 2).
  --web.listen-address=ADDR   [host]:port to serve the metrics, /-/healthy, /-/ready and the
                              landing page on (default ":9877", all interfaces).
  --web.telemetry-path=PATH   Path under which to expose metrics (default "/metrics").
                              With "/" the metrics replace the status page.
  --web.config.file=PATH      exporter-toolkit web configuration: TLS (tls_server_config),
                              basic auth with bcrypt hashes (basic_auth_users) and response
                              headers (http_server_config). /-/healthy and /-/ready stay
                              open. Validated at start-up: an invalid file is exit 1.
  --web.enable-lifecycle      Serve POST /-/reload (off by default, as in Prometheus).
                              SIGHUP and config file changes reload either way.
  --web.max-requests=N        Scrapes of the metrics served at once (default 10; 0: no
                              limit). More are answered 503 with Retry-After and counted
                              in clouddc_exporter_scrapes_refused_total.
  --web.write-idle-timeout=DURATION
                              Cut off a metrics response the client has read nothing of
                              for this long (default "10s"; "0s": never).
  --metric-allowlist=REGEXES  Serve only the metric families matching one of these
                              comma-separated regular expressions, each anchored at both
                              ends (e.g. "clouddc_server_.*,clouddc_log_export_status").
  --metric-denylist=REGEXES   Serve every family except those matching. Mutually exclusive
                              with --metric-allowlist. A family left out is never rendered.
  --log.level=LEVEL           One of trace, debug, info, warn, error (default "info";
                              "warn" with --once and --wait).
  --log.format=FORMAT         "logfmt" (default, as Prometheus and exporter-toolkit) or
                              "json": one line per entry on standard output (standard
                              error with --once and --wait).
  --once                      Poll every export once, print a table (or JSON) on standard
                              output and exit: 0 when every export answered, 1 when a poll
                              failed or the configuration is invalid. No HTTP server.
  --wait                      Poll on the config's schedule (the first poll at once) until
                              every export has completed or failed, showing progress on
                              standard error, then print the table and exit: 0 all
                              completed, 3 some failed, 1 on other errors or --timeout.
                              Not with --once.
  --output=FORMAT             What --once and --wait print: "table" (default) or "json"
                              (the fields of /api/v1/exports).
  --timeout=DURATION          Give up --once or --wait after this long (exit 1), e.g. 30m.
                              Default: no limit.
  --demo                      Run against a built-in CloudDC simulator on 127.0.0.1 with
                              scripted demo exports; needs no config file or credentials.
  --version                   Print the version, revision and Node.js version and exit.
  -h, --help                  Show this help and exit.

Exit codes: 0 success, 1 error (invalid configuration, failed polls, --timeout),
2 flag or usage error, 3 with --wait when some export failed, 130/143 on SIGINT/SIGTERM.
`;
