#!/usr/bin/env node
// Records the source revision next to the compiled code (dist/build-info.json), where
// src/version.ts reads it for clouddc_exporter_build_info{revision}. Run by `npm run build`.
//
// The revision is the REVISION environment variable when set (the image's REVISION build arg:
// the image is built without .git), else `git rev-parse HEAD` of the checkout, else "unknown".
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'dist/build-info.json');

function gitRevision() {
  try {
    const rev = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return rev.trim();
  } catch {
    return undefined; // no git, or not a checkout
  }
}

const fromEnv = (process.env.REVISION ?? '').trim();
const revision = (fromEnv !== '' && fromEnv !== 'unknown' ? fromEnv : gitRevision()) || 'unknown';
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ revision })}\n`);
