import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { exportPath, fakeClock, get, key, T0 } from './support.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const progress = { kind: 'progress', durationMs: 10_000 } as const;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

describe('delays', () => {
  it('slow delays the inner answer, and latency adds to every answer', async () => {
    sim = await startSimulator({ exports: [{ ...key('1'), behaviour: { kind: 'slow', delayMs: 60, then: progress } }] });
    const [res, ms] = await timed(() => get(sim!.url, exportPath(key('1'))));
    expect(res.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(55);

    sim.setLatency(60);
    const [notFound, ms404] = await timed(() => get(sim!.url, '/nope'));
    expect(notFound.status).toBe(404);
    expect(ms404).toBeGreaterThanOrEqual(55);
    expect(() => sim!.setLatency(-1)).toThrow(RangeError);
  });

  it('runs delays concurrently: 1,280 answers with 20 ms latency at concurrency 64', async () => {
    sim = await startSimulator({ exports: [{ ...key('1'), behaviour: progress }] });
    sim.setLatency(20);
    const s = sim;
    let left = 1_280;
    const worker = async () => {
      while (left-- > 0) expect((await get(s.url, exportPath(key('1')))).status).toBe(200);
    };
    const [, ms] = await timed(() => Promise.all(Array.from({ length: 64 }, worker)));
    // 20 rounds of 20 ms is 400 ms at best; delays served one after another would take 25.6 s. The wide
    // margin is for a CI box running other test files in parallel; bench/ measures the real overhead.
    expect(ms).toBeLessThan(8_000);
    expect(s.requestCount).toBe(1_280);
  });
});

describe('hang and reset', () => {
  it('hang never answers, and close() ends it together with idle keep-alive sockets', async () => {
    sim = await startSimulator({
      exports: [
        { ...key('1'), behaviour: { kind: 'hang' } },
        { ...key('2'), behaviour: progress },
      ],
    });
    const s = sim;
    expect((await get(s.url, exportPath(key('2')))).status).toBe(200); // leaves an idle keep-alive socket
    const pending = get(s.url, exportPath(key('1')));
    const settled = vi.fn();
    pending.then(settled, settled);
    await vi.waitFor(() => expect(s.requestCount).toBe(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).not.toHaveBeenCalled();

    const [, ms] = await timed(() => s.close());
    // Without closing them, close() would wait for the hang forever and for the idle socket until node's 5 s
    // keep-alive timeout: the bound only has to tell that apart, not time close() itself.
    expect(ms).toBeLessThan(4_000);
    await expect(pending).rejects.toThrow();
    await s.close(); // idempotent
  });

  it('close() cancels answers still waiting on a delay', async () => {
    sim = await startSimulator({ exports: [{ ...key('1'), behaviour: { kind: 'slow', delayMs: 60_000, then: progress } }] });
    const s = sim;
    const pending = get(s.url, exportPath(key('1')));
    await vi.waitFor(() => expect(s.requestCount).toBe(1));
    await s.close();
    await expect(pending).rejects.toThrow();
  });

  it('reset sends a head and a partial body, then destroys the socket', async () => {
    sim = await startSimulator({
      exports: [
        { ...key('1'), behaviour: { kind: 'reset' } },
        { ...key('2'), behaviour: progress },
      ],
    });
    const res = await request(sim.url + exportPath(key('1')));
    expect(res.statusCode).toBe(200);
    await expect(res.body.text()).rejects.toThrow();
    // The simulator itself survives the reset.
    expect((await get(sim.url, exportPath(key('2')))).status).toBe(200);
  });
});

describe('request recording', () => {
  it('records method, raw path, lower-case headers, clock time, request id and matched key', async () => {
    const clock = fakeClock();
    sim = await startSimulator({ now: clock.now, exports: [{ ...key('1'), behaviour: progress }] });
    clock.advance(1_500);
    const res = await get(sim.url, exportPath(key('1')), { 'X-Auth-Token': 'abc', 'X-Sdk-Date': '20250320T024806Z' });
    await get(sim.url, '/other?q=1');
    const [first, second] = sim.requests;
    expect(first).toMatchObject({ method: 'GET', path: exportPath(key('1')), at: T0 + 1_500, key: key('1') });
    expect(first?.headers).toMatchObject({ 'x-auth-token': 'abc', 'x-sdk-date': '20250320T024806Z' });
    expect(first?.requestId).toBe(res.headers['x-request-id']);
    expect(second).toMatchObject({ path: '/other?q=1' });
    expect(second?.key).toBeUndefined();
    expect(sim.requestCount).toBe(2);
  });

  it('keeps only the most recent requests but counts all of them, until cleared', async () => {
    sim = await startSimulator({ maxRecordedRequests: 3 });
    for (let i = 0; i < 8; i++) await get(sim.url, `/r${i}`);
    expect(sim.requests.map((r) => r.path)).toEqual(['/r5', '/r6', '/r7']);
    expect(sim.requestCount).toBe(8);
    sim.clearRequests();
    expect([sim.requests, sim.requestCount]).toEqual([[], 0]);
    await get(sim.url, '/after');
    expect(sim.requests.map((r) => r.path)).toEqual(['/after']);
  });
});
