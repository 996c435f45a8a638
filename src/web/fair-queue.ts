import { isIPv6 } from 'node:net';

/**
 * The queue of bcrypt checks, fair between client addresses. Only the address counts: the user name is the
 * caller's to choose, so a queue keyed by it lets one client open as many lines as it likes. An IPv6 client is
 * keyed by its /64, the block one host is usually given, so rotating addresses within it gains nothing.
 */
export function clientKey(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

interface Job {
  run(): void;
  /** Answers the caller with undefined: the check was pushed out. */
  drop(): void;
}

/**
 * Runs one task at a time, round-robin over addresses. An address with `perClient` tasks waiting gets undefined
 * at once: a refused check is a failed login, never an unbounded wait. When `total` are waiting, a newcomer
 * pushes out the newest check of the address with the most waiting, as long as that address has at least two
 * more than the newcomer's: many addresses flooding together cannot lock out one more address either.
 */
export class FairQueue {
  readonly #waiting = new Map<string, Job[]>();
  #size = 0;
  #busy = false;
  #parked: [string, Job[]] | undefined;

  constructor(
    private readonly perClient: number,
    private readonly total: number,
  ) {}

  run<T>(address: string, task: () => Promise<T>): Promise<T | undefined> {
    const client = clientKey(address);
    const mine = this.#queued(client);
    if (mine.length >= this.perClient) return Promise.resolve(undefined);
    if (this.#size >= this.total && !this.#pushOut(mine.length)) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      mine.push({
        run: () => {
          Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => {
              this.#busy = false;
              this.#next();
            });
        },
        drop: () => resolve(undefined),
      });
      if (!this.#waiting.has(client) && this.#parked?.[0] !== client) this.#waiting.set(client, mine);
      this.#size++;
      this.#next();
    });
  }

  /** The waiting list of a client, also while it is parked after its last check. */
  #queued(client: string): Job[] {
    if (this.#parked?.[0] === client) return this.#parked[1];
    return this.#waiting.get(client) ?? [];
  }

  #pushOut(mine: number): boolean {
    let heaviest: Job[] | undefined;
    for (const jobs of this.#lists()) if (jobs.length > (heaviest?.length ?? 0)) heaviest = jobs;
    if (heaviest === undefined || heaviest.length < mine + 2) return false;
    heaviest.pop()!.drop();
    this.#size--;
    return true;
  }

  *#lists(): Iterable<Job[]> {
    yield* this.#waiting.values();
    if (this.#parked) yield this.#parked[1];
  }

  #next(): void {
    if (this.#busy) return;
    // The client served last goes to the back of the line only now, behind everyone who came while it ran.
    if (this.#parked !== undefined) {
      const [client, jobs] = this.#parked;
      this.#parked = undefined;
      if (jobs.length > 0) this.#waiting.set(client, jobs);
    }
    const first = this.#waiting.entries().next();
    if (first.done) return;
    const [client, jobs] = first.value;
    this.#waiting.delete(client);
    const job = jobs.shift()!;
    this.#parked = [client, jobs];
    this.#size--;
    this.#busy = true;
    job.run();
  }
}
