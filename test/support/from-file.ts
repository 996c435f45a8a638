import { loadConfigFile } from '../../src/config/load.js';
import { startExporter, type Running, type StartOptions } from '../../src/runtime/start.js';
import { stopAfterTest } from './cleanup.js';

/** The exporter as main.ts starts it from a config file (which reloads re-read), stopped after the test. */
export async function startFromConfigFile(file: string, opts: Omit<StartOptions, 'config' | 'configFile'>): Promise<Running> {
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return stopAfterTest(await startExporter({ ...opts, config: loaded.value, configFile: file }));
}
