import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { HELP } from '../../src/cli/flags.js';
import { EXPORT_HELP } from '../../src/cli/export/args.js';

const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8');

describe('exit codes', () => {
  it('are distinct: a usage error never reads as a failed export', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(EXIT.usage).toBe(2);
    expect(EXIT.exportFailed).toBe(3);
  });

  it('are the ones docs/cli.md lists', () => {
    const table = doc('cli.md');
    expect(table).toContain(`| \`${EXIT.usage}\` | A flag or usage error`);
    expect(table).toContain(`| \`${EXIT.exportFailed}\` | \`--wait\` and \`export start --wait\``);
    expect(table).toContain(`**${EXIT.exportFailed}** when at least one failed`);
  });

  it('are the ones the documented CI script tests for', () => {
    const script = /## In a CI job\n+```sh\n([\s\S]*?)```/.exec(doc('collecting-logs.md'))?.[1];
    expect(script).toBeDefined();
    expect(script).toMatch(new RegExp(`\\n  ${EXIT.exportFailed}\\) echo "some exports failed on the CloudDC side`));
    expect(script).toMatch(new RegExp(`\\n  ${EXIT.usage}\\) echo "usage error`));
  });

  it('are the ones --help says', () => {
    expect(HELP).toContain(`completed, ${EXIT.exportFailed} some failed`);
    expect(HELP).toContain(`${EXIT.usage} flag or usage error, ${EXIT.exportFailed} with --wait when some export failed`);
    expect(EXPORT_HELP).toContain(`${EXIT.exportFailed} some failed`);
  });
});
