/**
 * Child-process entry for the soak: the CloudDC simulator answering the bench's exports with the soak's fault
 * plan (plan.ts), in its own process so that its CPU and memory are not the exporter's. Talks over IPC only.
 */
import { BENCH_TOKEN, benchTargets, PROGRESS_DURATION_MS } from '../bench/fixtures.js';
import { startSimulator, type Behaviour } from '../src/simulator/index.js';
import { injectedBy, planBehaviour, planOf, type Profile } from './plan.js';

export type ToSoakSim = { readonly type: 'report' } | { readonly type: 'stop' };
export type FromSoakSim =
  { readonly type: 'ready'; readonly url: string } | { readonly type: 'report'; readonly served: number; readonly injected: Record<string, number> };

async function main(): Promise<void> {
  const [count, seed, timeoutMs] = process.argv.slice(2, 5).map(Number);
  const profile = (process.argv[5] ?? 'mixed') as Profile;
  if (
    !Number.isInteger(count) ||
    count! < 1 ||
    !Number.isInteger(seed) ||
    !(timeoutMs! > 0) ||
    !['mixed', 'failing'].includes(profile) ||
    process.send === undefined
  ) {
    throw new Error('usage: fork(sim-child.js, [COUNT, SEED, TIMEOUT_MS, mixed|failing]) with an IPC channel');
  }
  const startedAt = Date.now();
  const healthy: Behaviour = { kind: 'progress', startedAt, durationMs: PROGRESS_DURATION_MS, percentShape: 'percent' };
  const targets = benchTargets(count!);
  const plans = targets.map((_, i) => planOf(profile, i, seed!));
  const sim = await startSimulator({
    host: '127.0.0.1',
    port: 0,
    token: BENCH_TOKEN,
    maxRecordedRequests: 16,
    exports: targets.map((t, i) => ({
      projectId: t.projectId,
      serverId: t.serverId,
      exportId: t.exportId,
      behaviour: planBehaviour(plans[i]!, healthy, { timeoutMs: timeoutMs! }),
    })),
  });
  const send = (m: FromSoakSim) => process.send?.(m);
  const stop = () => {
    void sim.close().finally(() => process.exit(0));
  };
  process.on('message', (m: ToSoakSim) => {
    if (m.type === 'report') {
      let served = 0;
      const injected: Record<string, number> = {};
      targets.forEach((t, i) => {
        const n = sim.servedCount(t);
        served += n;
        injectedBy(plans[i]!, n, injected);
      });
      send({ type: 'report', served, injected });
    } else if (m.type === 'stop') {
      stop();
    }
  });
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', stop);
  send({ type: 'ready', url: sim.url });
}

main().catch((err: unknown) => {
  console.error('soak sim-child:', err);
  process.exit(1);
});
