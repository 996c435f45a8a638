import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROJECT = '0123456789abcdef0123456789abcdef';
export const TOKEN = 'MIIexport-test-token';

/** A config file for one account on `url`; returns its directory and path. */
export function configFor(url: string, extra = ''): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'clouddc-export-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    `poll:\n  schedule: "*/1 * * * * *"\n  timeout: 2s\n  retries: 2\n  backoff_initial: 50ms\n  backoff_max: 200ms\n` +
      `accounts:\n  main:\n    region: cn-east-3\n    endpoint: ${url}\n    project_id: "${PROJECT}"\n    auth:\n      token: ${TOKEN}\n${extra}`,
  );
  return { dir, file };
}

/** Resident set size of a live process in bytes, from /proc (Linux, as in CI). */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
