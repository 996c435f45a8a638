import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * bcrypt comparisons on a worker thread. bcryptjs is pure JavaScript and, on the main thread, computes in 100 ms
 * slices between which nothing else runs: a flood of wrong passwords would delay every scrape and probe, even
 * logins answered from the cache. On the worker, the main thread stays free; the fair queue in basic-auth.ts
 * still runs one comparison at a time.
 */

// An eval worker is CommonJS, so it loads bcryptjs by its resolved path: the same in the build and in tests.
const BCRYPT = createRequire(import.meta.url).resolve('bcryptjs');
const CODE = `
const { parentPort } = require('node:worker_threads');
const bcrypt = require(${JSON.stringify(BCRYPT)});
parentPort.on('message', ({ id, password, hash }) => {
  let ok = false;
  try { ok = bcrypt.compareSync(password, hash); } catch {}
  parentPort.postMessage({ id, ok });
});
`;

export type Compare = (password: string, hash: string) => Promise<boolean>;

/** A compare function backed by one worker, started on first use and never keeping the process alive. */
export function workerCompare(): Compare {
  let worker: Worker | undefined;
  let next = 0;
  const pending = new Map<number, (ok: boolean) => void>();
  const start = (): Worker => {
    const w = new Worker(CODE, { eval: true });
    w.unref();
    w.on('message', ({ id, ok }: { id: number; ok: boolean }) => {
      pending.get(id)?.(ok === true);
      pending.delete(id);
    });
    // A dead worker fails the checks it had (a failed login, never an open door); the next check starts another.
    const fail = () => {
      worker = undefined;
      for (const resolve of pending.values()) resolve(false);
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', fail);
    return w;
  };
  return (password, hash) =>
    new Promise<boolean>((resolve) => {
      worker ??= start();
      const id = next++;
      pending.set(id, resolve);
      worker.postMessage({ id, password, hash });
    });
}
