import { mkdtempSync, renameSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT } from './config.js';

export interface YamlExport {
  server: string;
  id: string;
  name?: string;
}

/** A config file's text pointing at a simulator, as a user would write it. */
export function yamlConfig(endpoint: string, exports: YamlExport[], opts: { token?: string; extra?: string } = {}): string {
  const list = exports.map((e) => `  - {server_id: ${e.server}, export_id: "${e.id}"${e.name ? `, name: ${e.name}` : ''}}`).join('\n');
  return `poll:
  schedule: "0 0 1 1 *"
  retries: 0
  spread: false
${opts.extra ?? ''}accounts:
  main:
    endpoint: ${endpoint}
    project_id: ${PROJECT}
    rate_limit: {requests_per_second: 10000, burst: 10000}
    auth: {token: "${opts.token ?? 'MIItest-token-value'}"}
exports:
${list || '  []'}
`.replace('exports:\n  []', 'exports: []');
}

/**
 * A directory laid out the way Kubernetes mounts a ConfigMap: config.yaml -> ..data/config.yaml,
 * ..data -> a timestamped directory. `swap` replaces ..data atomically, never writing to the file.
 */
export function configMapDir(initial: string): { path: string; swap(text: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'configmap-'));
  let n = 0;
  const version = (text: string): string => {
    const name = `..2026_11_27_${n++}`;
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'config.yaml'), text);
    return name;
  };
  symlinkSync(version(initial), join(dir, '..data'));
  symlinkSync('..data/config.yaml', join(dir, 'config.yaml'));
  return {
    path: join(dir, 'config.yaml'),
    swap(text) {
      const name = version(text);
      symlinkSync(name, join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    },
  };
}
