import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { autoCollectActions, describeWrites } from '../../src/domain/auto-collect.js';

function parse(autoCollect: string, servers = '    servers: {}') {
  const text = `
accounts:
  main:
    region: cn-east-3
    project_id: p1
    auth:
      token: t0k3n-value
${servers}
exports: []
${autoCollect}
`;
  return parseConfig(text, { env: {}, baseDir: '/etc/clouddc', source: 'c.yaml' });
}

describe('auto_collect', () => {
  test('absent: off', () => {
    const r = parse('');
    expect(r.ok && r.value.autoCollect).toBeUndefined();
  });

  test('`auto_collect: {}` turns it on with cautious defaults', () => {
    const r = parse('auto_collect: {}');
    expect(r.ok && r.value.autoCollect).toEqual({ healthStates: ['Critical'], cooldownMs: 86_400_000, maxPerHour: 20, dryRun: false });
  });

  test('every key; a relative dir is resolved against the config file', () => {
    const r = parse(`auto_collect:
  when:
    health_state: [Critical, Warning]
    alarm_level: important
  cooldown: 12h
  max_per_hour: 5
  dry_run: true
  download:
    dir: bundles
    max_bytes: 50GiB`);
    expect(r.ok && r.value.autoCollect).toEqual({
      healthStates: ['Critical', 'Warning'],
      alarmLevel: 'important',
      cooldownMs: 12 * 3_600_000,
      maxPerHour: 5,
      dryRun: true,
      download: { dir: '/etc/clouddc/bundles', maxBytes: 50 * 2 ** 30 },
    });
  });

  test.each([
    ['  when:\n    health_state: [Degraded]', 'auto_collect.when.health_state[0]: expected Critical or Warning'],
    ['  when:\n    health_state: Critical', 'auto_collect.when.health_state: expected a list such as [Critical], got a string'],
    ['  when:\n    alarm_level: 1', 'auto_collect.when.alarm_level: expected one of urgent, important, minor, info'],
    ['  when:\n    health_state: []', 'auto_collect.when: nothing would trigger a collection'],
    ['  cooldown: soon', 'auto_collect.cooldown: invalid duration'],
    ['  max_per_hour: 0', 'auto_collect.max_per_hour'],
    ['  dry_run: "no"', 'auto_collect.dry_run: expected a boolean, got a string'],
    ['  download:\n    dir: /b\n    max_bytes: lots', 'auto_collect.download.max_bytes: invalid size (use e.g. 500MiB, 50GiB, 2TB)'],
    ['  download:\n    dir: /b\n    max_bytes: 10KiB', 'auto_collect.download.max_bytes: must be at least 1MiB'],
    ['  download:\n    max_bytes: 1GiB', 'auto_collect.download.dir'],
    ['  dryrun: true', 'auto_collect'],
  ])('%s is refused', (lines, message) => {
    const r = parse(`auto_collect:\n${lines}`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toContain(message);
  });

  test('needs server discovery on some account, and alarms for an alarm trigger', () => {
    const none = parse('auto_collect: {}', '');
    expect(!none.ok && none.problems.join('\n')).toContain('auto_collect: acts on discovered servers: set accounts.<name>.servers on at least one account');
    const noAlarms = parse('auto_collect:\n  when:\n    alarm_level: urgent', '    servers:\n      alarms: false');
    expect(!noAlarms.ok && noAlarms.problems.join('\n')).toContain('auto_collect.when.alarm_level: needs alarms: account "main" has servers.alarms: false');
  });

  test('origin and trigger are labels the exporter sets itself', () => {
    const r = parseConfig(
      `accounts:\n  main:\n    region: cn-east-3\n    project_id: p1\n    auth:\n      token: t0k3n-value\nexports:\n  - server_id: s\n    export_id: "1"\n    labels:\n      origin: me`,
      { env: {}, baseDir: '/tmp', source: 'c.yaml' },
    );
    expect(!r.ok && r.problems.join('\n')).toContain('"origin" is a label the exporter sets itself');
  });

  test('--config.check says it writes and which IAM actions it needs', () => {
    const r = parse('auto_collect:\n  download:\n    dir: /b\n    max_bytes: 1GiB');
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(autoCollectActions(r.value.autoCollect!)).toEqual(['clouddc:imetal:createDumpLog', 'clouddc:imetal:createDownloadLog']);
    expect(describeWrites(r.value.autoCollect!)).toBe(
      'auto_collect: this configuration makes the exporter write to CloudDC: it starts BMC log exports and downloads their bundles into /b; besides read access it needs the IAM action(s) clouddc:imetal:createDumpLog, clouddc:imetal:createDownloadLog, and --storage.path',
    );
  });
});
