import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { bundleLength, serialNumber, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, key, PROJECT, SERVER } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const startPath = (serverId = SERVER) => `/v1/${PROJECT}/physicalservers/${serverId}/logs/exports`;
const contentPath = (exportId: string) => `${exportPath(key(exportId))}/content`;

async function post(s: Simulator, serverId = SERVER, headers: Record<string, string> = {}) {
  return get(s.url, startPath(serverId), headers, 'POST');
}

describe('ExportServerLogs', () => {
  it('answers 202 with the four fields and the documented headers, and the new export progresses', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, newExportBehaviour: { kind: 'progress', durationMs: 10_000 } });
    const res = await post(sim);
    expect(res.status).toBe(202);
    const body = res.json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['created_at', 'export_id', 'percentage', 'status']);
    expect(body).toMatchObject({ status: 'processing', percentage: '0%', created_at: '2025-03-20T02:48:06+00:00' });
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${serialNumber(SERVER)}-dump.tar.gz`);
    expect(res.headers['content-transfer-encoding']).toBe('binary');
    expect(res.headers['content-type']).toBe('application/octet-stream;charset=UTF-8');
    const id = String(body['export_id']);
    expect(sim.startedExports).toEqual([key(id)]);

    clock.advance(5_000);
    expect((await get(sim.url, exportPath(key(id)))).json()).toMatchObject({ export_id: id, status: 'processing', percentage: 50 });
    clock.advance(5_000);
    expect((await get(sim.url, exportPath(key(id)))).json()).toMatchObject({ status: 'completed', percentage: 100 });
    // A second start is a second export.
    const again = (await post(sim)).json() as { export_id: string };
    expect(again.export_id).not.toBe(id);
    expect(sim.startedExports).toHaveLength(2);
  });

  it('skips ids a scripted export already uses', async () => {
    sim = await startSimulator({ exports: [{ ...key('1'), behaviour: { kind: 'fixed', body: { status: 'x' } } }] });
    expect(((await post(sim)).json() as { export_id: string }).export_id).toBe('2');
  });

  it('answers 401 and 429 from the gateway before anything is made', async () => {
    sim = await startSimulator({ token: 'tok', rateLimit: { requestsPerSecond: 1 } });
    const denied = await post(sim);
    expect(denied.status).toBe(401);
    expect(denied.json()).toMatchObject({ error_code: 'APIGW.0301' });
    expect((await post(sim, SERVER, { 'x-auth-token': 'tok' })).status).toBe(202);
    const throttled = await post(sim, SERVER, { 'x-auth-token': 'tok' });
    expect(throttled.status).toBe(429);
    expect(throttled.json()).toMatchObject({ error_code: 'APIGW.0308' });
    expect(sim.startedExports).toHaveLength(1);
  });

  it('plays queued faults one per request: the documented 429 and 500 bodies, with or without an export made', async () => {
    sim = await startSimulator();
    sim.queueStartFaults(SERVER, [
      { kind: 'error', status: 429 },
      { kind: 'error', status: 500, created: true },
      { kind: 'drop', created: true },
    ]);
    const r429 = await post(sim);
    expect([r429.status, r429.text]).toEqual([429, 'Too Many Requests']);
    const r500 = await post(sim);
    expect([r500.status, r500.json()]).toEqual([500, { error_code: 'iMetal.0099', error_msg: 'Internal server error' }]);
    await expect(post(sim)).rejects.toThrow();
    expect(sim.startedExports).toHaveLength(2);
    expect((await post(sim)).status).toBe(202);
  });

  it('answers 404 iMetal.0100 for a server it does not know, when given a list', async () => {
    sim = await startSimulator({ servers: [SERVER] });
    const res = await post(sim, 'nope');
    expect([res.status, (res.json() as { error_code: string }).error_code]).toEqual([404, 'iMetal.0100']);
  });
});

describe('DownloadServerLogs', () => {
  async function completed(opts: Parameters<typeof startSimulator>[0] = {}) {
    sim = await startSimulator({ newExportBehaviour: { kind: 'progress', durationMs: 0 }, ...opts });
    return ((await post(sim)).json() as { export_id: string }).export_id;
  }

  it('streams a .tar.gz that tar lists, with the documented headers and an exact Content-Length', async () => {
    const id = await completed({ bundleLogBytes: 300_000 });
    const res = await request(sim!.url + contentPath(id));
    const bytes = Buffer.from(await res.body.arrayBuffer());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream;charset=UTF-8');
    expect(res.headers['content-transfer-encoding']).toBe('binary');
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${serialNumber(SERVER)}-dump.tar.gz`);
    expect(Number(res.headers['content-length'])).toBe(bytes.length);
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    writeFileSync(join(dir, 'b.tar.gz'), bytes);
    const listing = execFileSync('tar', ['-tvzf', join(dir, 'b.tar.gz')], { encoding: 'utf8' });
    expect(listing).toMatch(/300000 .* dump\/bmc\/sel\.log/);
    expect(listing).toMatch(/dump\/manifest\.json/);
  });

  it('gives the length of a large bundle up front without generating it', async () => {
    const id = await completed();
    sim!.setBundle(key(id), { logBytes: 10 * 1024 ** 3 });
    const res = await request(sim!.url + contentPath(id));
    expect(Number(res.headers['content-length'])).toBe(bundleLength({ logBytes: 10 * 1024 ** 3, mtimeMs: 0, serverId: SERVER, exportId: id }));
    expect(Number(res.headers['content-length'])).toBeGreaterThan(10 * 1024 ** 3);
    res.body.destroy();
  });

  it('refuses an export that is not completed, and one it does not know', async () => {
    sim = await startSimulator();
    const id = ((await post(sim)).json() as { export_id: string }).export_id;
    const early = await get(sim.url, contentPath(id));
    expect([early.status, (early.json() as { error_code: string }).error_code]).toEqual([400, 'iMetal.0001']);
    const unknown = await get(sim.url, contentPath('999'));
    expect(unknown.status).toBe(404);
  });

  it('breaks mid-stream when told to, after exactly the given bytes', async () => {
    const id = await completed();
    sim!.setBundle(key(id), { fault: { kind: 'reset', afterBytes: 100_000 } });
    const res = await request(sim!.url + contentPath(id));
    let got = 0;
    await expect(
      (async () => {
        for await (const chunk of res.body) got += (chunk as Buffer).length;
      })(),
    ).rejects.toThrow();
    expect(got).toBe(100_000);
  });

  it('answers scripted errors with the documented bodies: 429 as a bare string', async () => {
    const id = await completed();
    sim!.setBundle(key(id), { error: { status: 429 } });
    const res = await get(sim!.url, contentPath(id));
    expect([res.status, res.text]).toEqual([429, 'Too Many Requests']);
  });
});
