import { describe, expect, it } from 'vitest';
import type { AccountFleet, FleetServer, HealthState } from '../../src/domain/fleet.js';
import { fleetSection } from '../../src/http/fleet-section.js';
import type { ExportJson } from '../../src/view-model/export-json.js';
import { discoveredServer } from '../support/factories.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000;

function server(id: string, health: HealthState, projectId = 'p1'): FleetServer {
  const s = discoveredServer(id, { projectId, name: `bm-${id}`, health, dc: 'dc-east', rack: 'R001', unit: '3' });
  return { server: s, alarms: undefined, missed: 0 };
}

function fleet(servers: FleetServer[]): AccountFleet {
  return {
    account: 'main',
    projectId: 'p1',
    servers: new Map(servers.map((s) => [s.server.id, s])),
    lastSuccessAt: NOW - 30,
    lastDurationSeconds: 1,
    lastRoundOk: true,
    lastError: undefined,
    failuresInARow: 0,
  };
}

function exportOf(serverId: string, exportId: string, createdAt: string | null, projectId = 'p1'): ExportJson {
  return {
    project_id: projectId,
    server_id: serverId,
    export_id: exportId,
    account: 'main',
    name: `name-${exportId}`,
    labels: {},
    condition: 'processing',
    status: 'processing',
    raw_status: 'processing',
    percentage: 10,
    created_at: createdAt,
    age_seconds: null,
    completed_at: null,
    last_progress_at: null,
    last_poll_at: null,
    last_success_at: null,
    poll_success: true,
    retired: null,
    errors: {},
    last_error: null,
  };
}

function row(page: string, serverId: string): string {
  const at = page.indexOf(`data-server-id="${serverId}"`);
  expect(at, `no row for ${serverId}`).toBeGreaterThan(-1);
  return page.slice(at).split('</tr>')[0]!;
}

describe('fleetSection', () => {
  it("shows each server that is not OK with its latest export: the one created last, of the server's own project", () => {
    const page = String(
      fleetSection(
        [fleet([server('s1', 'Critical'), server('s2', 'Warning'), server('s3', 'OK'), server('s4', 'Critical')])],
        [
          exportOf('s1', 'newest', '2026-01-01T11:00:00.000Z'),
          exportOf('s1', 'older', '2026-01-01T10:00:00.000Z'),
          // Not polled yet (no created_at): not taken for newer than one that has a date.
          exportOf('s1', 'unpolled', null),
          // The same server id in another project is another server.
          exportOf('s1', 'elsewhere', '2026-01-01T11:30:00.000Z', 'p2'),
          exportOf('s2', 'only', '2026-01-01T09:00:00.000Z'),
          exportOf('s3', 'of-an-ok-server', '2026-01-01T09:00:00.000Z'),
        ],
        NOW,
      ),
    );
    expect(row(page, 's1')).toContain('<span class="id">newest</span> name-newest');
    expect(row(page, 's2')).toContain('<span class="id">only</span> name-only');
    expect(row(page, 's4')).toContain('no export tracked');
    // OK servers are summarised, not listed.
    expect(page).not.toContain('data-server-id="s3"');
    expect(page).not.toContain('of-an-ok-server');
    // Worst first.
    expect([...page.matchAll(/data-server-id="([^"]+)"/g)].map((m) => m[1])).toEqual(['s1', 's4', 's2']);
  });

  it('takes the export listed last when none has a created_at yet', () => {
    const page = String(fleetSection([fleet([server('s1', 'Warning')])], [exportOf('s1', 'first', null), exportOf('s1', 'second', null)], NOW));
    expect(row(page, 's1')).toContain('<span class="id">second</span>');
  });
});
