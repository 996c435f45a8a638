import type { AccountSettings, ExporterConfig, PollSettings } from '../domain/config.js';
import { buildAccount } from './accounts.js';
import type { BuildContext, SecretFileRef } from './auth.js';
import { buildExports } from './exports.js';
import { parseExportFilePatterns } from './export-files.js';
import { describeValue, parseAt } from './issues.js';
import { isPlainObject } from './interpolate.js';
import { problem, type Problem } from './problems.js';
import { autoCollectSchema, buildAutoCollect } from './auto-collect.js';
import { pollSchema, retentionSchema, topSchema } from './schema.js';

export interface Analysis {
  readonly problems: Problem[];
  /** Present exactly when there are no problems. */
  readonly config?: ExporterConfig;
  /** Collected even when there are problems, so that unreadable files are reported in the same pass. */
  readonly files: SecretFileRef[];
}

/**
 * The parsed, interpolated tree to the model. Sections are validated one by one and the cross-checks run on
 * whatever did validate, so one run reports every problem it can.
 */
export function buildConfig(tree: unknown, ctx: BuildContext): Analysis {
  if (!isPlainObject(tree)) {
    return { problems: [problem([], `expected a mapping at the top level, got ${describeValue(tree)}`)], files: [] };
  }
  const problems: Problem[] = [];
  const files: SecretFileRef[] = [];

  const top = parseAt(topSchema, tree, []);
  if (!top.ok) problems.push(...top.problems);

  const poll = parseAt(pollSchema, tree['poll'] ?? {}, ['poll']);
  if (!poll.ok) problems.push(...poll.problems);

  const retention = parseAt(retentionSchema, tree['retention'] ?? {}, ['retention']);
  if (!retention.ok) problems.push(...retention.problems);

  const accounts = new Map<string, AccountSettings>();
  let names: string[] = [];
  const rawAccounts = tree['accounts'];
  if (rawAccounts === undefined) {
    problems.push(problem(['accounts'], 'required: at least one account'));
  } else if (!isPlainObject(rawAccounts)) {
    const got = describeValue(rawAccounts);
    problems.push(problem(['accounts'], `expected a mapping of account names to accounts, got ${got}`));
  } else if (Object.keys(rawAccounts).length === 0) {
    problems.push(problem(['accounts'], 'at least one account is required'));
  } else {
    names = Object.keys(rawAccounts);
    for (const [name, value] of Object.entries(rawAccounts)) {
      const built = buildAccount(name, value, ctx);
      problems.push(...built.problems);
      files.push(...built.files);
      if (built.account) accounts.set(name, built.account);
    }
  }

  const rawExports = tree['exports'] ?? [];
  let exports: ExporterConfig['exports'] = [];
  if (!Array.isArray(rawExports)) {
    problems.push(problem(['exports'], `expected a list of exports, got ${describeValue(rawExports)}`));
  } else {
    const built = buildExports(rawExports, names, accounts);
    problems.push(...built.problems);
    exports = built.exports;
  }

  const exportFiles = parseExportFilePatterns(tree['export_files'], ctx.baseDir);
  problems.push(...exportFiles.problems);

  let autoCollect: ExporterConfig['autoCollect'];
  if (tree['auto_collect'] !== undefined) {
    const parsed = parseAt(autoCollectSchema, tree['auto_collect'], ['auto_collect']);
    if (!parsed.ok) problems.push(...parsed.problems);
    else {
      const built = buildAutoCollect(parsed.value, accounts, ctx.baseDir);
      problems.push(...built.problems);
      autoCollect = built.settings;
    }
  }

  if (problems.length > 0 || !poll.ok || !retention.ok) return { problems, files };
  const config: ExporterConfig = {
    poll: poll.value satisfies PollSettings,
    retention: retention.value,
    accounts,
    exports,
    ...(autoCollect !== undefined && { autoCollect }),
  };
  if (exportFiles.patterns.length > 0) return { problems, config: { ...config, exportFiles: exportFiles.patterns }, files };
  return { problems, config, files };
}
