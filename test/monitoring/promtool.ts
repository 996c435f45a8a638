import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** `promtool test rules` on `rules` (a rule file's text) with the given test cases; the files live in a temp dir. */
export function promtoolTest(rules: string, tests: unknown[], evaluationInterval = '15s'): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    writeFileSync(join(dir, 'alerts.yml'), rules);
    writeFileSync(join(dir, 'test.yml'), stringify({ rule_files: ['alerts.yml'], evaluation_interval: evaluationInterval, tests }));
    const r = spawnSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A promql_expr_test case: the firing alerts of that name at `eval_time` are exactly `labels` (none: []). */
export function firing(alertname: string, evalTime: string, labels: Array<Record<string, string>>): unknown {
  const fmt = (l: Record<string, string>) =>
    `ALERTS{${Object.entries({ alertname, alertstate: 'firing', ...l })
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ')}}`;
  return {
    expr: `ALERTS{alertname="${alertname}", alertstate="firing"}`,
    eval_time: evalTime,
    exp_samples: labels.map((l) => ({ labels: fmt(l), value: 1 })),
  };
}
