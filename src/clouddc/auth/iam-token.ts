import { pino, type Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { SettingsOf } from '../../domain/auth.js';
import { NO_AUTH_OBSERVER, type AuthObserver } from '../observer.js';
import { AuthenticationError, credentialsAccepted, type AttemptReport, type Authenticator } from '../authenticator.js';
import { RETRY_MAX_MS, RETRY_TRANSIENT_MS, backoffMs, formatMs } from './cooldown.js';
import type { AuthenticatorFactory } from './factory.js';
import { requestIamToken, type IamTokenResult } from './iam-request.js';
import { reportRefusals, secretReader, withoutLineEnding, type ReadTextFile, type SecretReader } from './secret-reader.js';

type PasswordAuth = SettingsOf<'password'>;

export interface IamTokenOptions {
  readonly account: string;
  readonly projectId: string;
  readonly settings: PasswordAuth;
  readonly timeoutMs: number;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly observer?: AuthObserver;
  readonly readFile?: ReadTextFile;
  readonly dispatcher?: Dispatcher;
  /** Test seam; defaults to the real HTTP call. */
  readonly request?: typeof requestIamToken;
}

interface Token {
  readonly value: string;
  /** X-Auth-Token, one frozen object shared by every request that uses this token. */
  readonly headers: Readonly<Record<string, string>>;
  /** Local-clock times: IAM's own clock only tells us the lifetime. */
  readonly renewAt: number;
  readonly usableUntil: number;
  /** Set once CloudDC accepted it; a 401 for a token that never worked is not cured by another one. */
  confirmed: boolean;
}

/** IAM refusing the password: a user is locked after a few wrong logins, so ask much less often. */
export const RETRY_REFUSED_MS = 5 * 60_000;
/** Never send a token this close to its expiry; capped at a tenth of the lifetime for short-lived tokens. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * An IAM password token, fetched on first use, renewed in the background once less than refresh_before of its
 * life remains, and once more when CloudDC answers 401. Every poll that needs a token while a renewal runs waits
 * for that same renewal. After a failed refresh polls fail fast until the backoff has passed.
 */
export class IamTokenAuthenticator implements Authenticator {
  readonly #opts: IamTokenOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #observer: AuthObserver;
  readonly #password: SecretReader;
  #token: Token | undefined;
  #renewal: Promise<Token> | undefined;
  #failures = 0;
  #retryAt = 0;
  #lastError = '';

  constructor(opts: IamTokenOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#logger = opts.logger ?? pino({ level: 'silent' });
    this.#observer = opts.observer ?? NO_AUTH_OBSERVER;
    const refused = reportRefusals(opts.settings.password, 'password_file', this.#logger, this.#observer);
    this.#password = secretReader(opts.settings.password, 'password', withoutLineEnding, opts.readFile, refused);
  }

  /** The current token while it is usable (starting a background renewal when due), else a renewal's. */
  async authorize(): Promise<Record<string, string>> {
    const token = this.#token;
    if (token === undefined || this.#now() >= token.usableUntil) return (await this.#renew()).headers;
    if (this.#now() >= token.renewAt && this.#renewal === undefined && this.#now() >= this.#retryAt) {
      this.#renew().catch(() => {}); // failures are logged and counted inside; the current token still works
    }
    return token.headers;
  }

  onResult(report: AttemptReport): void {
    const token = this.#token;
    if (token === undefined || report.status === undefined || report.authorization['X-Auth-Token'] !== token.value) return;
    if (credentialsAccepted(report)) {
      token.confirmed = true;
    } else if (report.status === 401 && !token.confirmed) {
      // A brand-new token refused (e.g. issued for another region): a renewal per poll would only hammer IAM.
      this.#token = undefined;
      this.#fail(`CloudDC refused a freshly issued IAM token (${report.message ?? 'HTTP 401'})`, true, false);
    }
  }

  async onUnauthorized(report?: AttemptReport): Promise<boolean> {
    const sent = report?.authorization['X-Auth-Token'];
    const token = this.#token;
    if (token !== undefined && token.value === sent) {
      // It worked before, so it expired early or was revoked: renew once.
      this.#token = undefined;
      this.#logger.info(`CloudDC refused the IAM token (${report?.message ?? 'HTTP 401'}); renewing it`);
    } else if (token !== undefined && this.#now() < token.usableUntil) {
      return true; // another poll renewed it meanwhile
    }
    try {
      await this.#renew();
      return true;
    } catch {
      return false;
    }
  }

  #renew(): Promise<Token> {
    this.#renewal ??= this.#fetch().finally(() => {
      this.#renewal = undefined;
    });
    return this.#renewal;
  }

  async #fetch(): Promise<Token> {
    if (this.#now() < this.#retryAt && !(await this.#password.changedSinceRead())) {
      const left = formatMs(this.#retryAt - this.#now());
      throw new AuthenticationError(`no IAM token: ${this.#lastError}; next attempt in ${left}`);
    }
    const { settings, account } = this.#opts;
    let password: string;
    try {
      password = await this.#password.current();
    } catch (err) {
      throw this.#fail(err instanceof Error ? err.message : 'cannot read the password', false, true);
    }
    const started = this.#now();
    const request = this.#opts.request ?? requestIamToken;
    const result: IamTokenResult = await request({
      authUrl: settings.authUrl,
      userName: settings.userName,
      password,
      domainName: settings.domainName,
      project: settings.projectName !== undefined ? { name: settings.projectName } : { id: this.#opts.projectId },
      timeoutMs: this.#opts.timeoutMs,
      ...(this.#opts.dispatcher && { dispatcher: this.#opts.dispatcher }),
    });
    if (!result.ok) throw this.#fail(result.message, result.refused, true);

    // IAM's clock may differ from ours; its issued_at..expires_at span is the lifetime we can rely on.
    const lifetime = result.issuedAt !== undefined ? result.expiresAt - result.issuedAt : result.expiresAt - started;
    if (!(lifetime > 0)) throw this.#fail('IAM issued a token that has already expired', false, true);
    const expires = started + lifetime;
    const token: Token = {
      value: result.token,
      headers: Object.freeze({ 'X-Auth-Token': result.token }),
      renewAt: expires - Math.min(settings.refreshBeforeMs, lifetime / 2),
      usableUntil: expires - Math.min(EXPIRY_MARGIN_MS, lifetime / 10),
      confirmed: false,
    };
    this.#token = token;
    this.#failures = 0;
    this.#retryAt = 0;
    this.#observer.onTokenRefresh(account, 'success');
    this.#observer.onTokenIssued(account, result.expiresAt);
    this.#logger.info({ expiresAt: new Date(result.expiresAt).toISOString() }, 'IAM token obtained');
    return token;
  }

  /** Records a failed refresh and returns the error for the polls waiting on it. */
  #fail(message: string, refused: boolean, counted: boolean): AuthenticationError {
    const wait = backoffMs(refused ? RETRY_REFUSED_MS : RETRY_TRANSIENT_MS, RETRY_MAX_MS, this.#failures);
    this.#failures++;
    this.#retryAt = this.#now() + wait;
    this.#lastError = message;
    if (counted) this.#observer.onTokenRefresh(this.#opts.account, 'failure');
    this.#logger.warn(
      { failuresInARow: this.#failures, retryInSeconds: wait / 1000 },
      `${counted ? 'IAM token refresh failed' : 'IAM token unusable'}: ${message}; next attempt in ${formatMs(wait)}`,
    );
    return new AuthenticationError(`no IAM token: ${message}`);
  }
}

/** The `password` method: an IAM token, renewed by the exporter. */
export const PASSWORD_AUTH: AuthenticatorFactory<'password'> = {
  reports: { iamTokens: true, temporaryKeys: false },
  create: (settings, ctx) =>
    new IamTokenAuthenticator({
      account: ctx.account,
      projectId: ctx.projectId,
      logger: ctx.logger,
      observer: ctx.observer,
      ...(ctx.now && { now: ctx.now }),
      settings,
      timeoutMs: ctx.timeoutMs,
    }),
};
