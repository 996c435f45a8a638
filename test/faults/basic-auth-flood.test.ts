import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { parseWebConfig } from '../../src/web/config.js';
import { runCli } from '../support/cli.js';
import { yamlConfig } from '../support/yaml-config.js';
import { tempDir } from '../web/tls-fixtures.js';

/**
 * Basic auth with a real bcrypt hash of cost 10 (what the exporter-toolkit docs suggest) under 100 parallel
 * wrong passwords: a scraper whose login is cached is answered at once, and even an uncached right login from another
 * address waits for at most a few checks, not for the flood. Also the hashes and user lists a web config must refuse.
 */

const PASSWORD = 'scraper password';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Answers in the order they complete (`done`), with how long each took, for the figures printed. */
let completed = 0;
async function timed(p: Promise<number>): Promise<{ status: number; ms: number; done: number }> {
  const t = performance.now();
  const status = await p;
  return { status, ms: performance.now() - t, done: ++completed };
}

/** A GET on a new connection from loopback address `from`, resolving with the status once the body is read. */
function getFrom(url: string, from: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/exports`, { localAddress: from, agent: false, headers: { Authorization: auth } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('basic auth under 100 parallel wrong passwords', () => {
  it('answers a cached right login at once and an uncached one after a few checks, not after the flood', async () => {
    const dir = tempDir('cde-flood-');
    const file = join(dir, 'web.yml');
    writeFileSync(file, `basic_auth_users:\n  prometheus: "${bcrypt.hashSync(PASSWORD, 10)}"\n  grafana: "${bcrypt.hashSync(PASSWORD, 10)}"\n`);
    const cfg = join(dir, 'config.yaml');
    writeFileSync(cfg, yamlConfig('http://127.0.0.1:9', [{ server: 'a', id: '1' }]));
    // Its own process, as in production: the flood's client must not share the exporter's event loop.
    const cli = runCli([`--config.file=${cfg}`, `--web.config.file=${file}`, '--web.listen-address=127.0.0.1:0', '--log.format=json']);
    try {
      const [, url] = await cli.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
      // The flood and the scraper share an address; another user's first login comes from another one (the
      // queue is fair by address: a flood delays its own address's checks, not others').
      const get = (auth: string, from = '127.0.0.1') => getFrom(url!, from, auth);
      // Cache the scraper's login before the flood.
      expect((await timed(get(basic('prometheus', PASSWORD)))).status).toBe(200);

      const flood = Array.from({ length: 100 }, (_, i) => timed(get(basic('prometheus', `wrong-${i}`))));
      const [cached, uncached] = await Promise.all([timed(get(basic('prometheus', PASSWORD))), timed(get(basic('grafana', PASSWORD), '127.0.0.2'))]);
      const wrong = await Promise.all(flood);
      expect(wrong.every((w) => w.status === 401)).toBe(true);
      expect(cached.status).toBe(200);
      expect(uncached.status).toBe(200);
      const slowest = Math.max(...wrong.map((w) => w.ms));
      process.stdout.write(
        `basic auth during 100 parallel wrong passwords (cost 10): cached ${cached.ms.toFixed(0)} ms, uncached ${uncached.ms.toFixed(0)} ms, slowest wrong ${slowest.toFixed(0)} ms\n`,
      );
      // Order, not time: the flood keeps up to 5 checks (one running, 4 waiting) and the fair queue takes the
      // uncached login from the other address after the one running. Before the queue was bounded and fair, it waited for all 100.
      const lastWrong = Math.max(...wrong.map((w) => w.done));
      expect(cached.done, 'the cached login answered before the flood was through').toBeLessThan(lastWrong);
      expect(uncached.done, 'the uncached login answered before the flood was through').toBeLessThan(lastWrong);
    } finally {
      cli.child.kill('SIGKILL');
    }
  }, 60_000);
});

describe('web config refusals', () => {
  const parse = (text: string) => parseWebConfig(text, { source: 'web.yml', baseDir: '/' });

  it('refuses a bcrypt cost above 12, naming the reason and no hash', () => {
    const hash = `$2y$31$${'a'.repeat(53)}`;
    const r = parse(`basic_auth_users: {prometheus: "${hash}"}\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([expect.stringMatching(/^basic_auth_users\.prometheus: bcrypt cost above 12/)]);
    expect(r.problems.join('\n')).not.toContain(hash);
    expect(parse(`basic_auth_users: {prometheus: "${bcrypt.hashSync('x', 12)}"}\n`).ok).toBe(true);
  });

  it('refuses an empty basic_auth_users instead of leaving every endpoint open', () => {
    const r = parse('basic_auth_users: {}\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatch(/^basic_auth_users: names no user, which would leave every endpoint open/);
  });
});
