import { describe, expect, it } from 'vitest';
import { expectFaultContract, exportJson, faulted, fakeDns, HEALTHY, onCleanup, startGate, startRig, value, watchProcess, type Gate } from './harness.js';

/**
 * Faults below HTTP: no answer, or only part of one. Each case runs the whole contract of expectFaultContract:
 * exact counters, truthful poll_success and last-success gauges, /metrics responsive during the fault, no
 * unhandled rejection or warning, and recovery on the next cycle once the fault ends.
 */

watchProcess();

const simPort = (url: string): number => Number(new URL(url).port);

describe('faults before or during the answer', () => {
  it('connection refused: network, until the port listens again', async () => {
    let gate!: Gate;
    const rig = await startRig({
      endpoint: async (sim) => {
        gate = await startGate(simPort(sim.url));
        onCleanup(() => gate.close());
        return `http://127.0.0.1:${gate.port}`;
      },
    });
    await expectFaultContract(
      rig,
      () => gate.down(),
      () => gate.up(),
      {
        code: 'network',
        after: (text) => expect(value(text, 'clouddc_api_requests_total', { account: 'main', code: 'network' })).toBe(2),
      },
    );
    const json = await exportJson(rig, faulted(0));
    expect(json.errors.network).toBe(2);
    expect(json.last_error.message).toMatch(/ECONNREFUSED/);
  });

  it('DNS failure (a name under .invalid): network, until the name resolves', async () => {
    const host = 'clouddc-fault-suite.invalid';
    const resolver = fakeDns(host);
    onCleanup(() => resolver.restore());
    resolver.resolving = true;
    let gate!: Gate;
    // The real resolver answers while the fault lasts; give it more time than a local NXDOMAIN needs.
    const rig = await startRig({
      endpoint: async (sim) => {
        gate = await startGate(simPort(sim.url));
        onCleanup(() => gate.close());
        return `http://${host}:${gate.port}`;
      },
      poll: { timeoutMs: 3000 },
    });
    await expectFaultContract(
      rig,
      async () => {
        resolver.resolving = false;
        // The healthy cycle's keep-alive connection would be reused without a lookup: cut it.
        await gate.down();
        await gate.up();
      },
      () => {
        resolver.resolving = true;
      },
      { code: 'network' },
    );
    // The second failed cycle's message, from the real resolver.
    rig.clock.advance(5000);
    resolver.resolving = false;
    await gate.down();
    await gate.up();
    await rig.running.exporter.pollOnce();
    const last = (await exportJson(rig, faulted(0))).last_error;
    expect(last.reason).toBe('network');
    expect(last.message).toMatch(/ENOTFOUND|EAI_AGAIN|EAI_FAIL/);
  });

  it('connection reset in the middle of the body: network', async () => {
    const rig = await startRig();
    await expectFaultContract(
      rig,
      () => rig.sim.setBehaviour(faulted(0), { kind: 'reset' }),
      () => rig.sim.setBehaviour(faulted(0), HEALTHY),
      { code: 'network' },
    );
  });

  it('an answer that never comes: timeout, and /metrics does not wait for it', async () => {
    const rig = await startRig({ poll: { timeoutMs: 1500 } });
    await expectFaultContract(
      rig,
      () => rig.sim.setBehaviour(faulted(0), { kind: 'hang' }),
      () => rig.sim.setBehaviour(faulted(0), HEALTHY),
      // The simulator holds the poll until the 1.5 s timeout; scrapes are answered meanwhile.
      { code: 'timeout', minScrapesPerCycle: 2 },
    );
    expect((await exportJson(rig, faulted(0))).last_error.message).toBe('no complete answer within 1500 ms');
  });

  it('a body trickled one byte a second: timeout (the deadline covers the whole body)', async () => {
    const rig = await startRig({ poll: { timeoutMs: 1500 } });
    await expectFaultContract(
      rig,
      () => rig.sim.setFault(faulted(0), { kind: 'trickle', intervalMs: 1000 }),
      () => rig.sim.setFault(faulted(0), undefined),
      { code: 'timeout', minScrapesPerCycle: 2 },
    );
  });

  it.each([
    ['with Content-Length', false],
    ['chunked, without Content-Length', true],
  ])('a 50 MB body (%s): reading stops at 1 MiB, invalid_response', async (_name, chunked) => {
    const rig = await startRig({ poll: { timeoutMs: 3000 } });
    const rssBefore = process.memoryUsage().rss;
    await expectFaultContract(
      rig,
      () => rig.sim.setFault(faulted(0), { kind: 'oversize', bytes: 50 * 1024 * 1024, chunked }),
      () => rig.sim.setFault(faulted(0), undefined),
      { code: 'invalid_response', after: (text) => expect(value(text, 'clouddc_api_requests_total', { account: 'main', code: '200' })).toBe(4) },
    );
    expect((await exportJson(rig, faulted(0))).last_error.message).toMatch(/larger than 1048576 bytes/);
    // Two 50 MB bodies read whole would show; capped reads keep the process near where it was.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
