import { describe, expect, it } from 'vitest';
import { familyFilter } from '../../src/domain/family-filter.js';

describe('familyFilter', () => {
  it('is absent without either list', () => {
    expect(familyFilter(undefined, undefined)).toEqual({ ok: true, value: undefined });
  });

  it('keeps only what an allowlist matches, each pattern anchored at both ends', () => {
    const r = familyFilter('clouddc_server_.*, clouddc_log_export_status', undefined);
    if (!r.ok || r.value === undefined) throw new Error('expected a filter');
    expect(r.value.kind).toBe('allow');
    expect(r.value.patterns).toEqual(['clouddc_server_.*', 'clouddc_log_export_status']);
    expect(r.value.includes('clouddc_server_info')).toBe(true);
    expect(r.value.includes('clouddc_log_export_status')).toBe(true);
    expect(r.value.includes('clouddc_log_export_status_x')).toBe(false);
    expect(r.value.includes('x_clouddc_server_info')).toBe(false);
  });

  it('leaves out what a denylist matches; an alternation stays inside the anchors', () => {
    const r = familyFilter(undefined, 'clouddc_server_power_state|clouddc_server_active_alarms');
    if (!r.ok || r.value === undefined) throw new Error('expected a filter');
    expect(r.value.includes('clouddc_server_power_state')).toBe(false);
    expect(r.value.includes('clouddc_server_active_alarms')).toBe(false);
    expect(r.value.includes('clouddc_server_power_state_x')).toBe(true);
    expect(r.value.includes('clouddc_server_info')).toBe(true);
  });

  it.each([
    [['a', 'b'], '--metric-allowlist and --metric-denylist are mutually exclusive: give one of them'],
    [['clouddc_(', undefined], /^--metric-allowlist: "clouddc_\(" is not a valid regular expression \(/],
    [[undefined, '*x'], /^--metric-denylist: "\*x" is not a valid regular expression/],
    [[' , ', undefined], '--metric-allowlist: expected comma-separated regular expressions, got an empty list'],
  ] as const)('refuses %j', ([allow, deny], error) => {
    const r = familyFilter(allow, deny);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(error);
  });
});
