import { parseArgs } from 'node:util';
import { parseDuration } from '../../config/duration.js';
import { LOG_LEVELS, OUTPUT_FORMATS, type LogLevel, type OutputFormat } from '../flags.js';
import { unroutableIdReason } from '../../domain/path-id.js';
import type { Result } from '../../domain/result.js';

/** Flags of `clouddc-exporter export start|download`; kept apart from the exporter's own flags. */

interface Common {
  readonly configFile: string;
  readonly account?: string;
  readonly logLevel: LogLevel;
}

export interface DownloadArgs extends Common {
  readonly command: 'download';
  readonly server: string;
  readonly exportId: string;
  readonly dir: string;
  readonly overwrite: boolean;
  readonly timeoutMs?: number;
}

export interface StartArgs extends Common {
  readonly command: 'start';
  readonly servers: readonly string[];
  readonly output: OutputFormat;
  readonly trackFile?: string;
  readonly name?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly wait: boolean;
  readonly download?: string;
  readonly overwrite: boolean;
  readonly timeoutMs?: number;
}

export type ExportArgs = DownloadArgs | StartArgs | { readonly command: 'help' };
export type ExportArgsResult = Result<ExportArgs>;

const COMMON = {
  'config.file': { type: 'string', default: 'config.yaml' },
  account: { type: 'string' },
  'log.level': { type: 'string', default: 'warn' },
  server: { type: 'string', multiple: true },
  overwrite: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const DOWNLOAD = { ...COMMON, 'export-id': { type: 'string' }, dir: { type: 'string', default: '.' }, timeout: { type: 'string' } } as const;
const START = {
  ...COMMON,
  output: { type: 'string', default: 'table' },
  'track-file': { type: 'string' },
  name: { type: 'string' },
  label: { type: 'string', multiple: true },
  wait: { type: 'boolean', default: false },
  download: { type: 'string' },
  timeout: { type: 'string' },
} as const;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseExportArgs(argv: readonly string[]): ExportArgsResult {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return { ok: true, value: { command: 'help' } };
  if (command !== 'start' && command !== 'download') return { ok: false, problems: [`export: unknown command "${command}" (expected start or download)`] };
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    const options = command === 'start' ? START : DOWNLOAD;
    values = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (err) {
    return { ok: false, problems: [`export ${command}: ${(err as Error).message}`] };
  }
  if (values.help === true) return { ok: true, value: { command: 'help' } };
  const level = String(values['log.level']);
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    return { ok: false, problems: [`--log.level: expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`] };
  const servers = (values.server as string[] | undefined) ?? [];
  if (servers.length === 0 || servers.some((s) => s.trim() === '')) return { ok: false, problems: [`export ${command}: --server=ID is required`] };
  const ids: Array<[string, unknown]> = [...servers.map((id): [string, unknown] => ['--server', id]), ['--export-id', values['export-id']]];
  const unroutable = ids.flatMap(([flag, id]) => {
    const reason = typeof id === 'string' ? unroutableIdReason(id) : undefined;
    return reason === undefined ? [] : [`${flag}: ${JSON.stringify(id)} ${reason}`];
  });
  if (unroutable.length > 0) return { ok: false, problems: unroutable };
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    if (command === 'start' && values.wait !== true) return { ok: false, problems: ['--timeout: only applies with --wait'] };
    timeoutMs = parseDuration(String(values.timeout));
    if (timeoutMs === undefined || timeoutMs === 0)
      return { ok: false, problems: [`--timeout: expected a duration greater than 0 such as 30m, got "${String(values.timeout)}"`] };
  }
  const common: Common = {
    configFile: String(values['config.file']),
    logLevel: level as LogLevel,
    ...(typeof values.account === 'string' && { account: values.account }),
  };
  if (command === 'download') {
    if (servers.length > 1) return { ok: false, problems: ['export download: give one --server'] };
    const exportId = values['export-id'];
    if (typeof exportId !== 'string' || exportId === '') return { ok: false, problems: ['export download: --export-id=ID is required'] };
    return {
      ok: true,
      value: {
        command,
        ...common,
        server: servers[0] as string,
        exportId,
        dir: String(values.dir),
        overwrite: values.overwrite === true,
        ...(timeoutMs !== undefined && { timeoutMs }),
      },
    };
  }
  const output = String(values.output);
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output))
    return { ok: false, problems: [`--output: expected ${OUTPUT_FORMATS.join(' or ')}, got "${output}"`] };
  const labels: Record<string, string> = {};
  for (const pair of (values.label as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0 || !LABEL_NAME.test(name)) return { ok: false, problems: [`--label: expected name=value with a Prometheus label name, got "${pair}"`] };
    labels[name] = pair.slice(eq + 1);
  }
  const trackFile = typeof values['track-file'] === 'string' ? values['track-file'] : undefined;
  const name = typeof values.name === 'string' ? values.name : undefined;
  if ((name !== undefined || Object.keys(labels).length > 0) && trackFile === undefined) {
    return { ok: false, problems: ['--name and --label: only apply with --track-file'] };
  }
  if (name !== undefined && servers.length > 1 && !name.includes('{server}')) {
    return { ok: false, problems: ['--name: with several --server, put {server} in the name so that each export gets its own'] };
  }
  const wait = values.wait === true;
  const download = typeof values.download === 'string' ? values.download : undefined;
  if (download !== undefined && !wait) return { ok: false, problems: ['--download: only applies with --wait'] };
  return {
    ok: true,
    value: {
      command,
      ...common,
      servers: [...new Set(servers)],
      output: output as OutputFormat,
      labels,
      wait,
      overwrite: values.overwrite === true,
      ...(trackFile !== undefined && { trackFile }),
      ...(name !== undefined && { name }),
      ...(download !== undefined && { download }),
      ...(timeoutMs !== undefined && { timeoutMs }),
    },
  };
}

