import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpretResponse } from '../../src/clouddc/response.js';
import { parseStatusText } from '../../src/clouddc/wire.js';
import type { PollResult } from '../../src/domain/poll.js';
import { Exposition } from '../../src/exposition/exposition.js';
import { ExportStore } from '../../src/store/export-store.js';
import { key, startHarness, type Harness } from '../clouddc/harness.js';
import { target } from '../support/factories.js';
import { holds, holdsAsync, SEEDS } from './seeds.js';

/** Any 200 body becomes a mapped state or invalid_response, never a throw, never a value out of range. */

const FILE = 'test/properties/json-body.test.ts';
const STATUSES = ['processing', 'completed', 'failed', 'unknown'];

const anyJson = fc.jsonValue();
const nearlyRight = fc.record(
  {
    export_id: fc.oneof(fc.string(), fc.integer(), anyJson),
    status: fc.oneof(fc.constantFrom('processing', 'Running', 'COMPLETED', 'success', 'failed', 'Queued', ' ', '', 'in-progress'), fc.string(), anyJson),
    percentage: fc.oneof(
      fc.double(),
      fc.integer(),
      fc.double().map(String),
      fc.integer({ min: -200, max: 300 }).map((n) => `${n}%`),
      fc.constantFrom('30', '30%', '30.5', ' 30 % ', '1e3', 'NaN', 'Infinity', '-0', '0x10', '', '%'),
      anyJson,
    ),
    created_at: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom(
        '2025-03-20T02:48:06Z',
        '2025-03-20T02:48:06+08:00',
        '2025-02-30T00:00:00Z',
        '2025-03-20',
        '2025-03-20T24:00:00Z',
        '0000-01-01T00:00:00Z',
        '+275760-09-13T00:00:00Z',
      ),
      fc.string(),
      anyJson,
    ),
    __proto__: anyJson,
    extra: anyJson,
  },
  { requiredKeys: [] },
);

/** Documents that are right in every field, in all the spellings the API uses, plus extra fields. */
const plausible = fc.record({
  export_id: fc.oneof(fc.string({ minLength: 1 }), fc.nat(), fc.constant(null)),
  // Object.prototype's names too: a status of "constructor" once mapped to a function instead of "unknown".
  status: fc.oneof(
    fc.constantFrom('processing', 'Running', 'in_progress', 'COMPLETED', 'success', 'failed', 'error'),
    fc.constantFrom('constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'),
    fc.string({ minLength: 1 }),
  ),
  percentage: fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    fc.nat({ max: 100 }).map(String),
    fc.nat({ max: 100 }).map((n) => `${n}%`),
  ),
  created_at: fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString()),
  extra: anyJson,
});

/** Bodies as text: JSON of any shape, near-misses of the real document, and text that is not JSON at all. */
const body = fc.oneof(
  anyJson.map((v) => JSON.stringify(v)),
  nearlyRight.map((v) => JSON.stringify(v)),
  plausible.map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '{',
    '[]',
    '"x"',
    '<html><body>502</body></html>',
    '\ufeff{}',
    '{"status":"processing"}{"x":1}',
    '['.repeat(5000) + ']'.repeat(5000),
  ),
);

function checkResult(result: PollResult): void {
  if (result.ok) {
    const o = result.observation;
    expect(STATUSES).toContain(o.status);
    expect(typeof o.rawStatus).toBe('string');
    expect(Number.isFinite(o.percentage) && o.percentage >= 0 && o.percentage <= 100).toBe(true);
    expect(Number.isFinite(o.createdAt)).toBe(true);
  } else {
    expect(result.reason).toBe('invalid_response');
    expect(result.message).not.toContain('\n');
  }
}

describe('any 200 body', () => {
  it.each(SEEDS)('maps to a state or invalid_response, and the state renders (%s %i)', (_name, seed) => {
    const exposition = new Exposition();
    const store = new ExportStore(exposition);
    const t = target();
    store.sync([t]);
    const id = [...store.states()][0]!;
    const exportId = `${id.target.projectId}/${id.target.serverId}/${id.target.exportId}`;
    const seen = { ok: 0, invalid: 0 };
    holds(
      fc.property(body, (text) => {
        // The wire mapping alone, then the whole answer as the client reads it.
        const wire = parseStatusText(text);
        expect(typeof wire.ok).toBe('boolean');
        const attempt = interpretResponse({ kind: 'response', status: 200, headers: {}, text, durationSeconds: 0 }, 1, (s) => s, 0);
        const result: PollResult = attempt.ok ? attempt.result : attempt.failure;
        expect(result.ok).toBe(wire.ok);
        checkResult(result);
        seen[result.ok ? 'ok' : 'invalid']++;
        // And the store takes it and renders a finite exposition.
        store.apply(exportId, result, 1_800_000_000);
        const text2 = exposition.render(1_800_000_000);
        expect(text2).not.toMatch(/ (NaN|[+-]Inf)$/m);
      }),
      seed,
      1500,
      FILE,
    );
    // Both outcomes occur: the generator reaches valid documents, not only garbage.
    expect(seen.ok).toBeGreaterThan(100);
    expect(seen.invalid).toBeGreaterThan(300);
  });
});

describe('any 200 body, through the simulator and the real client', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each(SEEDS)('is ok or invalid_response, never a network error or a throw (%s %i)', async (_name, seed) => {
    const client = h.client();
    await holdsAsync(
      fc.asyncProperty(body, async (text) => {
        h.sim.setBehaviour(key(), { kind: 'malformed', body: text });
        const result = await client.fetchStatus(key());
        checkResult(result);
        expect(result.ok).toBe(parseStatusText(text).ok);
      }),
      seed,
      60,
      FILE,
    );
  });
});
