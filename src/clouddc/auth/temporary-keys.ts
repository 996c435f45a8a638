import { pino, type Logger } from 'pino';
import { NO_AUTH_OBSERVER, type AuthObserver } from '../observer.js';
import { AuthenticationError, credentialsAccepted, type AttemptReport, type AuthorizeRequest, type Authenticator } from '../authenticator.js';
import { signRequest } from './aksk-signer.js';
import { CoolDown, DEFAULT_PAUSE_MS, RETRY_MAX_MS, RETRY_TRANSIENT_MS, backoffMs, formatMs, type Pass } from './cooldown.js';
import type { CredentialResult } from './credential-call.js';
import type { AuthContext } from './factory.js';

/** Asks the source (metadata service, pod identity, IAM) for a new credential; never throws. */
export interface CredentialSource {
  /** "the metadata service at 127.0.0.1:8080": for messages. */
  readonly name: string;
  fetch(): Promise<CredentialResult>;
  /** True when what the source reads (a token file) changed since its last fetch: worth asking before the backoff ends. */
  changed?(): Promise<boolean>;
}

export interface TemporaryKeysOptions {
  readonly account: string;
  readonly projectId: string;
  readonly source: CredentialSource;
  /** Wall clock in ms, for X-Sdk-Date, expiry and backoff; tests share a fake one with the simulator. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly observer?: AuthObserver;
  /** Lock-out protection: the pause after a freshly fetched key is refused (cooldown.ts). */
  readonly pauseMs?: number;
}

interface Keys {
  readonly access: string;
  readonly secret: string;
  readonly securityToken: string;
  /** Local-clock times. */
  readonly renewAt: number;
  readonly usableUntil: number;
  /** Set once CloudDC accepted them; a 401 for keys that never worked is not cured by asking again. */
  confirmed: boolean;
}

/** Renew when a fifth of the lifetime is left, at most an hour before expiry: 72 min of 6 h gives 1 h, 15 min gives 3. */
const RENEW_SHARE = 5;
const RENEW_MAX_MS = 3_600_000;
/** Never sign with keys this close to expiry; capped at a tenth of the lifetime for short-lived keys. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * Temporary AK/SK + security token (metadata, pod identity, OIDC): fetched on first use and renewed in the
 * background before they expire, every poll meanwhile signing with the current ones; concurrent polls share one
 * renewal. Requests are signed like AK/SK with X-Security-Token signed too. A failed renewal keeps the current keys
 * while they last and waits before asking again; the lock-out protection of plain AK/SK (cooldown.ts) applies.
 */
export class TemporaryKeysAuthenticator implements Authenticator {
  readonly #opts: TemporaryKeysOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #observer: AuthObserver;
  readonly #coolDown: CoolDown;
  /** Keyed by the object authorize() returned, which the client hands back in its reports. */
  readonly #sent = new WeakMap<object, { readonly keys: Keys; readonly pass: Pass }>();
  #keys: Keys | undefined;
  #renewal: Promise<Keys> | undefined;
  #failures = 0;
  #retryAt = 0;
  #lastError = '';

