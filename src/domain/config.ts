import type { ExportTarget } from './export.js';
import type { Secret } from './secret.js';
import type { ServerDiscoverySettings } from './fleet.js';
import type { AutoCollectSettings } from './auto-collect.js';

export interface PollSettings {
  /** node-cron expression; a seconds field is allowed. */
  readonly schedule: string;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Extra attempts after the first, on 429, 5xx, timeouts and network errors. */
  readonly retries: number;
  /** First backoff delay; doubles per attempt with full jitter. */
  readonly backoffInitialMs: number;
  /** Upper bound of any single backoff or Retry-After wait. */
  readonly backoffMaxMs: number;
  /** Spread the polls of a cycle across the schedule interval instead of starting them all on the tick. */
  readonly spread: boolean;
}

/** Token bucket shared by every poll of one account. */
export interface RateLimitSettings {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

/** How long finished exports stay exported while still listed in the config. */
export interface RetentionSettings {
  /** After this long in `completed`, an export is retired: its series go and it is not polled. */
  readonly completedMs: number;
  /** After this long of nothing but 404 answers, an export is retired the same way. */
  readonly notFoundMs: number;
  /** After this long in `failed`, an export is retired the same way: a failed export never produces a bundle. */
  readonly failedMs: number;
}

/** A secret given inline (or through ${VAR}) or as a file that is re-read when it changes. */
export type SecretSource = { readonly kind: 'inline'; readonly value: Secret } | { readonly kind: 'file'; readonly path: string };

/**
 * Where an account's credentials come from, for people: "config (access_key)", "environment
 * (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)", "profile file /root/.huaweicloud/credentials [basic]". Shown by
 * --config.check, the start log and the status page; never holds a secret.
 */
interface Sourced {
  readonly source: string;
}

export type AuthSettings = Sourced &
  /** Static X-Auth-Token, from `token` or `token_file`. */
  (
    | { readonly kind: 'token'; readonly token: SecretSource }
    /** SDK-HMAC-SHA256 request signing. */
    | {
        readonly kind: 'aksk';
        readonly accessKey: string;
        readonly secretKey: SecretSource;
        /** For temporary credentials; sent and signed as X-Security-Token. */
        readonly securityToken?: Secret;
      }
    /** IAM password token, obtained and renewed by the exporter. */
    | {
        readonly kind: 'password';
        readonly userName: string;
        readonly password: SecretSource;
        readonly domainName: string;
        /** IAM base URL ending in /v3, without trailing slash. */
        readonly authUrl: string;
        /** Scope by project name instead of the account's project id when set. */
        readonly projectName?: string;
        /** Renew when less than this much of the token's life remains. */
        readonly refreshBeforeMs: number;
      }
    /** OIDC federation: an identity provider's id token exchanged at IAM for temporary AK/SK + security token. */
    | {
        readonly kind: 'oidc';
        readonly idpId: string;
        /** Always a file: projected service-account tokens rotate, so it is re-read at every exchange. */
        readonly idToken: SecretSource;
        readonly domainId?: string;
        /** IAM base URL without a path, e.g. https://iam.cn-east-3.myhuaweicloud.com. */
        readonly iamEndpoint: string;
        /** Lifetime asked for the temporary keys. */
        readonly durationSeconds: number;
      }
    /** CCE pod identity: temporary AK/SK + security token from the node's credential endpoint. */
    | {
        readonly kind: 'pod_identity';
        readonly endpoint: string;
        /** The projected token sent as Authorization, re-read at every call. */
        readonly token: SecretSource;
      }
    /** ECS/BMS instance metadata: temporary AK/SK + security token of the agency bound to the instance. */
    | { readonly kind: 'metadata'; readonly endpoint: string }
  );

export interface AccountSettings {
  readonly name: string;
  readonly region: string;
  /** Base URL without trailing slash, e.g. https://clouddc.cn-east-3.myhuaweicloud.com */
  readonly endpoint: string;
  readonly projectId: string;
  readonly auth: AuthSettings;
  readonly rateLimit: RateLimitSettings;
  /** `servers:`: discover the account's physical servers; off when absent. */
  readonly servers?: ServerDiscoverySettings;
}

export interface ExporterConfig {
  readonly poll: PollSettings;
  readonly retention: RetentionSettings;
  /** Keyed by account name, in file order. */
  readonly accounts: ReadonlyMap<string, AccountSettings>;
  readonly exports: readonly ExportTarget[];
  /** `export_files`: absolute paths or last-component glob patterns of extra export lists (config/export-files.ts). */
  readonly exportFiles?: readonly string[];
  /** `auto_collect`: start (and fetch) an export for a server that turns unhealthy; off when absent. */
  readonly autoCollect?: AutoCollectSettings;
}
