import { spawnSync } from 'node:child_process';

/**
 * Whether an external tool is on PATH. In CI (CI=true) a missing tool is an error, not a skip:
 * .ci/run installs every tool the suite uses, so a skip there would hide a broken install.
 */
export function requireTool(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found && process.env.CI) throw new Error(`${name} is not installed; .ci/run must install it`);
  return found;
}
