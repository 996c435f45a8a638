import { readFileSync } from 'node:fs';

function readJson(rel: string): unknown {
  try {
    return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The package version, read at run time so that it cannot drift from package.json. The file is
 * one level up from src/ (tests) or two from dist/src/ (built code).
 */
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const pkg = readJson(rel) as { name?: string; version?: string } | undefined;
    if (pkg?.name === 'clouddc-exporter' && pkg.version) return pkg.version;
  }
  return '0.0.0-unknown';
}

/**
 * The source revision that `npm run build` recorded in dist/build-info.json (scripts/write-build-info.mjs:
 * the image's REVISION build arg, else the git commit). Code run from src/ (tests) has none: "unknown".
 */
export function revisionFrom(info: unknown): string {
  const rev = (info as { revision?: unknown } | undefined)?.revision;
  // A label value, so nothing exotic: a commit hash, a tag or a short id.
  return typeof rev === 'string' && /^[\w.+-]{1,100}$/.test(rev) ? rev : 'unknown';
}

export const VERSION = readVersion();
export const REVISION = revisionFrom(readJson('../build-info.json'));
export const USER_AGENT = `clouddc-exporter/${VERSION} (node ${process.version})`;
