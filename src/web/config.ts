import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { checkReadable, readBounded } from '../files/bounded-read.js';
import { nonEmpty, strict } from '../config/fields.js';
import { isPlainObject } from '../config/interpolate.js';
import { describeValue, parseAt } from '../config/issues.js';
import { formatProblem, problem, type Path, type Problem } from '../config/problems.js';
import { Secret } from '../domain/secret.js';
import { parseYaml } from '../config/yaml.js';
import { checkTlsMaterial, readTlsMaterial, type TlsFiles } from './tls-material.js';
import type { Result } from '../domain/result.js';

/**
 * `--web.config.file`: the exporter-toolkit web configuration format (TLS, basic auth, response headers), read
 * as strictly as the main config: unknown keys are errors, every problem is reported as `path: message`, and
 * no message ever repeats a password hash. No `${VAR}` interpolation: bcrypt hashes are full of `$`.
 */

export const TLS_VERSIONS = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
export type TlsVersion = (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];

/** Go's tls.ClientAuthType names, as exporter-toolkit spells them; RequireClientCert is its legacy alias. */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** Client auth types that verify a client certificate against client_ca_file. */
const VERIFYING: readonly ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

/** Paths are absolute (relative ones are resolved against the web config file's directory, as the toolkit does). */
export interface TlsSettings extends TlsFiles {
  readonly minVersion: TlsVersion;
  readonly maxVersion: TlsVersion;
  readonly clientAuth: ClientAuthType;
}

export interface WebConfig {
  /** The file it came from, for log lines. */
  readonly file: string;
  /** Absent: plain HTTP. */
  readonly tls?: TlsSettings;
  /** User name to bcrypt hash; empty: no authentication. */
  readonly users: ReadonlyMap<string, Secret>;
  /** Extra response headers, canonical names. */
  readonly headers: Readonly<Record<string, string>>;
}

export type WebConfigResult = Result<WebConfig>;

/**
 * Response headers the toolkit lets a web config set, with the values it allows (undefined: any value). The
 * list is the toolkit's, so one web config file works for every exporter that takes it.
 */
const ALLOWED_HEADERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
  'Content-Security-Policy': undefined,
};

/** `$2a$`, `$2b$` or `$2y$` (htpasswd -B), a two-digit cost from 04 to 31, then 22 salt and 31 hash characters. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

export function isBcryptHash(s: string): boolean {
  return BCRYPT_HASH.test(s);
}

/**
 * The highest bcrypt cost accepted. bcrypt runs in JavaScript here, about 70 ms at cost 10 and twice that per
 * step; a check that is not cached holds the one queue every login waits in. Cost 12 (about 0.3 s) is above
 * what htpasswd (5) and the exporter-toolkit docs (10) use; cost 31 would take days per check.
 */
export const MAX_BCRYPT_COST = 12;

export function bcryptCost(s: string): number {
  return Number(s.slice(4, 6));
}

const CONTROL = /[\u0000-\u001f\u007f]/;

const unsupported = (hint = '') =>
  z
    .unknown()
    .refine((v) => v === undefined, { message: `not supported by clouddc-exporter${hint}` })
    .optional();

const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as ['TLS12', 'TLS13'], {
  error: (iss) => (iss.code === 'invalid_value' ? 'must be TLS12 or TLS13 (TLS 1.0 and 1.1 are not offered)' : undefined),
});

const tlsSchema = strict({
  cert_file: nonEmpty,
  key_file: nonEmpty,
  client_ca_file: nonEmpty.optional(),
  client_auth_type: z
    .enum([...CLIENT_AUTH_TYPES, 'RequireClientCert'], {
      error: (iss) => (iss.code === 'invalid_value' ? `must be one of ${CLIENT_AUTH_TYPES.join(', ')}` : undefined),
    })
    .optional(),
  min_version: tlsVersion.optional(),
  max_version: tlsVersion.optional(),
  // Known to exporter-toolkit, not offered here: named so that the message says so instead of "unknown key".
  cert: unsupported('; put the certificate in a file and use cert_file'),
  key: unsupported('; put the key in a file and use key_file'),
  client_ca: unsupported('; put the CA certificates in a file and use client_ca_file'),
  cipher_suites: unsupported('; Node.js picks secure TLS 1.2 and 1.3 suites by default'),
  curve_preferences: unsupported(),
  prefer_server_cipher_suites: unsupported(),
  client_allowed_sans: unsupported(),
}).superRefine((raw, ctx) => {
  const auth = raw.client_auth_type ?? 'NoClientCert';
  if (raw.client_ca_file !== undefined && auth === 'NoClientCert') {
    ctx.addIssue({
      code: 'custom',
      path: ['client_ca_file'],
      message: 'set, but client_auth_type is NoClientCert (the default): set client_auth_type too, or remove it',
    });
  }
  if (raw.client_ca_file === undefined && (VERIFYING as readonly string[]).includes(auth)) {
    ctx.addIssue({ code: 'custom', path: ['client_ca_file'], message: `required when client_auth_type is ${auth}` });
  }
  const min = raw.min_version ?? 'TLS12';
  const max = raw.max_version ?? 'TLS13';
  if (min > max) {
    ctx.addIssue({ code: 'custom', path: ['max_version'], message: `${max} is lower than min_version (${min})` });
  }
});

