import type { AuthenticatorFactory } from './factory.js';
import { call, failed, hostOf, parseCredential, type CredentialResult } from './credential-call.js';
import { temporaryKeysFor, type CredentialSource } from './temporary-keys.js';

/** The SDKs' paths and header names (core/auth/internal/metadata_accessor.go). */
const TOKEN_PATH = '/meta-data/latest/api/token';
const SECURITY_KEY_PATH = '/openstack/latest/securitykey';
/** The session token the SDKs ask for lives 6 h; a 401 gets a new one. */
const SESSION_TTL_SECONDS = 21_600;
/** Without a session token (an old metadata service), the SDKs ask for one again only after a day. */
const RECHECK_SESSION_MS = 86_400_000;
export const NO_AGENCY = 'Please configure Cloud Service Agency first';

export interface MetadataSourceOptions {
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/**
 * The ECS/BMS metadata service as the SDKs speak to it: a session token first (PUT, the IMDSv2 way), then the
 * agency's temporary keys with it. A service without session tokens (404, 405, 503 to the PUT) is asked without
 * one; a 401 other than "no agency" means the session token expired, so it is renewed once.
 */
export function metadataSource(opts: MetadataSourceOptions): CredentialSource {
  const base = opts.endpoint.replace(/\/+$/, '');
  const name = `the metadata service at ${hostOf(base)}`;
  let session: string | undefined;
  let askedAt: number | undefined;

  async function newSession(mustHave: boolean): Promise<CredentialResult | undefined> {
    askedAt = opts.now();
    const answer = await call(`${base}${TOKEN_PATH}`, {
      method: 'PUT',
      headers: { 'X-Metadata-Token-Ttl-Seconds': String(SESSION_TTL_SECONDS) },
      timeoutMs: opts.timeoutMs,
      secrets: [],
    });
    if (!answer.ok) return { ok: false, refused: false, message: `${name}: ${answer.message}` };
    if (answer.status === 200 && answer.text.trim() !== '') {
      session = answer.text.trim();
      return undefined;
    }
    if (!mustHave && [404, 405, 503].includes(answer.status)) {
      session = undefined;
      return undefined;
    }
    return failed(`${name} (session token)`, answer, []);
  }

  async function securityKey(): Promise<ReturnType<typeof call>> {
    return call(`${base}${SECURITY_KEY_PATH}`, {
      method: 'GET',
      headers: { accept: 'application/json', ...(session !== undefined && { 'X-Metadata-Token': session }) },
      timeoutMs: opts.timeoutMs,
      secrets: session === undefined ? [] : [session],
    });
  }

  return {
    name,
    async fetch() {
      if (session === undefined && (askedAt === undefined || opts.now() - askedAt > RECHECK_SESSION_MS)) {
        const problem = await newSession(false);
        if (problem) return problem;
      }
      let answer = await securityKey();
      if (answer.ok && answer.status === 401 && !answer.text.includes(NO_AGENCY)) {
        const problem = await newSession(true);
        if (problem) return problem;
        answer = await securityKey();
      }
      if (!answer.ok) return { ok: false, refused: false, message: `${name}: ${answer.message}` };
      if (answer.status === 401 && answer.text.includes(NO_AGENCY)) {
        return { ok: false, refused: true, message: `${name} answered HTTP 401: ${NO_AGENCY} (bind an agency to this instance)` };
      }
      if (answer.status !== 200) return failed(name, answer, session === undefined ? [] : [session]);
      return parseCredential(name, answer.text);
    },
  };
}

/** The `metadata` method: the instance's agency, through the metadata service. */
export const METADATA_AUTH: AuthenticatorFactory<'metadata'> = {
  reports: { iamTokens: false, temporaryKeys: true },
  create: (settings, ctx) => {
    const now = ctx.now ?? Date.now;
    return temporaryKeysFor(ctx, metadataSource({ endpoint: settings.endpoint, timeoutMs: ctx.timeoutMs, now }));
  },
};
