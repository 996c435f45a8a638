import type { AuthSettings, SecretSource } from './config.js';
import type { Secret } from './secret.js';

export type AuthKind = AuthSettings['kind'];
export type SettingsOf<K extends AuthKind> = Extract<AuthSettings, { kind: K }>;

/** The settings of a method that hold a secret: inline only (a Secret) or inline or from a file (a SecretSource). */
type SecretField<K extends AuthKind> = {
  [F in keyof SettingsOf<K>]-?: NonNullable<SettingsOf<K>[F]> extends Secret | SecretSource ? F : never;
}[keyof SettingsOf<K>];

/**
 * Every secret of every method: for one that may come from a file, the config key that names the file (it is also
 * the `file` label of clouddc_exporter_file_reload_failures_total and names the file when --storage.path points at
 * it); null for one that is only ever inline. Typed complete, so a new method, or a new secret of one, does not
 * compile until it is listed here, and with it the log redaction, the files --storage.path protects and the
 * reload-failure series.
 */
export const AUTH_SECRETS = {
  token: { token: 'token_file' },
  aksk: { secretKey: 'secret_key_file', securityToken: null },
  password: { password: 'password_file' },
  oidc: { idToken: 'id_token_file' },
  pod_identity: { token: 'pod_identity_token_file' },
  metadata: {},
} as const satisfies {
  readonly [K in AuthKind]: { readonly [F in SecretField<K>]: NonNullable<SettingsOf<K>[F]> extends SecretSource ? string : null };
};

type Secrets = typeof AUTH_SECRETS;

/** The config key of a secret file: `token_file`, `secret_key_file`, `password_file`. */
export type SecretFileKey = Exclude<{ [K in AuthKind]: Secrets[K][keyof Secrets[K]] }[AuthKind], null>;

export const AUTH_KINDS = Object.keys(AUTH_SECRETS) as AuthKind[];

/**
 * What the temporary-credential sources fetch while running, by the field names their code uses: the temporary
 * secret key and security token (metadata, pod identity, IAM), the id token, the metadata service's session token
 * and the pod identity token. Never in settings, so not in the table above, but redacted the same way.
 */
export const TEMPORARY_SECRET_NAMES = ['secretKey', 'securityToken', 'secret', 'securitytoken', 'idToken', 'sessionToken', 'podIdentityToken'] as const;

/** The names of every setting that holds a secret, in any method, and of the temporary ones (the logger redacts them). */
export const SECRET_SETTING_NAMES: readonly string[] = [...new Set([...AUTH_KINDS.flatMap((k) => Object.keys(AUTH_SECRETS[k])), ...TEMPORARY_SECRET_NAMES])];

/** The secrets an account's settings read from files, each with the config key that named its file. */
export function secretFiles(auth: AuthSettings): Array<{ readonly key: SecretFileKey; readonly path: string }> {
  const keys: Readonly<Record<string, SecretFileKey | null>> = AUTH_SECRETS[auth.kind];
  const settings = auth as unknown as Readonly<Record<string, unknown>>;
  const out: Array<{ key: SecretFileKey; path: string }> = [];
  for (const [field, key] of Object.entries(keys)) {
    const source = settings[field] as SecretSource | undefined;
    if (key !== null && source?.kind === 'file') out.push({ key, path: source.path });
  }
  return out;
}
