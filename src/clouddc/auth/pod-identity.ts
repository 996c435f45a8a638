import type { AuthenticatorFactory } from './factory.js';
import { call, failed, hostOf, parseCredential } from './credential-call.js';
import { reportRefusals, secretReader, trimmed, type SecretReader } from './secret-reader.js';
import { temporaryKeysFor, type CredentialSource } from './temporary-keys.js';

/** CCE pod identity: `POST` the endpoint with the pod's projected token as Authorization, body `{}`. */
export function podIdentitySource(endpoint: string, token: SecretReader, timeoutMs: number): CredentialSource {
  const name = `pod identity at ${hostOf(endpoint)}`;
  return {
    name,
    changed: () => token.changedSinceRead(),
    async fetch() {
      let value: string;
      try {
        // Re-read at every call: the kubelet rotates the projected token.
        value = await token.current();
      } catch (err) {
        return { ok: false, refused: false, message: err instanceof Error ? err.message : 'cannot read the pod identity token' };
      }
      const answer = await call(endpoint, {
        method: 'POST',
        headers: { authorization: value, 'content-type': 'application/json', accept: 'application/json' },
        body: '{}',
        timeoutMs,
        secrets: [value],
      });
      if (!answer.ok) return { ok: false, refused: false, message: `${name}: ${answer.message}` };
      if (answer.status !== 200 && answer.status !== 201) return failed(name, answer, [value]);
      return parseCredential(name, answer.text);
    },
  };
}

/** The `pod_identity` method. */
export const POD_IDENTITY_AUTH: AuthenticatorFactory<'pod_identity'> = {
  reports: { iamTokens: false, temporaryKeys: true },
  create: (settings, ctx) => {
    const refused = reportRefusals(settings.token, 'pod_identity_token_file', ctx.logger, ctx.observer);
    const token = secretReader(settings.token, 'pod identity token', trimmed, undefined, refused);
    return temporaryKeysFor(ctx, podIdentitySource(settings.endpoint, token, ctx.timeoutMs));
  },
};
