import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FromSim, ToSim } from './sim-child.js';
import { bounded } from './stats.js';

export interface SimProcess {
  readonly url: string;
  readonly pid: number;
  setLatency(ms: number): Promise<void>;
  /** Makes every `every`-th export answer 500 (0: none); resolves with how many do. */
  setFailing(every: number): Promise<number>;
  /** Idempotent; SIGKILLs the child if it does not exit on its own within 5 s. */
  stop(): Promise<void>;
}

/** Forks `entry` (a sibling .js file) with an IPC channel and kills it if this process exits first. */
export function forkChild(entry: string, args: string[], execArgv: string[] = []): ChildProcess {
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), args, {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  return child;
}

export async function stopChild(child: ChildProcess, message?: unknown): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (message !== undefined && child.connected) child.send(message as ToSim);
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The next IPC message of `type` from `child`; rejects when the child exits first or `ms` pass. */
export function nextMessage<M extends { type: string }>(child: ChildProcess, type: M['type'], ms: number, what = `waiting for "${type}"`): Promise<M> {
  const wait = new Promise<M>((resolve, reject) => {
    const onMessage = (m: M) => {
      if (m.type !== type) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child exited (${code}) while waiting for "${type}"`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  return bounded(wait, ms, what);
}

/** A simulator for `exports` exports and, when `servers` > 0, a scripted fleet of that many servers. */
export async function startSimProcess(exports: number, servers = 0): Promise<SimProcess> {
  const child = forkChild('./sim-child.js', [String(exports), String(servers)]);
  try {
    const ready = await nextMessage<FromSim>(child, 'ready', 30_000, 'starting the simulator child');
    if (ready.type !== 'ready') throw new Error('unreachable');
    let stopped: Promise<void> | undefined;
    return {
      url: ready.url,
      pid: child.pid!,
      async setLatency(ms) {
        const ack = nextMessage<FromSim>(child, 'latency-set', 30_000, 'setting simulator latency');
        child.send({ type: 'latency', ms } satisfies ToSim);
        await ack;
      },
      async setFailing(every) {
        const ack = nextMessage<FromSim>(child, 'fail-set', 30_000, 'scripting failing exports');
        child.send({ type: 'fail', every } satisfies ToSim);
        const m = await ack;
        return m.type === 'fail-set' ? m.failing : 0;
      },
      stop() {
        return (stopped ??= stopChild(child, { type: 'stop' } satisfies ToSim));
      },
    };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}