export const EXPORT_HELP = `Usage:
  clouddc-exporter export start --server=ID [--server=ID ...] [flags]
  clouddc-exporter export download --server=ID --export-id=ID [--dir=DIR] [flags]

Starts BMC log exports (ExportServerLogs) and downloads finished bundles (DownloadServerLogs)
with the accounts, credentials, rate limits and retry settings of the exporter's config file.
Both calls need IAM write permissions the exporter itself does not (docs/collecting-logs.md).

Common flags:
  --config.file=PATH      The exporter's YAML configuration (default "config.yaml").
  --account=NAME          Which configured account to use; needed when there are several.
  --server=ID             Server id (repeat for several with start).
  --log.level=LEVEL       trace, debug, info, warn (default) or error; logs go to standard error.

export start:
  --output=FORMAT         "table" (default) or "json": the new exports on standard output.
  --track-file=PATH       Add the new exports to this export file (a YAML list, as listed in
                          export_files), written atomically, so a running exporter tracks them.
  --name=NAME             With --track-file: the exports' name; {server} and {export_id} are
                          replaced.
  --label=NAME=VALUE      With --track-file: an extra label (repeatable).
  --wait                  Show progress until every started export has completed or failed.
                          Exit 0 all completed (or downloaded), 3 some failed, 1 on errors or
                          --timeout.
  --download=DIR          With --wait: download each completed bundle into DIR.
  --timeout=DURATION      With --wait: give up after this long, counted from when waiting
                          starts and covering the downloads (exit 1).
  A start is retried only where no duplicate export can result: a connection that could
  not be opened, a 429, a 401 after renewed credentials. After any other failure (5xx, a
  timeout or reset once the request was sent) an export may exist; the message says so.

export download:
  --export-id=ID          The export whose bundle to fetch; it must have completed.
  --dir=DIR               Where to save it (default "."), under the file name the API gives,
                          made safe. Written to a hidden temporary file and renamed when
                          complete; nothing is left behind on failure or Ctrl+C.
  --overwrite             Replace an existing file of the same name (default: refuse).
  --timeout=DURATION      Give up after this long, status check and retries included (exit
                          1). Without it a download still fails when no byte arrives for
                          the config's poll.timeout.
  A partial download that a killed run left in DIR (.NAME.PID.HEX.part) is removed when its
  process is gone or it has not been written to for an hour.

Exit codes: 0 success, 1 failure, 2 flag or usage error, 3 with start --wait when some
export failed, 130 on Ctrl+C.
`;
