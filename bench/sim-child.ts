/**
 * Child-process entry: a CloudDC simulator answering for the bench's exports, so that its CPU is
 * not counted in the bench process. Talks to the parent over IPC only.
 */
import { scriptedFleet, startSimulator, type Behaviour } from '../src/simulator/index.js';
import { BENCH_PROJECT, BENCH_TOKEN, benchTargets, PROGRESS_DURATION_MS } from './fixtures.js';

export type ToSim =
  | { readonly type: 'latency'; readonly ms: number }
  /** Export i answers 500 when i % every === 0; every 0 makes all healthy again. */
  | { readonly type: 'fail'; readonly every: number }
  | { readonly type: 'stop' };
export type FromSim =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'latency-set'; readonly ms: number }
  | { readonly type: 'fail-set'; readonly failing: number };

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const servers = Number(process.argv[3] ?? 0);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(servers) || servers < 0 || process.send === undefined) {
    throw new Error('usage: fork(sim-child.js, [COUNT, SERVERS?]) with an IPC channel');
  }
  const startedAt = Date.now();
  const healthy: Behaviour = { kind: 'progress', startedAt, durationMs: PROGRESS_DURATION_MS, percentShape: 'percent' };
  const targets = benchTargets(count);
  const sim = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    token: BENCH_TOKEN,
    maxRecordedRequests: 16,
    exports: targets.map((t) => ({ projectId: t.projectId, serverId: t.serverId, exportId: t.exportId, behaviour: healthy })),
    // The exports' servers come first, so that exports and servers join as in a real fleet.
    ...(servers > 0 && { fleet: scriptedFleet({ projectId: BENCH_PROJECT, count: servers, ids: targets.map((t) => t.serverId) }) }),
  });
  const send = (m: FromSim) => process.send?.(m);
  const stop = () => {
    void sim.close().finally(() => process.exit(0));
  };
  process.on('message', (m: ToSim) => {
    if (m.type === 'latency') {
      sim.setLatency(m.ms);
      send({ type: 'latency-set', ms: m.ms });
    } else if (m.type === 'fail') {
      let failing = 0;
      targets.forEach((t, i) => {
        const fails = m.every > 0 && i % m.every === 0;
        if (fails) failing++;
        sim.setBehaviour(t, fails ? { kind: 'error', status: 500 } : healthy);
      });
      send({ type: 'fail-set', failing });
    } else if (m.type === 'stop') {
      stop();
    }
  });
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', stop);
  send({ type: 'ready', url: sim.url });
}

main().catch((err: unknown) => {
  console.error('sim-child:', err);
  process.exit(1);
});
