import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapStatusBody, normaliseStatus, parseErrorBody, parseIsoTimestamp, parsePercentage, parseStatusText } from '../../src/clouddc/wire.js';

const T = Date.parse('2025-03-20T02:48:06Z') / 1000;
const valid = { export_id: '1', status: 'processing', percentage: 30, created_at: '2025-03-20T02:48:06Z' };

describe('mapStatusBody: accepted shapes', () => {
  const cases: Array<[string, Record<string, unknown>, { status: string; percentage: number; createdAt: number }]> = [
    ['CN doc shape', { ...valid, percentage: '30' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['EN doc integer', valid, { status: 'processing', percentage: 30, createdAt: T }],
    ['doc example "30%"', { ...valid, percentage: '30%' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['float string', { ...valid, percentage: '30.5' }, { status: 'processing', percentage: 30.5, createdAt: T }],
    ['padded percent', { ...valid, percentage: ' 30 % ' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['float number', { ...valid, percentage: 99.9 }, { status: 'processing', percentage: 99.9, createdAt: T }],
    ['over 100 clamps', { ...valid, percentage: '130%' }, { status: 'processing', percentage: 100, createdAt: T }],
    ['negative clamps', { ...valid, percentage: -5 }, { status: 'processing', percentage: 0, createdAt: T }],
    ['"Running"', { ...valid, status: 'Running' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['IN_PROGRESS', { ...valid, status: ' IN_PROGRESS ' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['Completed', { ...valid, status: 'Completed', percentage: '100%' }, { status: 'completed', percentage: 100, createdAt: T }],
    ['SUCCESS', { ...valid, status: 'SUCCESS' }, { status: 'completed', percentage: 30, createdAt: T }],
    ['failure', { ...valid, status: 'failure' }, { status: 'failed', percentage: 30, createdAt: T }],
    ['unlisted status', { ...valid, status: 'Queued' }, { status: 'unknown', percentage: 30, createdAt: T }],
    ['+00:00 offset', { ...valid, created_at: '2025-03-20T02:48:06+00:00' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['+0800 offset', { ...valid, created_at: '2025-03-20T10:48:06+0800' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['-05:30 offset', { ...valid, created_at: '2025-03-19T21:18:06-05:30' }, { status: 'processing', percentage: 30, createdAt: T }],
    ['fractional seconds', { ...valid, created_at: '2025-03-20T02:48:06.250Z' }, { status: 'processing', percentage: 30, createdAt: T + 0.25 }],
    ['numeric export_id', { ...valid, export_id: 1 }, { status: 'processing', percentage: 30, createdAt: T }],
    ['no export_id', { status: 'processing', percentage: 30, created_at: valid.created_at }, { status: 'processing', percentage: 30, createdAt: T }],
    ['null export_id', { ...valid, export_id: null }, { status: 'processing', percentage: 30, createdAt: T }],
    ['extra fields', { ...valid, extra: { a: 1 } }, { status: 'processing', percentage: 30, createdAt: T }],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    const r = mapStatusBody(body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.status).toBe(expected.status);
    expect(r.value.percentage).toBeCloseTo(expected.percentage, 9);
    expect(r.value.createdAt).toBeCloseTo(expected.createdAt, 6);
    expect(r.value.rawStatus).toBe(body['status']);
  });
});

describe('mapStatusBody: rejected shapes name the field', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['null body', null, /not a JSON object/],
    ['array body', [valid], /not a JSON object: an array/],
    ['string body', 'completed', /not a JSON object/],
    ['missing status', { ...valid, status: undefined }, /^status: .*nothing/],
    ['numeric status', { ...valid, status: 1 }, /^status: .*got 1/],
    ['blank status', { ...valid, status: '  ' }, /^status:/],
    ['missing percentage', { ...valid, percentage: undefined }, /^percentage:/],
    ['NaN percentage', { ...valid, percentage: 'NaN' }, /^percentage: .*"NaN"/],
    ['empty percentage', { ...valid, percentage: '' }, /^percentage: .*empty string/],
    ['word percentage', { ...valid, percentage: 'thirty' }, /^percentage:/],
    ['percent twice', { ...valid, percentage: '30%%' }, /^percentage:/],
    ['boolean percentage', { ...valid, percentage: true }, /^percentage: .*true/],
    ['object percentage', { ...valid, percentage: { v: 30 } }, /^percentage: .*an object/],
    ['null percentage', { ...valid, percentage: null }, /^percentage: .*null/],
    ['missing created_at', { ...valid, created_at: undefined }, /^created_at:/],
    ['date-only created_at', { ...valid, created_at: '2025-03-20' }, /^created_at: .*"2025-03-20"/],
    ['zone-less created_at', { ...valid, created_at: '2025-03-20T02:48:06' }, /^created_at:/],
    ['garbage created_at', { ...valid, created_at: 'yesterday' }, /^created_at:/],
    ['epoch number created_at', { ...valid, created_at: 1742438886 }, /^created_at:/],
    ['impossible date', { ...valid, created_at: '2025-02-30T00:00:00Z' }, /^created_at:/],
    ['hour 24', { ...valid, created_at: '2025-03-20T24:00:00Z' }, /^created_at:/],
    ['boolean export_id', { ...valid, export_id: false }, /^export_id:/],
    ['object export_id', { ...valid, export_id: {} }, /^export_id:/],
  ];
  it.each(cases)('%s', (_name, body, message) => {
    const r = mapStatusBody(body);
    expect(r).toEqual({ ok: false, problems: [expect.stringMatching(message)] });
  });

  it('truncates quoted values to about 64 characters', () => {
    const r = mapStatusBody({ ...valid, percentage: 'x'.repeat(5000) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n').length).toBeLessThan(130);
  });
});

describe('parseStatusText', () => {
  it('maps JSON text and rejects non-JSON', () => {
    expect(parseStatusText(JSON.stringify(valid)).ok).toBe(true);
    const r = parseStatusText('<html>oops</html>');
    expect(r).toEqual({ ok: false, problems: [expect.stringMatching(/^body is not JSON: "<html>oops<\/html>"$/)] });
    expect(parseStatusText('').ok).toBe(false);
  });
});

describe('field parsers', () => {
  it('percentage is always within 0..100 or undefined', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double(),
          fc.string(),
          fc.integer().map((n) => `${n}%`),
        ),
        (v) => {
          const p = parsePercentage(v);
          return p === undefined || (p >= 0 && p <= 100);
        },
      ),
    );
  });

  it('timestamps agree with Date.parse on every valid Z instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), (d) => {
        expect(parseIsoTimestamp(d.toISOString())).toBeCloseTo(d.getTime() / 1000, 6);
      }),
    );
  });

  it('timestamps match the Date-object reading for any digits, offsets and fractions', () => {
    /** The earlier implementation, on Date's own calendar. */
    const reference = (text: string): number | undefined => {
      const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/.exec(text.trim());
      if (!m) return undefined;
      const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
      if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
      const date = new Date(0);
      date.setUTCFullYear(year, month - 1, day);
      date.setUTCHours(hour, minute, second, 0);
      if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;
      let offsetSeconds = 0;
      if (m[8] === undefined) {
        const offH = Number(m[10]);
        const offM = Number(m[11]);
        if (offH > 23 || offM > 59) return undefined;
        offsetSeconds = (m[9] === '-' ? -1 : 1) * (offH * 3600 + offM * 60);
      }
      const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
      return date.getTime() / 1000 + fraction - offsetSeconds;
    };
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const stamp = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.option(fc.stringMatching(/^\d{1,9}$/)),
        fc.constantFrom('Z', 'z', '+08:00', '-0530', '+23:59', '+24:00', '-00:60'),
      )
      .map(([y, mo, d, h, mi, s, f, z]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${f === null ? '' : `.${f}`}${z}`);
    fc.assert(
      fc.property(fc.oneof(stamp, fc.string()), (text) => Object.is(parseIsoTimestamp(text), reference(text))),
      { numRuns: 5000 },
    );
    for (const t of [
      '0000-02-29T00:00:00Z',
      '0100-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2024-02-30T00:00:00Z',
      '0099-12-31T23:59:59+01:00',
    ]) {
      expect(parseIsoTimestamp(t)).toBe(reference(t));
    }
  });

  it('keeps the status spelling out of the label set', () => {
    expect(normaliseStatus('in-progress')).toBe('processing');
    expect(normaliseStatus('Finished')).toBe('completed');
    expect(normaliseStatus('ERROR')).toBe('failed');
    expect(normaliseStatus('cancelled')).toBe('unknown');
  });
});

describe('parseErrorBody', () => {
  it.each([
    [
      'CloudDC JSON',
      '{"error_code":"iMetal.0099","error_msg":"Internal server error"}',
      'application/json',
      { errorCode: 'iMetal.0099', message: 'Internal server error' },
    ],
    [
      'gateway JSON',
      '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: decrypt token fail","request_id":"r1"}',
      'application/json;charset=UTF-8',
      { errorCode: 'APIGW.0301', message: 'Incorrect IAM authentication information: decrypt token fail' },
    ],
    [
      'SDK-style keys',
      '{"code":"APIGW.0308","error_message":"The throttling threshold has been reached"}',
      'application/json',
      { errorCode: 'APIGW.0308', message: 'The throttling threshold has been reached' },
    ],
    [
      'camelCase keys, as the Python SDK reads them',
      '{"errorCode":"iMetal.0100","errorMsg":"Physical servers ID not found: [s1]"}',
      'application/json;charset=UTF-8',
      { errorCode: 'iMetal.0100', message: 'Physical servers ID not found: [s1]' },
    ],
    [
      'snake_case wins over camelCase',
      '{"errorCode":"B","error_code":"A","errorMsg":"b","error_msg":"a"}',
      'application/json',
      { errorCode: 'A', message: 'a' },
    ],
    ['message key', '{"code":429,"message":"slow down"}', undefined, { errorCode: '429', message: 'slow down' }],
    ['bare 429 string', 'Too Many Requests', 'text/plain', { message: 'Too Many Requests' }],
    ['JSON string', '"Too Many Requests"', 'application/json', { message: 'Too Many Requests' }],
    ['HTML with title', '<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>', 'text/html', { message: '502 Bad Gateway' }],
    [
      'HTML without title',
      '<html><body><h1>Service &amp; more</h1><script>x()</script><p>down</p></body></html>',
      undefined,
      { message: 'Service & more down' },
    ],
    ['empty', '', 'application/json', {}],
    ['JSON without known keys', '{"foo":"bar"}', 'application/json', {}],
    ['broken JSON claimed as JSON', '{"error_code":', 'application/json', { message: '{"error_code":' }],
  ])('%s', (_name, text, type, expected) => {
    expect(parseErrorBody(text, type)).toEqual(expected);
  });

  it('strips control characters and truncates to 256 characters', () => {
    const r = parseErrorBody(`{"error_msg":"line1\\nline2\\u0007\\u001b[31m${'y'.repeat(1000)}"}`, 'application/json');
    expect(r.message).toMatch(/^line1 line2 \[31my+…$/);
    expect(r.message?.length).toBe(256);
    expect(r.message).not.toMatch(/[\u0000-\u001f]/);
  });
});
