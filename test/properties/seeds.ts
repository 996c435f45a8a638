import fc from 'fast-check';

/**
 * Every property runs twice: with a fixed seed, so that CI is reproducible, and with a fresh random seed, so that
 * each run also explores new inputs. A failure names its seed and the command that replays it:
 * `PROPERTY_SEED=<seed> npx vitest run <file>` makes the "random" run use that seed.
 */

export const FIXED_SEED = 20261127;

const fromEnv = process.env.PROPERTY_SEED === undefined ? undefined : Number(process.env.PROPERTY_SEED);
export const RANDOM_SEED = fromEnv !== undefined && Number.isInteger(fromEnv) ? fromEnv : (Math.random() * 2 ** 31) | 0;

export const SEEDS: ReadonlyArray<readonly [string, number]> = [
  ['fixed seed', FIXED_SEED],
  ['random seed', RANDOM_SEED],
];

function failure(out: fc.RunDetails<unknown>, seed: number, file: string): Error {
  const report = fc.defaultReportMessage(out) ?? `failed after ${out.numRuns} runs`;
  const cause = out.errorInstance;
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(`property failed with seed ${seed}; replay it with: PROPERTY_SEED=${seed} npx vitest run ${file}\n${report}\nError: ${why}`, { cause });
}

/** fc.check with `seed`, turned into an error that carries the seed when it fails. */
export function holds<Ts>(property: fc.IProperty<Ts>, seed: number, numRuns: number, file: string): void {
  const out = fc.check(property, { seed, numRuns });
  if (out.failed) throw failure(out as fc.RunDetails<unknown>, seed, file);
}

export async function holdsAsync<Ts>(property: fc.IAsyncProperty<Ts>, seed: number, numRuns: number, file: string): Promise<void> {
  const out = await fc.check(property, { seed, numRuns });
  if (out.failed) throw failure(out as fc.RunDetails<unknown>, seed, file);
}
