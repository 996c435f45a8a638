import type { AccountSettings } from '../domain/config.js';
import type { ExportTarget } from '../domain/export.js';
import { parseAt } from './issues.js';
import { formatPath, problem, type Path, type Problem } from './problems.js';
import { exportSchema } from './schema.js';

export interface ExportsResult {
  readonly exports: ExportTarget[];
  readonly problems: Problem[];
}

/**
 * `names` are all account names written in the file, valid or not, so that an export pointing at a broken
 * account is not reported a second time as pointing at an unknown one; `accounts` are the ones that built.
 */
export function buildExports(items: readonly unknown[], names: readonly string[], accounts: ReadonlyMap<string, AccountSettings>): ExportsResult {
  const exports: ExportTarget[] = [];
  const problems: Problem[] = [];
  const known = names.length === 0 ? '' : ` (known: ${names.join(', ')})`;
  // An export's identity is what the API sees, so two aliases of the same export are still one export. (The state
  // is keyed by the ids joined with "/"; idField refuses "/" in an id, so no two exports share a key.)
  const firstIndex = new Map<string, number>();

  items.forEach((item, index) => {
    const path: Path = ['exports', index];
    const parsed = parseAt(exportSchema, item, path);
    const localProblems = parsed.ok ? [] : [...parsed.problems];
    const raw = parsed.ok ? parsed.value : undefined;
    const ref = accountRef(item);

    let accountName: string | undefined;
    if (typeof ref === 'string') {
      if (names.includes(ref)) accountName = ref;
      else if (names.length > 0) {
        localProblems.push(problem([...path, 'account'], `unknown account ${JSON.stringify(ref)}${known}`));
      }
    } else if (ref === ABSENT) {
      if (names.length === 1) accountName = names[0];
      else if (names.length > 1) {
        localProblems.push(problem([...path, 'account'], `required when more than one account is configured${known}`));
      }
    }
    problems.push(...localProblems);

    const account = accountName === undefined ? undefined : accounts.get(accountName);
    if (raw === undefined || localProblems.length > 0 || account === undefined) return;
    const target: ExportTarget = {
      projectId: raw.project_id ?? account.projectId,
      serverId: raw.server_id,
      exportId: raw.export_id,
      account: account.name,
      name: raw.name ?? '',
      labels: raw.labels ?? {},
    };
    const id = JSON.stringify([target.projectId, target.serverId, target.exportId]);
    const first = firstIndex.get(id);
    if (first !== undefined) {
      const original = formatPath(['exports', first]);
      problems.push(problem(path, `duplicate of ${original} (same project_id, server_id and export_id)`));
      return;
    }
    firstIndex.set(id, index);
    exports.push(target);
  });
  return { exports, problems };
}

/**
 * The account an export names, read from the raw item so that it is checked even when another field of the
 * export is invalid. `absent` asks for the default; `unusable` means the schema has already reported it.
 */
const ABSENT = Symbol('absent');
const UNUSABLE = Symbol('unusable');

function accountRef(item: unknown): string | typeof ABSENT | typeof UNUSABLE {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return UNUSABLE;
  const value = (item as Record<string, unknown>)['account'];
  if (value === undefined) return ABSENT;
  return typeof value === 'string' && value !== '' ? value : UNUSABLE;
}
