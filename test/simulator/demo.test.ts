import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PROJECT_ID, DEMO_TOKEN, demoExports, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, T0, type Got } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('demoExports', () => {
  const exports = demoExports(DEMO_PROJECT_ID, T0);

  it('has about eight distinct, realistic exports', () => {
    expect(exports.length).toBe(8);
    expect(new Set(exports.map((e) => e.name)).size).toBe(8);
    for (const e of exports) {
      expect(e.projectId).toBe(DEMO_PROJECT_ID);
      expect(e.serverId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(e.exportId).toMatch(/^\d{1,6}$/);
    }
  });

  it('shows every behaviour within a minute when polled every 5 s', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, token: DEMO_TOKEN, exports });
    const seen = new Map<string, Got[]>(exports.map((e) => [e.name, []]));
    for (let t = 0; t <= 60_000; t += 5_000) {
      clock.set(T0 + t);
      for (const e of exports) seen.get(e.name)!.push(await get(sim.url, exportPath(e), { 'x-auth-token': DEMO_TOKEN }));
    }
    const bodies = (name: string) =>
      seen
        .get(name)!
        .filter((r) => r.status === 200)
        .map((r) => r.json() as Record<string, unknown>);
    const last = (name: string) => bodies(name).at(-1);

    expect(bodies('web-01-bmc')[1]).toMatchObject({ status: 'Running', percentage: '12%' });
    expect(last('web-01-bmc')).toMatchObject({ status: 'COMPLETED', percentage: '100%' });
    expect(last('db-01-bmc')).toMatchObject({ status: 'processing', percentage: 66 });
    expect(last('db-01-bmc')?.created_at).toMatch(/\+00:00$/);
    expect(last('gpu-07-bmc')).toMatchObject({ status: 'processing', percentage: '45' });
    expect(last('storage-03-bmc')).toMatchObject({ status: 'failed', percentage: 60 });
    expect(last('edge-12-bmc')).toMatchObject({ status: 'Queued' });

    const throttled = seen.get('web-02-bmc')!;
    expect(throttled.map((r) => r.status)).toEqual([200, 200, 429, 200, 200, 429, 200, 200, 429, 200, 200, 429, 200]);
    expect(throttled[2]).toMatchObject({ text: 'Too Many Requests', headers: expect.objectContaining({ 'retry-after': '2' }) });
    expect(last('web-02-bmc')?.percentage).toMatch(/^\d+\.\d$/);

    expect(seen.get('batch-04-bmc')!.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(2);
    expect(seen.get('batch-04-bmc')!.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(8);

    const broken = seen.get('legacy-09-bmc')!;
    expect(broken.every((r) => r.status === 200)).toBe(true);
    expect(() => broken[0]!.json()).toThrow(SyntaxError);
  });
});
