import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../../src/clouddc/authenticator.js';
import { staticTokenAuthenticator } from '../../../src/clouddc/auth/token.js';
import { Secret } from '../../../src/domain/secret.js';
import { createSelfMetrics } from '../../../src/metrics/self-metrics.js';
import { captureLogger } from '../harness.js';

const req = { method: 'GET', url: new URL('https://clouddc.example/v1/p'), headers: {} };

describe('staticTokenAuthenticator, inline', () => {
  it('sends the secret as X-Auth-Token and has nothing to renew', async () => {
    const auth = staticTokenAuthenticator({ kind: 'inline', value: new Secret('tok-123\n') });
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'tok-123' });
    expect(auth.onUnauthorized).toBeUndefined();
  });

  it('resolves to one frozen header object every time', async () => {
    const auth = staticTokenAuthenticator({ kind: 'inline', value: new Secret('tok-123') });
    const first = await auth.authorize(req);
    expect(first).toEqual({ 'X-Auth-Token': 'tok-123' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(await auth.authorize(req)).toBe(first);
  });

  it('an unusable inline token fails every authorize()', async () => {
    const auth = staticTokenAuthenticator({ kind: 'inline', value: new Secret(' ') });
    await expect(auth.authorize(req)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(auth.authorize(req)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('rejects an empty or header-breaking token without echoing it', async () => {
    const empty = staticTokenAuthenticator({ kind: 'inline', value: new Secret('  ') });
    await expect(empty.authorize(req)).rejects.toBeInstanceOf(AuthenticationError);
    const split = staticTokenAuthenticator({ kind: 'inline', value: new Secret('abc\r\nX-Evil: 1') });
    const err = (await split.authorize(req).catch((e: unknown) => e)) as AuthenticationError;
    expect(err.reason).toBe('401');
    expect(err.message).not.toContain('abc');
  });
});

describe('staticTokenAuthenticator, file behind a Kubernetes-style symlink', () => {
  let dir: string;
  let generation = 0;

  /** What the kubelet's atomic writer does: new directory, then an atomic rename of the ..data symlink. */
  async function publish(token: string): Promise<void> {
    const gen = `..gen_${generation++}`;
    await fs.mkdir(join(dir, gen));
    await fs.writeFile(join(dir, gen, 'token'), token);
    await fs.symlink(gen, join(dir, '..data_tmp'));
    await fs.rename(join(dir, '..data_tmp'), join(dir, '..data'));
  }

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'clouddc-token-'));
    await publish('first-token\n');
    await fs.symlink(join('..data', 'token'), join(dir, 'token'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  function counted(): { reads: () => number; readFile: (p: string) => Promise<string> } {
    let n = 0;
    return {
      reads: () => n,
      readFile: (p) => {
        n++;
        return fs.readFile(p, 'utf8');
      },
    };
  }

  it('reads once, trims the newline and re-reads only after rotation', async () => {
    const c = counted();
    const auth = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') }, { readFile: c.readFile });
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'first-token' });
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'first-token' });
    expect(c.reads()).toBe(1);

    // Same length on purpose: only the inode tells the files apart.
    await publish('secnd-token\n');
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'secnd-token' });
    expect(c.reads()).toBe(2);
  });

  it('resolves to one frozen object per token read, so the client can reuse its headers', async () => {
    const auth = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') });
    const first = await auth.authorize(req);
    expect(Object.isFrozen(first)).toBe(true);
    expect(await auth.authorize(req)).toBe(first);
    await publish('rotated');
    const after = await auth.authorize(req);
    expect(after).not.toBe(first);
    expect(after).toEqual({ 'X-Auth-Token': 'rotated' });
    expect(Object.isFrozen(after)).toBe(true);
  });

  it('onUnauthorized reports whether a newer token is waiting', async () => {
    const auth = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') });
    await auth.authorize(req);
    expect(await auth.onUnauthorized?.()).toBe(false);
    await publish('rotated');
    expect(await auth.onUnauthorized?.()).toBe(true);
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'rotated' });
    expect(await auth.onUnauthorized?.()).toBe(false);
  });

  it('concurrent callers share one read', async () => {
    const c = counted();
    const auth = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') }, { readFile: c.readFile });
    const all = await Promise.all(Array.from({ length: 20 }, () => auth.authorize(req)));
    expect(new Set(all.map((h) => h['X-Auth-Token']))).toEqual(new Set(['first-token']));
    expect(c.reads()).toBe(1);
  });

  it('a missing or empty file is an AuthenticationError naming the path, not the token', async () => {
    const missing = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'nope') });
    await expect(missing.authorize(req)).rejects.toThrow(/cannot read token file .*nope: ENOENT/);
    expect(await missing.onUnauthorized?.()).toBe(false);

    await publish('\n');
    const empty = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') });
    await expect(empty.authorize(req)).rejects.toThrow(/token file .* is empty/);
  });

  it('recovers once the file becomes readable again', async () => {
    const auth = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') });
    await fs.rm(join(dir, '..data'));
    await expect(auth.authorize(req)).rejects.toBeInstanceOf(AuthenticationError);
    await publish('back');
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'back' });
  });

  it('keeps the last token when a new version is oversize or invalid, and counts each refused version once', async () => {
    const metrics = createSelfMetrics({ version: 'test', defaultMetrics: false });
    const log = captureLogger();
    const failures = async () => /^clouddc_exporter_file_reload_failures_total\{file="token_file"\} (\d+)$/m.exec(await metrics.registry.metrics())?.[1];
    const auth = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') }, { logger: log.logger, observer: metrics.auth });
    expect(await failures()).toBe('0');
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'first-token' });

    // One byte past the bounded read's 64 KiB for secrets.
    await publish('x'.repeat(64 * 1024 + 1));
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'first-token' });
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'first-token' });
    expect(await failures()).toBe('1');

    await publish('not\ta header value\n');
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'first-token' });
    expect(await failures()).toBe('2');

    await publish('second-token\n');
    expect(await auth.authorize(req)).toEqual({ 'X-Auth-Token': 'second-token' });
    expect(await failures()).toBe('2');

    const warnings = log.lines().map((l) => String(l.msg));
    expect(warnings).toEqual([
      expect.stringMatching(/^cannot read token file .*token: .*larger than .*; keeping the last value read$/),
      expect.stringMatching(/^token file .*token contains characters not allowed in an HTTP header; keeping the last value read$/),
    ]);
    expect(warnings.join('\n')).not.toMatch(/first-token|second-token|header value/);
  });

  it('counts a file that is unusable from the first read once, however often it is tried', async () => {
    const metrics = createSelfMetrics({ version: 'test', defaultMetrics: false });
    await publish('\n');
    const auth = staticTokenAuthenticator({ kind: 'file', path: join(dir, 'token') }, { observer: metrics.auth });
    await expect(auth.authorize(req)).rejects.toThrow(/token file .* is empty/);
    await expect(auth.authorize(req)).rejects.toThrow(/token file .* is empty/);
    expect(await metrics.registry.metrics()).toMatch(/^clouddc_exporter_file_reload_failures_total\{file="token_file"\} 1$/m);
  });
});
