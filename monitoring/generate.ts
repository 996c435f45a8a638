import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { outputs } from './outputs.js';

/**
 * `npm run monitoring:generate` writes the generated monitoring files; `-- --check` only compares them and
 * exits 1 naming every file that differs from what monitoring/ generates.
 */
const root = fileURLToPath(new URL(import.meta.url.includes('/build/') ? '../../' : '../', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of Object.entries(outputs())) {
  const file = `${root}${path}`;
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) {
    stale++;
    console.error(`${path} differs from what monitoring/ generates: run npm run monitoring:generate`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
