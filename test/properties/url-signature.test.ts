import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorFor } from '../../src/clouddc/auth/methods.js';
import { signRequest } from '../../src/clouddc/auth/aksk-signer.js';
import { createAccountClient, type AccountClient } from '../../src/clouddc/client.js';
import { RecordingObserver } from '../clouddc/harness.js';
import { showLogsExportStatusUrl } from '../../src/clouddc/url.js';
import { parseConfig } from '../../src/config/load.js';
import type { ExportKey } from '../../src/domain/export.js';
import { matchExportStatus } from '../../src/simulator/route.js';
import { verifySignature } from '../../src/simulator/signature-verifier.js';
import { akskAccount, AK, SK, startWorld, type World } from '../support/auth-world.js';
import { pollSettings } from '../support/config.js';
import { silentLogger } from '../support/factories.js';
import { holds, holdsAsync, SEEDS } from './seeds.js';

/**
 * Any path segment: the URL the client builds encodes it so that the gateway decodes the very same id, and the
 * AK/SK signature over it is one the simulator's verifier (written from the spec, not shared with the signer)
 * accepts, offline and on the wire.
 */

const FILE = 'test/properties/url-signature.test.ts';
const CONTROL = /[\u0000-\u001f\u007f]/;
const wf = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed();

/** Every id the config admits: non-empty, no control characters, well-formed Unicode, no "/" and no dot segment. */
const segment = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 10 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
    fc
      .array(
        fc.constantFrom(
          '/',
          '%',
          '%2F',
          '%25',
          '?',
          '#',
          ' ',
          '+',
          ';',
          '=',
          '&',
          '@',
          ':',
          "!'()*",
          '~',
          '.',
          '..',
          'ü',
          '😀',
          '\\',
          '[',
          ']',
          '{',
          '}',
          '"',
          '<',
          '>',
          '^',
          '`',
          '|',
          'a',
        ),
        { minLength: 1, maxLength: 5 },
      )
      .map((a) => a.join('')),
  )
  .map((s) => wf(s).replace(/[\u0000-\u001f\u007f]/g, ''))
  .filter((s) => s !== '' && !CONTROL.test(s) && s !== '.' && s !== '..' && !s.includes('/'));
const key = fc.record({ projectId: segment, serverId: segment, exportId: segment });
const endpoint = fc.constantFrom(
  'https://clouddc.cn-east-3.myhuaweicloud.com',
  'https://clouddc.cn-east-3.myhuaweicloud.com:8443/',
  'http://127.0.0.1:9/prefix/api/',
);

function pathOf(url: URL, ep: string): string {
  const prefix = new URL(ep).pathname.replace(/\/+$/, '');
  expect(url.pathname.startsWith(`${prefix}/v1/`)).toBe(true);
  return url.pathname.slice(prefix.length) + url.search;
}

describe('any path segment', () => {
  it.each(SEEDS)('is encoded so that the gateway decodes the same id, and its signature verifies (%s %i)', (_name, seed) => {
    const date = new Date('2026-01-01T00:00:00Z');
    holds(
      fc.property(key, endpoint, (k: ExportKey, ep) => {
        const url = showLogsExportStatusUrl(ep, k);
        expect(url).toBeDefined();
        // Only unreserved characters and escapes in the path: nothing a proxy or the gateway could reinterpret.
        expect(url!.pathname).toMatch(/^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})+$/);
        expect(url!.search).toBe('');
        expect(matchExportStatus('GET', pathOf(url!, ep))).toEqual(k);
        const added = signRequest({
          method: 'GET',
          url: url!,
          headers: { 'x-project-id': k.projectId.replace(/[^\x20-\x7e]/g, '') },
          accessKey: AK,
          secretKey: SK,
          date,
        });
        const headers: Record<string, string> = { host: url!.host, 'x-project-id': k.projectId.replace(/[^\x20-\x7e]/g, '') };
        for (const [n, v] of Object.entries(added)) headers[n.toLowerCase()] = v;
        const verdict = verifySignature({ method: 'GET', rawPath: url!.pathname + url!.search, headers, body: '' }, (ak) => (ak === AK ? SK : undefined), date);
        expect(verdict).toEqual({ ok: true, accessKey: AK });
      }),
      seed,
      1000,
      FILE,
    );
  });

  it('the config refuses ids the URL could not carry or the gateway could not route', () => {
    const doc = (exports: string) => `accounts:\n  main:\n    endpoint: http://127.0.0.1:9\n    project_id: p\n    auth: {token: t}\nexports:\n${exports}`;
    const parse = (text: string) => parseConfig(text, { env: {}, baseDir: '/' });
    const lone = parse(doc('  - {server_id: "a\\ud800", export_id: "1"}\n'));
    expect(lone).toEqual({ ok: false, problems: [expect.stringMatching(/^exports\[0\]\.server_id: must be valid Unicode/)] });
    // The gateway routes the decoded path: "/" would split the id, and it would also join two ids into one state key.
    const slash = parse(doc('  - {server_id: "a/b", export_id: "1"}\n  - {server_id: "a", export_id: "b/1"}\n'));
    expect(slash).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/^exports\[0\]\.server_id: must not contain "\/"/),
        expect.stringMatching(/^exports\[1\]\.export_id: must not contain "\/"/),
      ],
    });
  });
});

describe('any path segment, on the wire with AK/SK signing', () => {
  let world: World;
  let client: AccountClient;
  beforeAll(async () => {
    world = await startWorld();
    const account = akskAccount(world, 'signed');
    client = createAccountClient({
      account,
      poll: pollSettings({ timeoutMs: 2000 }),
      userAgent: 'clouddc-exporter/property-test',
      authenticator: authenticatorFor(account, { logger: silentLogger, now: world.clock.now }),
      observer: new RecordingObserver(),
      logger: silentLogger,
      now: world.clock.now,
    });
  });
  afterAll(async () => {
    await client.close();
    await world.close();
  });

  it.each(SEEDS)('reaches the export with a signature the gateway accepts (%s %i)', async (_name, seed) => {
    await holdsAsync(
      fc.asyncProperty(fc.record({ serverId: segment, exportId: segment }), async ({ serverId, exportId }) => {
        const k = { projectId: '0123456789abcdef0123456789abcdef', serverId, exportId };
        world.sim.setBehaviour(k, { kind: 'fixed', body: { export_id: exportId, status: 'processing', percentage: 7, created_at: '2026-01-01T00:00:00Z' } });
        const result = await client.fetchStatus(k);
        world.sim.removeExport(k);
        expect(result, JSON.stringify(result)).toMatchObject({ ok: true, observation: { percentage: 7 } });
      }),
      seed,
      60,
      FILE,
    );
    expect(world.gateway.lockouts).toBe(0);
  });
});
