import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';

const SECRETS = { token: 'tok-SECRET-1', password: 'pw-SECRET-2', bearer: 'Bearer SECRET-3', xAuth: 'SECRET-4', sk: 'sk-SECRET-5' };

function capture(format: 'logfmt' | 'json', level = 'info') {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (l: string) => void lines.push(l) }, format);
  return { logger, lines };
}

describe('createLogger', () => {
  it.each(['logfmt', 'json'] as const)('%s: redacts raw secrets passed by mistake, at every listed path', (format) => {
    const { logger, lines } = capture(format);
    logger.warn(
      {
        token: SECRETS.token,
        auth: { password: SECRETS.password, secretKey: SECRETS.sk },
        headers: { authorization: SECRETS.bearer, 'x-auth-token': SECRETS.xAuth },
      },
      'request failed',
    );
    const out = lines.join('');
    for (const s of Object.values(SECRETS)) expect(out).not.toContain(s.replace('Bearer ', ''));
    expect(out.split('<secret>').length - 1).toBe(5);
  });

  it.each(['logfmt', 'json'] as const)('%s: redacts temporary credentials too: secret key, security token, id token, session and pod tokens', (format) => {
    const { logger, lines } = capture(format);
    const temporary = ['tsk-1', 'tst-2', 'idt-3', 'mst-4', 'pit-5', 'cred-sk-6', 'cred-st-7', 'hdr-st-8', 'hdr-mt-9'];
    logger.warn(
      {
        renewal: { secretKey: temporary[0], securityToken: temporary[1], idToken: temporary[2], sessionToken: temporary[3], podIdentityToken: temporary[4] },
        credential: { access: 'AK-visible', secret: temporary[5], securitytoken: temporary[6] },
        headers: { 'x-security-token': temporary[7], 'x-metadata-token': temporary[8] },
      },
      'renewal',
    );
    const out = lines.join('');
    for (const s of temporary) expect(out).not.toContain(s);
    expect(out).toContain('AK-visible');
    expect(out.split('<secret>').length - 1).toBe(temporary.length);
  });

  it('logfmt: one line per entry, as Prometheus logs (time, level, msg, fields)', () => {
    const { logger, lines } = capture('logfmt');
    logger.child({ account: 'main' }).info({ exports: 3 }, 'clouddc-exporter started');
    logger.debug('not at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info msg="clouddc-exporter started" account=main exports=3\n$/);
  });

  it('json: the JSON line pino writes', () => {
    const { logger, lines } = capture('json');
    logger.error({ err: 'x' }, 'boom');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', err: 'x', msg: 'boom' });
  });

  it('logfmt flushes through to its destination, once', async () => {
    let flushed = 0;
    let called = 0;
    const logger = createLogger('info', { write: () => undefined, flush: (cb?: () => void) => (flushed++, cb?.()) } as never, 'logfmt');
    await new Promise<void>((resolve) => logger.flush(() => (called++, resolve())));
    expect([flushed, called]).toEqual([1, 1]);
  });
});
