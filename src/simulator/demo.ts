import { createGatewayAuth, type GatewayAuth, type GatewayAuthOptions } from './gateway-auth.js';
import type { Behaviour, ProgressBehaviour, ScriptedExport } from './types.js';

/** The X-Auth-Token the demo simulator requires; IAM tokens start with "MII", so this looks like one in logs. */
export const DEMO_TOKEN = 'MIIdemo-clouddc-exporter-token';
export const DEMO_PROJECT_ID = '0123456789abcdef0123456789abcdef';
/** The AK/SK pair the demo simulator accepts (SDK-HMAC-SHA256 signatures), documented for trying AK/SK locally. */
export const DEMO_ACCESS_KEY = 'DEMOAKCLOUDDCEXPORTER0';
export const DEMO_SECRET_KEY = 'demo-secret-key-for-the-clouddc-simulator';
/** A second access key the simulator knows, whose secret was "rotated": the demo configures the old one. */
export const DEMO_ROTATED_ACCESS_KEY = 'DEMOAKROTATEDSECRET000';
export const DEMO_ROTATED_SECRET_KEY = 'the-new-secret-key-the-demo-does-not-have';
export const DEMO_STALE_SECRET_KEY = 'the-old-secret-key-rotated-away';

/**
 * How long the stalled case goes without progress before the demo's alert rules (and its status page) call it
 * stuck: a minute, where a real deployment waits 30.
 */
export const DEMO_STUCK_SECONDS = 60;

/** The demo's accounts: a token, a working AK/SK pair, and an AK/SK pair with a secret key rotated away. */
export type DemoAccount = 'demo' | 'demo-aksk' | 'rotated-key';

