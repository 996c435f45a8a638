import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

function parse(servers: string) {
  const text = `
accounts:
  main:
    region: cn-east-3
    project_id: p1
    auth:
      token: t0k3n-value
${servers}
exports: []
`;
  return parseConfig(text, { env: {}, baseDir: '/tmp', source: 'c.yaml' });
}

describe('accounts.<name>.servers', () => {
  test('absent: no discovery', () => {
    const r = parse('');
    expect(r.ok && r.value.accounts.get('main')!.servers).toBeUndefined();
  });

  test('`servers: {}` turns it on with the defaults (a bare `servers:` means absent, as every empty key does)', () => {
    const bare = parse('    servers:');
    expect(bare.ok && bare.value.accounts.get('main')!.servers).toBeUndefined();
    const r = parse('    servers: {}');
    expect(r.ok && r.value.accounts.get('main')!.servers).toEqual({ intervalMs: 60_000, alarms: true });
  });

  test('every key', () => {
    const r = parse('    servers:\n      interval: 5m\n      manage_state: in-use\n      alarms: false');
    expect(r.ok && r.value.accounts.get('main')!.servers).toEqual({ intervalMs: 300_000, manageState: 'in-use', alarms: false });
  });

  test.each([
    ['      interval: 1s', 'accounts.main.servers.interval: must be at least 10s'],
    ['      interval: soon', 'accounts.main.servers.interval: invalid duration (use e.g. 500ms, 10s, 5m, 1h30m)'],
    [
      '      manage_state: maintain',
      'accounts.main.servers.manage_state: expected one of onboard, ready, in-use, frozen, offboarding (the values ListServers accepts)',
    ],
    ['      alarms: "yes"', 'accounts.main.servers.alarms: expected a boolean, got a string'],
  ])('%s is refused', (line, message) => {
    const r = parse(`    servers:\n${line}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toContain(message);
  });

  test('an unknown key gets a suggestion', () => {
    const r = parse('    servers:\n      intervall: 5m');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(/accounts\.main\.servers.*intervall.*interval/);
  });
});
