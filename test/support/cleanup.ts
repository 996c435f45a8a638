import { afterEach } from 'vitest';

type Stoppable = { stop(graceMs?: number): Promise<void> } | { close(): Promise<void> };

const pending: Stoppable[] = [];

/**
 * Registers a started exporter or simulator to be stopped after the current test, exporters
 * first (they poll the simulators). Returns its argument, so a start call can be wrapped inline.
 */
export function stopAfterTest<T extends Stoppable>(thing: T): T {
  pending.push(thing);
  return thing;
}

afterEach(async () => {
  const things = pending.splice(0);
  for (const t of things) if ('stop' in t) await t.stop(100);
  for (const t of things) if (!('stop' in t)) await t.close();
});
