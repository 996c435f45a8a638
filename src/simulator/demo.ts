import type { Behaviour, ProgressBehaviour, ScriptedExport } from './types.js';

/** The X-Auth-Token the demo simulator requires; IAM tokens start with "MII", so this looks like one in logs. */
export const DEMO_TOKEN = 'MIIdemo-clouddc-exporter-token';
export const DEMO_PROJECT_ID = '0123456789abcdef0123456789abcdef';

export interface DemoExport extends ScriptedExport {
  /** A human alias for the exporter's config. */
  readonly name: string;
}

const SECOND = 1000;

/**
 * Eight exports that, polled every 5 s, show every state and fault within about a minute. Everything
 * repeats or settles, so a demo left running keeps showing the same picture.
 */
export function demoExports(projectId: string, now: number): DemoExport[] {
  const progress = (durationMs: number, extra: Omit<ProgressBehaviour, 'kind' | 'durationMs'> = {}): ProgressBehaviour => ({
    kind: 'progress',
    startedAt: now,
    durationMs,
    ...extra,
  });
  const every = (n: number, fault: Behaviour, otherwise: Behaviour): Behaviour => ({
    kind: 'sequence',
    steps: [
      { times: n - 1, behaviour: otherwise },
      { times: 1, behaviour: fault },
    ],
  });
  const row = (name: string, serverId: string, exportId: string, behaviour: Behaviour): DemoExport => ({
    name,
    projectId,
    serverId,
    exportId,
    behaviour,
  });

  return [
    // The shape of the doc's own example: "Running", "30%", a Z timestamp.
    row(
      'web-01-bmc',
      '6f1a2b3c-4d5e-4f70-8192-a3b4c5d6e7f8',
      '1024',
      progress(40 * SECOND, { spelling: { processing: 'Running', completed: 'COMPLETED' }, percentShape: 'percent' }),
    ),
    // The EN doc's reading: integer percentage, lower-case statuses, +00:00 timestamp.
    row('db-01-bmc', '0b7e4c1d-92a6-4f3b-b8d1-5e2f9a7c3d10', '1025', progress(90 * SECOND, { percentShape: 'number', createdAtStyle: 'offset' })),
    row('gpu-07-bmc', 'c3d9a8e2-17f4-4b6a-9e05-8d2c4f1b7a63', '1026', progress(60 * SECOND, { stallAtPercent: 45, percentShape: 'string' })),
    row('storage-03-bmc', '5a2f7e90-3c1d-4e8b-a6f4-0d9b2c7e1f58', '1027', progress(50 * SECOND, { failAtPercent: 60 })),
    // A status no doc lists: the exporter must report it as unknown, not crash or drop the series.
    row('edge-12-bmc', '9e4b1c7a-6d2f-4a83-b5e9-2f7c0d8a4b16', '1028', {
      kind: 'fixed',
      body: { export_id: '1028', status: 'Queued', percentage: '0%', created_at: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    }),
    row(
      'web-02-bmc',
      'd1f8a3b6-0e5c-4b97-8a2d-6c4e9f1b3a75',
      '1029',
      every(3, { kind: 'error', status: 429, retryAfter: '2' }, progress(60 * SECOND, { percentShape: 'float-string' })),
    ),
    row(
      'batch-04-bmc',
      '27c5e9d4-8b1a-4f6e-9c30-a4d7b2e8f019',
      '1030',
      every(4, { kind: 'error', status: 500 }, progress(75 * SECOND, { spelling: { processing: 'Running' }, percentShape: 'percent' })),
    ),
    // Truncated JSON with a matching Content-Length: only the response parser can notice.
    row('legacy-09-bmc', 'e8a0b4f2-5d7c-4e19-b6a3-1f9c8d2e7b40', '1031', {
      kind: 'malformed',
      body: '{"export_id":"1031","status":"processing","percentage":',
    }),
  ];
}
