import type { Result } from '../domain/result.js';
import { isPlainObject } from './interpolate.js';

/**
 * The `export` subcommands use one account and none of the configured exports. Narrowing the parsed tree to that
 * account before `${VAR}`s are resolved means another account's unset variable, or an export naming it, cannot stop
 * them. The account is the one named, or the only one; anything else is an `--account` problem.
 */
export function scopeToAccount(tree: unknown, name: string | undefined): Result<unknown> {
  if (!isPlainObject(tree) || !isPlainObject(tree['accounts'])) return { ok: true, value: tree };
  const accounts = tree['accounts'];
  const names = Object.keys(accounts);
  if (names.length === 0) return { ok: true, value: tree };
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) return { ok: false, problems: [`--account: the config has ${names.length} accounts (${names.join(', ')}); say which one to use`] };
  if (!Object.hasOwn(accounts, chosen)) return { ok: false, problems: [`--account: no account "${chosen}" in the config (known: ${names.join(', ')})`] };
  const scoped: Record<string, unknown> = { ...tree, accounts: Object.fromEntries([[chosen, accounts[chosen]]]) };
  delete scoped['exports'];
  delete scoped['export_files'];
  return { ok: true, value: scoped };
}