  constructor(opts: TemporaryKeysOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
    this.#observer = opts.observer ?? NO_AUTH_OBSERVER;
    this.#coolDown = new CoolDown({
      account: opts.account,
      now: this.#now,
      logger: this.#logger,
      observer: this.#observer,
      ...(opts.pauseMs !== undefined && { pauseMs: opts.pauseMs }),
    });
  }

  async authorize(req: AuthorizeRequest): Promise<Record<string, string>> {
    const keys = await this.#current();
    const pass = await this.#coolDown.admit();
    try {
      const signed = signRequest({
        method: req.method,
        url: req.url,
        headers: { ...req.headers, 'x-project-id': this.#opts.projectId },
        accessKey: keys.access,
        secretKey: keys.secret,
        securityToken: keys.securityToken,
        date: new Date(this.#now()),
      });
      const added = { 'X-Project-Id': this.#opts.projectId, ...signed };
      this.#sent.set(added, { keys, pass });
      return added;
    } catch (err) {
      pass.settle('none');
      throw new AuthenticationError(err instanceof Error ? err.message : 'AK/SK signing failed');
    }
  }

  onResult(report: AttemptReport): void {
    const sent = this.#sent.get(report.authorization);
    // Kept (the map is weak): onUnauthorized() needs to know which keys this request used.
    if (sent === undefined) return;
    if (credentialsAccepted(report)) {
      sent.keys.confirmed = true;
      return sent.pass.settle('accepted');
    }
    // Keys that worked and are now refused expired early or were revoked: a renewal cures that, a pause would not.
    if (report.status === 401 && !sent.keys.confirmed) {
      if (this.#keys === sent.keys) this.#keys = undefined;
      return sent.pass.settle('refused', report.message ?? 'HTTP 401');
    }
    sent.pass.settle('none');
  }

  async onUnauthorized(report?: AttemptReport): Promise<boolean> {
    const sent = report === undefined ? undefined : this.#sent.get(report.authorization);
    const used = sent?.keys;
    const current = this.#keys;
    if (current !== undefined && current !== used && this.#now() < current.usableUntil) return true; // renewed meanwhile
    if (used === undefined || !used.confirmed) return false;
    if (current === used) this.#keys = undefined;
    this.#logger.info(`CloudDC refused temporary keys that had worked (${report?.message ?? 'HTTP 401'}); renewing them`);
    try {
      await this.#renew();
      return true;
    } catch {
      return false;
    }
  }

  /** The keys to sign with: the current ones while usable (starting a background renewal when due), else a renewal's. */
  async #current(): Promise<Keys> {
    const keys = this.#keys;
    const now = this.#now();
    if (keys === undefined || now >= keys.usableUntil) return this.#renew();
    if (now >= keys.renewAt && this.#renewal === undefined && now >= this.#retryAt) {
      this.#renew().catch(() => {}); // logged and counted inside; the current keys still work
    }
    return keys;
  }

  #renew(): Promise<Keys> {
    this.#renewal ??= this.#fetch().finally(() => {
      this.#renewal = undefined;
    });
    return this.#renewal;
  }

  async #fetch(): Promise<Keys> {
    const { source, account } = this.#opts;
    if (this.#now() < this.#retryAt && !((await source.changed?.()) ?? false)) {
      throw new AuthenticationError(`no temporary credentials: ${this.#lastError}; next attempt in ${formatMs(this.#retryAt - this.#now())}`);
    }
    const started = this.#now();
    const result = await source.fetch();
    if (!result.ok) throw this.#fail(result.message, result.refused);
    const c = result.credential;
    const lifetime = c.expiresAt - started;
    if (!(lifetime > 0)) throw this.#fail(`${source.name} handed out credentials that have already expired`, false);
    const keys: Keys = {
      access: c.access,
      secret: c.secret,
      securityToken: c.securityToken,
      renewAt: c.expiresAt - Math.min(lifetime / RENEW_SHARE, RENEW_MAX_MS),
      usableUntil: c.expiresAt - Math.min(EXPIRY_MARGIN_MS, lifetime / 10),
      confirmed: false,
    };
    this.#keys = keys;
    this.#failures = 0;
    this.#retryAt = 0;
    this.#observer.onCredentialRenewal(account, 'success');
    this.#observer.onCredentialsIssued(account, c.expiresAt);
    this.#logger.info({ expiresAt: new Date(c.expiresAt).toISOString() }, `temporary credentials obtained from ${source.name}`);
    return keys;
  }

  /** Counts and logs a failed renewal, sets the backoff, and returns the error for the polls waiting on it. */
  #fail(message: string, refused: boolean): AuthenticationError {
    // A refusal waits out the gateway's lock-out window, as a refused AK/SK does; other failures retry sooner.
    const wait = backoffMs(refused ? DEFAULT_PAUSE_MS : RETRY_TRANSIENT_MS, RETRY_MAX_MS, this.#failures);
    this.#failures++;
    this.#retryAt = this.#now() + wait;
    this.#lastError = message;
    this.#observer.onCredentialRenewal(this.#opts.account, 'failure');
    const kept = this.#keys !== undefined && this.#now() < this.#keys.usableUntil;
    this.#logger.warn(
      { failuresInARow: this.#failures, retryInSeconds: wait / 1000, keptCurrentKeys: kept },
      `temporary credential renewal failed: ${message}; ${kept ? 'the current keys stay in use; ' : ''}next attempt in ${formatMs(wait)}`,
    );
    return new AuthenticationError(`no temporary credentials: ${message}`);
  }
}

/** The authenticator of a method whose keys come from `source`, in the running exporter's context. */
export function temporaryKeysFor(ctx: AuthContext, source: CredentialSource): TemporaryKeysAuthenticator {
  const { account, projectId, logger, observer, now } = ctx;
  return new TemporaryKeysAuthenticator({ account, projectId, logger, observer, ...(now && { now }), source });
}
