import { createHash } from 'node:crypto';
import type { AccountSettings } from '../domain/config.js';
import { Secret } from '../domain/secret.js';

/**
 * A digest of everything that defines an account's client, secrets included (revealed only into
 * the hash). Two accounts with the same fingerprint can share one client across a reload.
 */
export function accountFingerprint(account: AccountSettings): string {
  // Discovery settings do not define the client: changing them must not throw away its tokens.
  const { servers: _servers, ...client } = account;
  // The replacer sees values after toJSON() ran (a Secret would already be "<secret>"), so look at
  // the holder's original property instead.
  const json = JSON.stringify(client, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Secret ? { secret: original.reveal() } : value;
  });
  return createHash('sha256').update(json).digest('hex');
}
