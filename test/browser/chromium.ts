import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's package; playwright-core never downloads a browser of its own (nothing outside the registries is reachable). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Like requireTool: locally a missing Chromium skips the browser tests, in CI (CI=true) it fails
 * them, because .ci/run installs it and a skip there would hide a broken install.
 */
export function requireChromium(): boolean {
  const found = existsSync(CHROMIUM);
  if (!found && process.env.CI) throw new Error(`${CHROMIUM} is not installed; .ci/run must install the chromium package`);
  return found;
}

/** The flags that work in this container (no user namespaces for the sandbox, no GPU, no network besides ours). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
