import { readFileSync } from 'node:fs';

/**
 * The package version, read at run time so that it cannot drift from package.json. The file is
 * one level up from src/ (tests) or two from dist/src/ (built code).
 */
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'clouddc-exporter' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0-unknown';
}

export const VERSION = readVersion();
export const USER_AGENT = `clouddc-exporter/${VERSION} (node ${process.version})`;
