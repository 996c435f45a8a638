import { describe, expect, it } from 'vitest';
import { alarmsPath, markerOf, parseAlarmsPage, parseServersPage, serversPath } from '../../src/clouddc/fleet-api.js';

describe('fleet API: paths', () => {
  it('builds ListServers and ListAlarms queries as the SDK names them', () => {
    expect(serversPath('p 1', 1000, 'a/b', 'in-use')).toBe('/v1/p%201/physicalservers?limit=1000&marker=a%2Fb&manage_state=in-use');
    expect(serversPath('p', 1000, undefined, undefined)).toBe('/v1/p/physicalservers?limit=1000');
    expect(alarmsPath('p', 200, 100)).toBe('/v1/p/physicalservers/alarms?alarm_status=alarm&offset=200&limit=100');
  });

  it('reads next_marker as an id, a query string or a URL, and an empty one as the end', () => {
    expect(markerOf('abc')).toBe('abc');
    expect(markerOf('https://h/v1/p/physicalservers?limit=10&marker=xyz')).toBe('xyz');
    expect(markerOf('marker=m1&limit=5')).toBe('m1');
    expect(markerOf('')).toBeUndefined();
    expect(markerOf(null)).toBeUndefined();
    expect(markerOf('/v1/p/physicalservers?limit=10')).toBeUndefined();
  });
});

describe('fleet API: ListServers answers', () => {
  it('maps states to closed label values and keeps strings as sent', () => {
    const body = JSON.stringify({
      servers: [
        { id: 'a', name: 'n', health_state: 'CRITICAL', power_state: 'power on', manage_state: 'in-use', location: { dc: 'd', rack: 'r', unit: 3 } },
        { id: 'b', health_state: 'Degraded', power_state: 'hibernating', hardware_attributes: { sn: 'S', model: 'M', manufacturer: 'H' } },
        { id: 'c' },
        { name: 'no id' },
        'junk',
      ],
      page_info: { next_marker: 'c' },
      count: 9,
    });
    const page = parseServersPage(body, 'proj');
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.value.skipped).toBe(2);
    expect(page.value.nextMarker).toBe('c');
    const [a, b, c] = page.value.servers;
    expect(a).toMatchObject({ health: 'Critical', power: 'on', unit: '3', projectId: 'proj', dc: 'd' });
    expect(b).toMatchObject({ health: 'other', rawHealth: 'Degraded', power: 'other', sn: 'S', model: 'M', name: '' });
    expect(c).toMatchObject({ health: 'Unknown', power: 'other', manageState: '' });
  });

  it('refuses what is not the documented shape', () => {
    expect(parseServersPage('<html>', 'p')).toEqual({ ok: false, message: 'not JSON' });
    expect(parseServersPage('[1]', 'p')).toEqual({ ok: false, message: 'not a JSON object' });
    expect(parseServersPage('{"servers":{}}', 'p')).toEqual({ ok: false, message: '"servers" is not an array' });
    // An empty answer is an empty fleet, not an error.
    expect(parseServersPage('{}', 'p')).toMatchObject({ ok: true, value: { servers: [], nextMarker: undefined } });
  });

  it('cuts a runaway label value', () => {
    const page = parseServersPage(JSON.stringify({ servers: [{ id: 'a', name: 'x'.repeat(5000) }] }), 'p');
    expect(page.ok && page.value.servers[0]!.name.length).toBe(256);
  });
});

describe('fleet API: ListAlarms answers', () => {
  it('finds the server in the dimensions and reads level and status', () => {
    const body = JSON.stringify({
      alarms: [
        { alarm_level: 1, alarm_status: 'alarm', metric: { dimensions: [{ name: 'instance_id', value: 's1' }] } },
        { alarm_level: '2', alarm_status: 'alram', metric: { dimensions: [{ name: 'x', value: 's2' }] } },
        { alarm_level: 4, alarm_status: 'ok', metric: { dimensions: [{ value: 's3' }] } },
        { alarm_level: 9, metric: { dimensions: [{ value: 's4' }] } },
        { alarm_level: 1 },
      ],
      count: 5,
    });
    const page = parseAlarmsPage(body);
    expect(page.ok).toBe(true);
    if (!page.ok) return;
    expect(page.value.count).toBe(5);
    expect(page.value.skipped).toBe(1);
    expect(page.value.alarms).toEqual([
      { resourceIds: ['s1'], level: 'urgent', active: true },
      { resourceIds: ['s2'], level: 'important', active: true },
      { resourceIds: ['s3'], level: 'info', active: false },
      { resourceIds: ['s4'], level: undefined, active: true },
    ]);
  });
});
