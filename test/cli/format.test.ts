import { describe, expect, it } from 'vitest';
import { clean, errorText, fit, formatJson, formatPlainLine, formatProgressLine, formatTable, progressBar } from '../../src/cli/format.js';
import { createProgressReporter } from '../../src/cli/progress.js';
import { exportsJson, toExportJson, type ExportJson } from '../../src/view-model/export-json.js';
import { applyPollResult, initialState, type ExportState } from '../../src/domain/export-state.js';
import type { PollResult } from '../../src/domain/poll.js';
import { failure, success, target } from '../support/factories.js';

const NOW = 1_750_000_000 + 185; // 3m 05s after the factories' created_at

function state(t: Partial<Parameters<typeof target>[0]>, ...results: PollResult[]): ExportState {
  return results.reduce((s, r, i) => applyPollResult(s, r, NOW - 10 + i), initialState(target(t)));
}

function row(t: Partial<Parameters<typeof target>[0]>, ...results: PollResult[]): ExportJson {
  return toExportJson(state(t, ...results), NOW);
}

const processing = row({ name: 'nightly', serverId: 'srv-1', exportId: '42' }, success({ percentage: 40 }));
const completed = row({ serverId: 'srv-2', exportId: '7' }, success({ status: 'completed', rawStatus: 'Completed', percentage: 100 }));
const failing = row(
  { serverId: 'srv-3', exportId: '9', account: 'eu' },
  {
    ...failure('500', 'HTTP 500 APIGW.0101: Internal server error'),
    errorCode: 'APIGW.0101',
  },
);
const unknown = row({ serverId: 'srv-4', exportId: '1' }, success({ status: 'unknown', rawStatus: 'Queued', percentage: 0 }));
const fresh = row({ serverId: 'srv-5', exportId: '5' });

describe('formatTable', () => {
  it('aligns the status page columns, one export per line, in the given order', () => {
    expect(formatTable([failing, processing, unknown, completed, fresh])).toBe(
      [
        'NAME     SERVER  EXPORT ID  ACCOUNT  STATUS            PROGRESS  AGE     LAST ERROR',
        '-        srv-3   9          eu       poll failing      -         -       HTTP 500 APIGW.0101: Internal server error',
        'nightly  srv-1   42         main     processing        40%       3m 05s  -',
        '-        srv-4   1          main     unknown (Queued)  0%        3m 05s  -',
        '-        srv-2   7          main     completed         100%      3m 05s  -',
        '-        srv-5   5          main     not polled        -         -       -',
        '',
      ].join('\n'),
    );
  });

  it('prints only the header when there are no exports', () => {
    expect(formatTable([])).toBe('NAME  SERVER  EXPORT ID  ACCOUNT  STATUS  PROGRESS  AGE  LAST ERROR\n');
  });

  it('never lets API text move the cursor or start an escape sequence', () => {
    const evil = row({ serverId: 'srv' }, failure('invalid_response', 'bad\u001b[2J\nbody\r\u0007here'));
    const text = formatTable([evil]);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(errorText(evil)).toBe('invalid_response: bad [2J body here');
  });
});

describe('formatJson', () => {
  it('is the body of /api/v1/exports: the same rows, the same field names', () => {
    const rows = exportsJson([state({ name: 'a' }, success())], NOW);
    const parsed = JSON.parse(formatJson(rows, NOW));
    expect(parsed.now).toBe(new Date(NOW * 1000).toISOString());
    expect(parsed.exports).toEqual(rows);
    expect(Object.keys(parsed.exports[0])).toEqual(Object.keys(rows[0]!));
  });
});

describe('progress lines', () => {
  it('draws a bar proportional to the percentage', () => {
    expect(progressBar(0, 10)).toBe('[░░░░░░░░░░]');
    expect(progressBar(40, 10)).toBe('[████░░░░░░]');
    expect(progressBar(100, 10)).toBe('[██████████]');
    expect(progressBar(null, 4)).toBe('[░░░░]');
  });

  it('formats a terminal line with label, bar, percentage, status and age', () => {
    expect(formatProgressLine(processing, { labelWidth: 20 })).toBe(`nightly (srv-1/42)    ${progressBar(40)}  40%  processing  age 3m 05s`);
    expect(formatProgressLine(failing)).toBe(`srv-3/9  ${progressBar(null)}    -  poll failing  HTTP 500 APIGW.0101: Internal server error`);
  });

  it('cuts terminal lines to the width, so a redraw never wraps', () => {
    const line = formatProgressLine(processing, { columns: 30 });
    expect([...line]).toHaveLength(30);
    expect(line.endsWith('…')).toBe(true);
    expect(fit('short', 30)).toBe('short');
  });

  it('formats plain lines without anything that changes by itself', () => {
    expect(formatPlainLine(processing)).toBe('nightly (srv-1/42): processing 40%');
    expect(formatPlainLine(completed)).toBe('srv-2/7: completed 100%');
    expect(formatPlainLine(failing)).toBe('srv-3/9: poll failing (HTTP 500 APIGW.0101: Internal server error)');
  });

  it('clean collapses control characters', () => {
    expect(clean('a\tb\u009bc')).toBe('a b c');
  });
});

describe('progress reporter', () => {
  function sink(isTTY: boolean) {
    let text = '';
    return { out: { isTTY, columns: 200, rows: 50, write: (s: string) => (text += s) }, text: () => text };
  }

  it('prints plain lines only when an export changed, and none before the first poll', () => {
    const s = sink(false);
    const r = createProgressReporter(s.out);
    r.update([fresh]);
    r.update([processing]);
    r.update([processing]);
    const later = row({ name: 'nightly', serverId: 'srv-1', exportId: '42' }, success({ percentage: 70 }));
    r.update([later]);
    r.update([failing]);
    r.update([failing]);
    expect(s.text()).toBe(
      'nightly (srv-1/42): processing 40%\nnightly (srv-1/42): processing 70%\nsrv-3/9: poll failing (HTTP 500 APIGW.0101: Internal server error)\n',
    );
    expect(s.text()).not.toContain('\u001b');
  });

  it('redraws in place on a terminal and keeps log lines above the block', () => {
    const s = sink(true);
    const r = createProgressReporter(s.out);
    r.update([processing, completed]);
    const first = s.text();
    expect(first.split('\n')).toHaveLength(3);
    r.update([processing, completed]);
    expect(s.text().slice(first.length).startsWith('\r\u001b[2A\u001b[J')).toBe(true);
    const before = s.text().length;
    r.log('{"level":"warn"}\n');
    expect(s.text().slice(before)).toMatch(/^\r\u001b\[2A\u001b\[J\{"level":"warn"\}\n.*processing.*\n.*completed.*\n$/);
    r.finish();
    const end = s.text().length;
    r.log('after\n');
    expect(s.text().slice(end)).toBe('after\n');
  });
});