const canonicalHeader = (name: string) => Object.keys(ALLOWED_HEADERS).find((h) => h.toLowerCase() === name.toLowerCase());

function checkHeaderValue(ctx: z.RefinementCtx, name: string, canonical: string, value: string): void {
  const allowed = ALLOWED_HEADERS[canonical];
  if (CONTROL.test(value)) {
    ctx.addIssue({ code: 'custom', path: [name], message: 'must not contain control characters or line breaks' });
  } else if (allowed !== undefined && !allowed.includes(value)) {
    ctx.addIssue({ code: 'custom', path: [name], message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` });
  }
}

const headersSchema = z.record(z.string(), z.string()).superRefine(
  (headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      const canonical = canonicalHeader(name);
      if (canonical === undefined) {
        const allowed = Object.keys(ALLOWED_HEADERS).join(', ');
        ctx.addIssue({ code: 'custom', path: [name], message: `this header cannot be configured (allowed: ${allowed})` });
        continue;
      }
      // A value of the wrong type is reported by the record itself.
      if (typeof value !== 'string') continue;
      checkHeaderValue(ctx, name, canonical, value);
    }
  },
  // Every header is checked even when another one has a value of the wrong type.
  { when: (payload) => isPlainObject(payload.value) },
);

const httpSchema = strict({
  // Accepted for compatibility with toolkit configs; the exporter serves HTTP/1.1 either way.
  http2: z.boolean().optional(),
  headers: headersSchema.optional(),
});

/** The hash is never part of a message: it is a secret's digest, and it may be a password pasted by mistake. */
const hashField = z
  .string({
    error: (iss) => (iss.code === 'invalid_type' && iss.input !== undefined ? `expected a bcrypt hash, got ${describeValue(iss.input)}` : undefined),
  })
  .refine(isBcryptHash, {
    message: 'must be a bcrypt hash ($2y$, $2b$ or $2a$, cost 04-31, 60 characters), e.g. from: htpasswd -nBC 10 "" | tr -d \':\\n\'',
    abort: true,
  })
  .refine((s) => bcryptCost(s) <= MAX_BCRYPT_COST, {
    message: `bcrypt cost above ${MAX_BCRYPT_COST}: every uncached login would hold the exporter's CPU for seconds or more; hash again with cost 10 (htpasswd -nBC 10)`,
  })
  .transform((s) => new Secret(s));

const userName = z.string().superRefine((name, ctx) => {
  if (name === '') ctx.addIssue({ code: 'custom', message: 'the user name must not be empty' });
  else if (name.includes(':')) ctx.addIssue({ code: 'custom', message: 'user names cannot contain ":" (HTTP basic auth splits on it)' });
  else if (CONTROL.test(name)) ctx.addIssue({ code: 'custom', message: 'user names must not contain control characters' });
});

// An empty map would turn authentication off while the file says it is on: refused, with the way to say "off".
const usersSchema = z.record(userName, hashField).refine((users) => Object.keys(users).length > 0, {
  message: 'names no user, which would leave every endpoint open; add a user, or remove basic_auth_users to serve without authentication',
});

const webSchema = strict({
  tls_server_config: tlsSchema.optional(),
  http_server_config: httpSchema.optional(),
  basic_auth_users: usersSchema.optional(),
  rate_limit: unsupported('; limit request rates in a proxy in front of the exporter'),
});

interface FileRef {
  readonly path: Path;
  readonly file: string;
}

export interface ParseWebOptions {
  /** Name used in problems about the whole file and in YAML syntax errors. */
  readonly source: string;
  /** Relative *_file paths are resolved against this directory: the web config file's own. */
  readonly baseDir: string;
}

interface Parsed {
  readonly problems: Problem[];
  readonly yamlProblems: string[];
  readonly config?: WebConfig;
}

function parse(text: string, opts: ParseWebOptions): Parsed {
  const yaml = parseYaml(text, opts.source);
  if (!yaml.ok) {
    // The shared YAML reader explains an empty file in terms of the main config; say what this file needs.
    const empty = yaml.problems.length === 1 && yaml.problems[0]?.startsWith(`${opts.source}: the file is empty`);
    return {
      problems: [],
      yamlProblems: empty ? [`${opts.source}: the file is empty; it needs tls_server_config, basic_auth_users or http_server_config`] : yaml.problems,
    };
  }
  if (!isPlainObject(yaml.value.tree)) {
    return { problems: [problem([], `expected a mapping at the top level, got ${describeValue(yaml.value.tree)}`)], yamlProblems: [] };
  }
  const result = parseAt(webSchema, yaml.value.tree, []);
  if (!result.ok) return { problems: result.problems, yamlProblems: [] };
  const raw = result.value;
  const tlsRaw = raw.tls_server_config;
  const at = (file: string) => resolve(opts.baseDir, file);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.http_server_config?.headers ?? {})) {
    const canonical = canonicalHeader(name) ?? name;
    headers[canonical] = value;
  }
  const clientAuth: ClientAuthType = tlsRaw?.client_auth_type === 'RequireClientCert' ? 'RequireAnyClientCert' : (tlsRaw?.client_auth_type ?? 'NoClientCert');
  return {
    problems: [],
    yamlProblems: [],
    config: {
      file: opts.source,
      tls: tlsRaw && {
        certFile: at(tlsRaw.cert_file),
        keyFile: at(tlsRaw.key_file),
        ...(tlsRaw.client_ca_file !== undefined && { clientCaFile: at(tlsRaw.client_ca_file) }),
        minVersion: TLS_VERSIONS[tlsRaw.min_version ?? 'TLS12'],
        maxVersion: TLS_VERSIONS[tlsRaw.max_version ?? 'TLS13'],
        clientAuth,
      },
      users: new Map(Object.entries(raw.basic_auth_users ?? {})),
      headers,
    },
  };
}

