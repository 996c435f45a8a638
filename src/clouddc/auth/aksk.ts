import { pino, type Logger } from 'pino';
import type { SecretSource } from '../../domain/config.js';
import type { Secret } from '../../domain/secret.js';
import { NO_AUTH_OBSERVER, type AuthObserver } from '../observer.js';
import { signRequest } from './aksk-signer.js';
import { AuthenticationError, credentialsAccepted, type AttemptReport, type Authenticator } from '../authenticator.js';
import { CoolDown, type Pass } from './cooldown.js';
import type { AuthenticatorFactory } from './factory.js';
import { reportRefusals, secretReader, trimmed, type ReadTextFile } from './secret-reader.js';

export interface AkskOptions {
  readonly account: string;
  readonly projectId: string;
  readonly accessKey: string;
  readonly secretKey: SecretSource;
  readonly securityToken?: Secret;
  /** Wall clock in ms for X-Sdk-Date and the pause; tests share a fake one with the simulator. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly observer?: AuthObserver;
  readonly pauseMs?: number;
  readonly maxPauseMs?: number;
  readonly probeTimeoutMs?: number;
  readonly readFile?: ReadTextFile;
}

/**
 * Signs every request with SDK-HMAC-SHA256 (docs/clouddc-api.md#aksk-signing). X-Project-Id is added and signed like the
 * official SDK does; host and x-sdk-date are always signed. There is nothing to renew, so a 401 is never
 * retried: it pauses the account instead (see cooldown.ts).
 */
export function akskAuthenticator(opts: AkskOptions): Authenticator {
  const now = opts.now ?? Date.now;
  const logger = opts.logger ?? pino({ level: 'silent' });
  const observer = opts.observer ?? NO_AUTH_OBSERVER;
  const refused = reportRefusals(opts.secretKey, 'secret_key_file', logger, observer);
  const secretKey = secretReader(opts.secretKey, 'secret key', trimmed, opts.readFile, refused);
  const coolDown = new CoolDown({
    account: opts.account,
    now,
    logger,
    observer,
    ...(opts.pauseMs !== undefined && { pauseMs: opts.pauseMs }),
    ...(opts.maxPauseMs !== undefined && { maxPauseMs: opts.maxPauseMs }),
    ...(opts.probeTimeoutMs !== undefined && { probeTimeoutMs: opts.probeTimeoutMs }),
  });
  // Keyed by the object authorize() returned, which the client hands back in its report.
  const passes = new WeakMap<object, Pass>();

  return {
    async authorize(req) {
      // The operator fixing the key file is the one event worth ending a pause for.
      if (coolDown.paused && (await secretKey.changedSinceRead())) coolDown.resume('the secret key file changed');
      const sk = await secretKey.current();
      const pass = await coolDown.admit();
      try {
        const headers = { ...req.headers, 'x-project-id': opts.projectId };
        const signed = signRequest({
          method: req.method,
          url: req.url,
          headers,
          accessKey: opts.accessKey,
          secretKey: sk,
          date: new Date(now()),
          ...(opts.securityToken !== undefined && { securityToken: opts.securityToken.reveal() }),
        });
        const added = { 'X-Project-Id': opts.projectId, ...signed };
        passes.set(added, pass);
        return added;
      } catch (err) {
        pass.settle('none');
        // The signer's messages name the problem (empty SK, malformed AK), never a value.
        throw new AuthenticationError(err instanceof Error ? err.message : 'AK/SK signing failed');
      }
    },
    onResult(report: AttemptReport) {
      const pass = passes.get(report.authorization);
      if (pass === undefined) return;
      passes.delete(report.authorization);
      if (report.status === 401) {
        return pass.settle('refused', report.message ?? `HTTP 401${report.errorCode ? ` ${report.errorCode}` : ''}`);
      }
      pass.settle(credentialsAccepted(report) ? 'accepted' : 'none');
    },
  };
}

/** The `aksk` method: every request signed. */
export const AKSK_AUTH: AuthenticatorFactory<'aksk'> = {
  reports: { iamTokens: false, temporaryKeys: false },
  create: (settings, ctx) =>
    akskAuthenticator({
      account: ctx.account,
      projectId: ctx.projectId,
      logger: ctx.logger,
      observer: ctx.observer,
      ...(ctx.now && { now: ctx.now }),
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      ...(settings.securityToken !== undefined && { securityToken: settings.securityToken }),
    }),
};
