import { dirname, join, resolve } from 'node:path';
import { Secret } from '../domain/secret.js';
import { authConfigMethod, type Surroundings } from './auth-method.js';
import { envValue } from './env.js';
import { parseIni } from './ini.js';
import { OIDC_DEFAULTS, iamUrl, regionalIam } from './auth-oidc.js';
import { nonEmpty } from './fields.js';

/** The SDKs' profile file: this variable, else ~/.huaweicloud/credentials. */
export const ENV_CREDENTIALS_FILE = 'HUAWEICLOUD_SDK_CREDENTIALS_FILE';
export const DEFAULT_PROFILE_SECTION = 'basic';

/** The profile file the SDKs would read: the variable's, else the home directory's; undefined without either. */
export function defaultProfilePath(env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = envValue(env, ENV_CREDENTIALS_FILE);
  if (fromEnv !== undefined) return resolve(fromEnv);
  const home = envValue(env, 'HOME');
  return home === undefined ? undefined : join(home, '.huaweicloud', 'credentials');
}

function profileFromDefaults({ env, readFile }: Surroundings): true | string {
  const path = defaultProfilePath(env);
  if (path === undefined) return `profile file (${ENV_CREDENTIALS_FILE} and HOME not set)`;
  const read = readFile(path);
  return read.ok || `profile file ${path} (${read.reason})`;
}

/**
 * A section of the SDKs' INI credentials file, resolved at load into AK/SK settings (`ak`, `sk`, optional
 * `security_token`) or OIDC settings (`idp_id`, `id_token_file`, optional `domain_id`, `iam_endpoint`), as the SDKs
 * do. A reload reads the file again.
 */
export const PROFILE_CONFIG = authConfigMethod<'aksk' | 'oidc', ReturnType<typeof profileShape>, 'profile'>({
  name: 'profile',
  description: 'a profile file (credentials_file)',
  shape: profileShape(),
  selectors: ['credentials_file', 'profile_section'],
  named: ['credentials_file'],
  fromDefaults: profileFromDefaults,
  resolve(ctx) {
    const a = ctx.raw;
    const path = a.credentials_file !== undefined ? resolve(ctx.baseDir, a.credentials_file) : defaultProfilePath(ctx.env);
    const at = a.credentials_file !== undefined ? 'credentials_file' : undefined;
    if (path === undefined) {
      ctx.problem('credentials_file', `required (or set ${ENV_CREDENTIALS_FILE})`);
      return undefined;
    }
    const read = ctx.readFile(path);
    if (!read.ok) {
      ctx.problem(at, `cannot read profile file ${path}: ${read.reason}`);
      return undefined;
    }
    const ini = parseIni(read.data.toString('utf8'));
    if (!ini.ok) {
      ctx.problem(at, `profile file ${path}, line ${ini.line}: ${ini.message}`);
      return undefined;
    }
    const name = a.profile_section ?? DEFAULT_PROFILE_SECTION;
    const section = ini.value.get(name);
    if (section === undefined) {
      const found = [...ini.value.keys()].filter((s) => s !== 'DEFAULT');
      ctx.problem(
        a.profile_section !== undefined ? 'profile_section' : at,
        `profile file ${path} has no section [${name}]${found.length > 0 ? ` (it has ${found.map((s) => `[${s}]`).join(', ')})` : ''}`,
      );
      return undefined;
    }
    const value = (key: string) => {
      const v = section.get(key);
      return v === undefined || v === '' ? undefined : v;
    };
    const where = `profile file ${path} [${name}]`;
    const ak = value('ak');
    const sk = value('sk');
    const idpId = value('idp_id');
    const idTokenFile = value('id_token_file');
    // As the SDKs: idp_id and id_token_file win over ak and sk.
    if (idpId !== undefined && idTokenFile !== undefined) {
      const iam = value('iam_endpoint');
      const checked = iam === undefined ? undefined : iamUrl(iam);
      if (checked !== undefined && !checked.ok) {
        ctx.problem(at, `${where}: iam_endpoint: ${checked.message}`);
        return undefined;
      }
      const iamEndpoint = checked?.url ?? regionalIam(ctx.region);
      if (iamEndpoint === undefined) {
        ctx.problem(at, `${where}: iam_endpoint is required when the account has no region`);
        return undefined;
      }
      const domainId = value('domain_id');
      return {
        kind: 'oidc',
        source: `OIDC federation at ${iamEndpoint}; ${where}: idp_id ${idpId}, id_token_file`,
        idpId,
        idToken: ctx.secretFile(at, besideProfile(path, idTokenFile)),
        ...(domainId !== undefined && { domainId }),
        iamEndpoint,
        durationSeconds: OIDC_DEFAULTS.durationSeconds,
      };
    }
    if (ak !== undefined && sk !== undefined) {
      const token = value('security_token');
      return {
        kind: 'aksk',
        source: `${where}: ak, sk${token !== undefined ? ', security_token' : ''}`,
        accessKey: ak,
        secretKey: { kind: 'inline', value: new Secret(sk) },
        ...(token !== undefined && { securityToken: new Secret(token) }),
      };
    }
    const missing =
      ak !== undefined || sk !== undefined
        ? ak === undefined
          ? 'ak'
          : 'sk'
        : idpId !== undefined
          ? 'id_token_file'
          : idTokenFile !== undefined
            ? 'idp_id'
            : 'ak and sk';
    ctx.problem(at, `${where} has no ${missing}: a profile needs ak and sk, or idp_id and id_token_file`);
    return undefined;
  },
});

function profileShape() {
  return { credentials_file: nonEmpty.optional(), profile_section: nonEmpty.optional() };
}

/** Relative id_token_file paths in a profile are taken relative to the profile file. */
export function besideProfile(profile: string, file: string): string {
  return resolve(dirname(profile), file);
}
