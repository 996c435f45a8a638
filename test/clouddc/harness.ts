import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Authenticator } from '../../src/clouddc/authenticator.js';
import { staticTokenAuthenticator } from '../../src/clouddc/auth/token.js';
import { createAccountClient, type AccountClient, type AccountClientOptions } from '../../src/clouddc/client.js';
import type { ApiObserver } from '../../src/clouddc/observer.js';
import { Secret } from '../../src/domain/secret.js';
import type { AccountSettings, PollSettings } from '../../src/domain/config.js';
import type { ExportKey } from '../../src/domain/export.js';
import { startSimulator, type Behaviour, type Simulator } from '../../src/simulator/index.js';

export const PROJECT = '0123456789abcdef0123456789abcdef';
export const SERVER = '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8';
export const TOKEN = 'MIIsecret-token-4f8a9c1d2e3b';
export const USER_AGENT = 'clouddc-exporter/test';
export const T0 = Date.parse('2025-03-20T02:48:06Z');

export function key(exportId = '1', serverId = SERVER): ExportKey {
  return { projectId: PROJECT, serverId, exportId };
}

export class RecordingObserver implements ApiObserver {
  readonly requests: Array<{ account: string; code: string; durationSeconds: number }> = [];
  readonly retries: Array<{ account: string; reason: string }> = [];
  readonly rates: number[] = [];
  readonly throttleWaits: number[] = [];
  onRequest(account: string, code: string, durationSeconds: number): void {
    this.requests.push({ account, code, durationSeconds });
  }
  onRetry(account: string, reason: string): void {
    this.retries.push({ account, reason });
  }
  onRateLimit(_account: string, requestsPerSecond: number): void {
    this.rates.push(requestsPerSecond);
  }
  onThrottleWait(_account: string, seconds: number): void {
    this.throttleWaits.push(seconds);
  }
  codes(): string[] {
    return this.requests.map((r) => r.code);
  }
  retryReasons(): string[] {
    return this.retries.map((r) => r.reason);
  }
}

/**
 * Records each wait instead of waiting, so retry tests take milliseconds. Its clock moves only by the waits,
 * which is what the client's rate limiter sees: a backoff that covered a 429 pause leaves nothing to wait.
 */
export class FakeSleep {
  readonly delays: number[] = [];
  #ms = 0;
  readonly now = (): number => this.#ms;
  readonly sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    this.delays.push(ms);
    if (signal?.aborted) throw new Error('aborted');
    this.#ms += ms;
  };
}

export function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface Harness {
  readonly sim: Simulator;
  readonly observer: RecordingObserver;
  readonly sleeper: FakeSleep;
  /** Advances the simulator's clock (progress and created_at); delays stay real. */
  advance(ms: number): void;
  client(overrides?: ClientOverrides): AccountClient;
  script(behaviour: Behaviour, k?: ExportKey): ExportKey;
  close(): Promise<void>;
}

export interface ClientOverrides {
  readonly poll?: Partial<PollSettings>;
  readonly account?: Partial<AccountSettings>;
  readonly authenticator?: Authenticator;
  readonly token?: string;
  readonly options?: Partial<AccountClientOptions>;
}

export function pollSettings(overrides: Partial<PollSettings> = {}): PollSettings {
  return {
    schedule: '* * * * *',
    concurrency: 2,
    timeoutMs: 2000,
    retries: 0,
    backoffInitialMs: 500,
    backoffMaxMs: 30_000,
    spread: false,
    ...overrides,
  };
}

export async function startHarness(): Promise<Harness> {
  let simNow = T0;
  const sim = await startSimulator({ token: TOKEN, now: () => simNow });
  const observer = new RecordingObserver();
  const sleeper = new FakeSleep();
  const clients: AccountClient[] = [];
  return {
    sim,
    observer,
    sleeper,
    advance(ms) {
      simNow += ms;
    },
    client(o = {}) {
      const account: AccountSettings = {
        name: 'acct',
        region: 'cn-east-3',
        endpoint: sim.url,
        projectId: PROJECT,
        auth: { kind: 'token', source: 'test', token: { kind: 'inline', value: new Secret(o.token ?? TOKEN) } },
        rateLimit: { requestsPerSecond: 10_000, burst: 10_000 },
        ...o.account,
      };
      const c = createAccountClient({
        account,
        poll: pollSettings(o.poll),
        userAgent: USER_AGENT,
        authenticator: o.authenticator ?? staticTokenAuthenticator({ kind: 'inline', value: new Secret(o.token ?? TOKEN) }),
        observer,
        sleep: sleeper.sleep,
        random: () => 0.5,
        now: () => T0,
        limiterClock: sleeper.now,
        ...o.options,
      });
      clients.push(c);
      return c;
    },
    script(behaviour, k = key()) {
      sim.setBehaviour(k, behaviour);
      return k;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await sim.close();
    },
  };
}

/** An export that moves from 0 to completed in a second. */
export const progress: Behaviour = { kind: 'progress', durationMs: 1000 };

/** `times` answers of `behaviour`, then `progress`. */
export const failing = (times: number, behaviour: Behaviour): Behaviour => ({ kind: 'sequence', steps: [{ times, behaviour }], then: progress });