export interface DemoExport extends ScriptedExport {
  /** A human alias for the exporter's config. */
  readonly name: string;
  /** What the export shows: the `scenario` label of its series, and the case's name in the README. */
  readonly scenario: string;
  readonly account: DemoAccount;
  /** The alerts of monitoring/ (at the demo's thresholds) this case fires; none for a healthy one. */
  readonly alerts: readonly string[];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * Eleven exports that, polled every 5 s, show every case within about a minute, each named for what it shows.
 * The failing ones fail on every request (not now and then), so the client's retries cannot hide them. The
 * healthy ones use the wire variants the docs disagree on (see docs/clouddc-api.md). Everything repeats or
 * settles, so a demo left running keeps showing the same picture.
 */
export function demoExports(projectId: string, now: number): DemoExport[] {
  const progress = (durationMs: number, extra: Omit<ProgressBehaviour, 'kind' | 'durationMs'> = {}): ProgressBehaviour => ({
    kind: 'progress',
    startedAt: now,
    durationMs,
    ...extra,
  });
  const row = (
    scenario: string,
    name: string,
    serverId: string,
    exportId: string,
    behaviour: Behaviour,
    alerts: readonly string[] = [],
    account: DemoAccount = 'demo',
  ): DemoExport => ({ scenario, name, projectId, serverId, exportId, behaviour, alerts, account });
  const pollFailing = 'CloudDCLogExportPollFailing';

  return [
    // The shape of the doc's own example: "Running", "30%", a Z timestamp.
    row(
      'completed',
      'web-01-bmc',
      '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8',
      '1024',
      progress(40 * SECOND, { spelling: { processing: 'Running', completed: 'COMPLETED' }, percentShape: 'percent' }),
    ),
    // Created 10 minutes ago and still moving (a tenth of a percent every few seconds), but far from done.
    row(
      'slow',
      'db-01-bmc',
      '0b7e4c1d-92a6-4f3b-b8d1-5e2f9a7c3d10',
      '1025',
      progress(50 * MINUTE, { startedAt: now - 10 * MINUTE, percentShape: 'float-string' }),
      ['CloudDCLogExportTooSlow'],
    ),
    row('stalled', 'gpu-07-bmc', 'c3d9a8e2-17f4-4b6a-9e05-8d2c4f1b7a63', '1026', progress(20 * SECOND, { stallAtPercent: 45, percentShape: 'string' }), [
      'CloudDCLogExportStuck',
    ]),
    row('failed', 'storage-03-bmc', '5a2f7e90-3c1d-4e8b-a6f4-0d9b2c7e1f58', '1027', progress(20 * SECOND, { failAtPercent: 60 }), ['CloudDCLogExportFailed']),
    // A status no doc lists: the exporter must report it as unknown, not crash or drop the series.
    row(
      'unknown_status',
      'edge-12-bmc',
      '9e4b1c7a-6d2f-4a83-b5e9-2f7c0d8a4b16',
      '1028',
      { kind: 'fixed', body: { export_id: '1028', status: 'Queued', percentage: '0%', created_at: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') } },
      ['CloudDCLogExportStatusUnknown'],
    ),
    // The gateway's 429 for a whole poll (the request and its retry), then one answer, over and over: every other
    // poll fails despite the retry, and 429s are a visible share of the account's requests. Not every request:
    // the client halves the account's rate for each 429, and a rate at its floor would slow every poll cycle.
    row(
      'throttled',
      'web-02-bmc',
      'd1f8a3b6-0e5c-4b97-8a2d-6c4e9f1b3a75',
      '1029',
      {
        kind: 'sequence',
        steps: [
          { times: 2, behaviour: { kind: 'error', status: 429 } },
          { times: 1, behaviour: progress(30 * MINUTE, { percentShape: 'float-string' }) },
        ],
      },
      ['CloudDCApiThrottled'],
    ),
    row('server_error', 'batch-04-bmc', '27c5e9d4-8b1a-4f6e-9c30-a4d7b2e8f019', '1030', { kind: 'error', status: 500 }, [pollFailing]),
    // Truncated JSON with a matching Content-Length: only the response parser can notice.
    row(
      'malformed',
      'legacy-09-bmc',
      'e8a0b4f2-5d7c-4e19-b6a3-1f9c8d2e7b40',
      '1031',
      { kind: 'malformed', body: '{"export_id":"1031","status":"processing","percentage":' },
      [pollFailing],
    ),
    // An export_id CloudDC does not know (a typo, or an export from another project): 404 iMetal.0100.
    row('not_found', 'mail-05-bmc', '3b9d6f21-7a4e-4c85-9f10-b2e8c6d4a597', '9999', { kind: 'error', status: 404 }, [pollFailing]),
    // Signed with the demo's AK/SK pair; the EN doc's reading: integer percentage, lower-case statuses, +00:00.
    row(
      'aksk_signed',
      'dns-02-bmc',
      '7d1e5a93-c4b8-4f27-8e60-1a9f3d5c7b82',
      '1032',
      progress(60 * SECOND, { percentShape: 'number', createdAtStyle: 'offset' }),
      [],
      'demo-aksk',
    ),
    // An account whose secret key was rotated in the console but not in the config: refused, then paused.
    row(
      'paused_account',
      'vpn-03-bmc',
      'f2c8a4e6-9b1d-4a73-b5e2-6d0f8c3a1e49',
      '1033',
      progress(60 * SECOND),
      ['CloudDCAccountPaused', 'CloudDCAuthenticationFailing', pollFailing],
      'rotated-key',
    ),
  ];
}

/** The demo simulator's gateway: the demo token, and both AK/SK pairs above (the rotated one with its new secret). */
/** `extra` adds e.g. the temporary keys of the credential services (`temporaryKeys`). */
export function demoGatewayAuth(extra: Omit<GatewayAuthOptions, 'tokens' | 'credentials'> = {}): GatewayAuth {
  return createGatewayAuth({
    ...extra,
    tokens: [DEMO_TOKEN],
    credentials: [
      { accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY },
      { accessKey: DEMO_ROTATED_ACCESS_KEY, secretKey: DEMO_ROTATED_SECRET_KEY },
    ],
  });
}
