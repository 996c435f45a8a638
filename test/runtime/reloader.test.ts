import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { createReloader } from '../../src/runtime/reloader.js';
import { silentLogger } from '../support/factories.js';
import { yamlConfig } from '../support/yaml-config.js';

function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'cde-reloader-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, yamlConfig('http://127.0.0.1:9', [{ server: 'a', id: '1' }]));
  const outcomes: boolean[] = [];
  let loads = 0;
  const reloader = createReloader({
    path,
    load: (p) => (loads++, loadConfigFile(p)),
    apply: async () => ({ added: 0, removed: 0, kept: 1, accountsChanged: 0 }) as never,
    onOutcome: (ok) => outcomes.push(ok),
    logger: silentLogger,
  });
  return { path, reloader, outcomes, loads: () => loads };
}

describe('watching the config file', () => {
  it('never runs two checks at once: a tick during a check joins it', async () => {
    const { path, reloader, loads } = rig();
    writeFileSync(path, yamlConfig('http://127.0.0.1:9', [{ server: 'b', id: '2' }]));
    const first = reloader.checkForChange();
    expect(reloader.checkForChange()).toBe(first);
    await first;
    expect(loads()).toBe(1);
  });

  it('tries a file swapped for a FIFO once, counts it as a failed reload, and does not try it again', async () => {
    const { path, reloader, outcomes, loads } = rig();
    await reloader.checkForChange();
    const before = loads();
    rmSync(path);
    execFileSync('mkfifo', [path]);
    for (let i = 0; i < 3; i++) await reloader.checkForChange();
    expect(loads() - before).toBe(1);
    expect(outcomes.at(-1)).toBe(false);
  });
});