/** YAML text to the model, or every problem found. Pure: reads no files (see loadWebConfigFile). */
export function parseWebConfig(text: string, opts: ParseWebOptions): WebConfigResult {
  const parsed = parse(text, opts);
  if (parsed.yamlProblems.length > 0) return { ok: false, problems: parsed.yamlProblems };
  if (parsed.config && parsed.problems.length === 0) return { ok: true, value: parsed.config };
  return { ok: false, problems: parsed.problems.map((p) => formatProblem(p, opts.source)) };
}

/** Reads, validates and checks a web config file, including that its certificate and key load and match. */
export async function loadWebConfigFile(path: string): Promise<WebConfigResult> {
  const read = await readBounded(path, 'webConfig');
  if (!read.ok) return { ok: false, problems: [`${path}: cannot read: ${read.reason}`] };
  const result = parseWebConfig(read.data.toString('utf8'), { source: path, baseDir: dirname(resolve(path)) });
  if (!result.ok || result.value.tls === undefined) return result;
  const tls = result.value.tls;
  const refs: FileRef[] = [
    { path: ['tls_server_config', 'cert_file'], file: tls.certFile },
    { path: ['tls_server_config', 'key_file'], file: tls.keyFile },
    ...(tls.clientCaFile === undefined ? [] : [{ path: ['tls_server_config', 'client_ca_file'], file: tls.clientCaFile }]),
  ];
  const problems: Problem[] = [];
  for (const ref of refs) {
    const reason = await checkReadable(ref.file, 'tls');
    if (reason !== undefined) problems.push(problem(ref.path, `cannot read ${ref.file}: ${reason}`));
  }
  if (problems.length === 0) {
    try {
      problems.push(...checkTlsMaterial(await readTlsMaterial(tls)));
    } catch (error) {
      problems.push(problem(['tls_server_config'], `cannot read the certificate files: ${(error as Error).message}`));
    }
  }
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => formatProblem(p, path)) };
  return result;
}

/** One line for the start-up log: what the web config turns on, never a secret. */
export function describeWebConfig(web: WebConfig): Record<string, unknown> {
  return {
    webConfig: web.file,
    tls: web.tls ? `${web.tls.minVersion}..${web.tls.maxVersion}` : false,
    clientAuth: web.tls?.clientAuth,
    basicAuthUsers: web.users.size,
    headers: Object.keys(web.headers),
  };
}
