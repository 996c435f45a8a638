#!/usr/bin/env -S node --max-semi-space-size=2
import { EXIT } from './cli/exit-codes.js';
import { HELP, parseFlags } from './cli/flags.js';
import type { ExporterConfig } from './domain/config.js';
import type { Demo } from './runtime/demo.js';
import type { Shard } from './poller/shard.js';
import { REVISION, VERSION } from './version.js';
import type { WebConfig } from './web/config.js';

// Everything else is imported when a mode needs it: --help, --version and --config.check must not pay for
// loading the HTTP server, the API client and the metrics library.

/**
 * SIGINT and SIGTERM abort the returned controller, so a command can clean up (remove a temporary file, stop
 * polls) and exit on its own; a second signal exits at once without waiting for that.
 */
function abortOnSignals(): AbortController {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupt.signal.aborted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    interrupt.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return interrupt;
}

/** The only module with start-up side effects: flags, wiring, signals, exit codes. */
async function main(argv: string[]): Promise<number | undefined> {
  if (argv[0] === 'export') {
    const interrupt = abortOnSignals();
    // Loaded only for the subcommand: the exporter itself never needs it.
    const { runExportCommand } = await import('./cli/export/index.js');
    const code = await runExportCommand(argv.slice(1), { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal });
    // Idle keep-alive sockets must not hold the exit back.
    setTimeout(() => process.exit(code), 2000).unref();
    return code;
  }
  const parsed = parseFlags(argv);
  if (!parsed.ok) {
    process.stderr.write(`clouddc-exporter: ${parsed.problems.join('\n')}\n\n${HELP}`);
    return EXIT.usage;
  }
  const flags = parsed.value;
  if (flags.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`clouddc-exporter ${VERSION} (revision: ${REVISION}, node ${process.version})\n`);
    return 0;
  }

  const { formatProblems, loadConfigFile } = await import('./config/load.js');
  let demo: Demo | undefined;
  let config: ExporterConfig;
  let fileProblems: readonly string[] = [];
  if (flags.demo) {
    const { startDemo } = await import('./runtime/demo.js');
    demo = await startDemo();
    // Whichever way the process ends (a forced exit after a slow shutdown included), the temporary directory goes.
    const d = demo;
    process.on('exit', () => d.removeSync());
    config = demo.config;
  } else {
    const result = await loadConfigFile(flags.configFile, process.env);
    if (!result.ok) {
      process.stderr.write(`${flags.configFile}: invalid configuration\n${formatProblems(result.problems)}\n`);
      return 1;
    }
    config = result.value;
  }
  const configFile = demo?.configFile ?? flags.configFile;
  const { ExportFileSet } = await import('./config/export-files.js');
  const exportFiles = new ExportFileSet(configFile);
  if (config.exportFiles) ({ config, newProblems: fileProblems } = await exportFiles.load(config));
  // --once and --wait serve nothing, so they neither need nor check the web config.
  let web: WebConfig | undefined;
  if (flags.webConfigFile !== undefined && !flags.once && !flags.wait) {
    const { loadWebConfigFile } = await import('./web/config.js');
    const loaded = await loadWebConfigFile(flags.webConfigFile);
    if (!loaded.ok) {
      await demo?.close();
      process.stderr.write(`${flags.webConfigFile}: invalid web configuration\n${formatProblems(loaded.problems)}\n`);
      return 1;
    }
    web = loaded.value;
  }
  if (flags.configCheck) {
    await demo?.close();
    if (fileProblems.length > 0) {
      process.stderr.write(`${flags.configFile}: invalid export files\n${formatProblems(fileProblems)}\n`);
      return 1;
    }
    process.stdout.write(
      `${flags.demo ? 'demo configuration' : flags.configFile}: OK (${config.accounts.size} account(s), ${config.exports.length} export(s))\n`,
    );
    // Where each account's credentials come from (config, environment, profile file...), never a secret.
    for (const a of config.accounts.values()) process.stdout.write(`  account ${a.name}: ${a.auth.source}\n`);
    if (config.autoCollect) {
      const { describeWrites } = await import('./domain/auto-collect.js');
      process.stdout.write(`${describeWrites(config.autoCollect)}\n`);
    }
    if (web) {
      const tls = web.tls ? `TLS ${web.tls.minVersion}+` : 'no TLS';
      process.stdout.write(`${web.file}: OK (${tls}, ${web.users.size} basic auth user(s))\n`);
    }
    // Valid but unable to keep its schedule: said now, and the exit code stays 0 (it runs, only slower).
    const { capacityWarnings } = await import('./runtime/capacity-report.js');
    for (const warning of capacityWarnings(config, flags.shard.total)) process.stderr.write(`warning: ${warning}\n`);
    return 0;
  }

  let shard: Shard;
  if ('fromHostname' in flags.shard) {
    const { ordinalFromHostname } = await import('./poller/shard.js');
    const index = ordinalFromHostname();
    if (index === undefined || index >= flags.shard.total) {
      process.stderr.write(`clouddc-exporter: --shard.from-hostname: cannot read a shard index below ${flags.shard.total} from the host name\n`);
      return EXIT.usage;
    }
    shard = { index, total: flags.shard.total };
  } else {
    shard = flags.shard;
  }

  if (flags.once || flags.wait) {
    if (fileProblems.length > 0) process.stderr.write(`export files skipped:\n${formatProblems(fileProblems)}\n`);
    const interrupt = abortOnSignals();
    const { runOneShot } = await import('./cli/one-shot-run.js');
    try {
      const code = await runOneShot(
        {
          config,
          mode: flags.wait ? 'wait' : 'once',
          output: flags.output,
          timeoutMs: flags.timeoutMs,
          logLevel: flags.logLevel,
          logFormat: flags.logFormat,
          shard,
        },
        { stdout: process.stdout, stderr: process.stderr, signal: interrupt.signal },
      );
      // Idle keep-alive sockets must not hold the exit back.
      setTimeout(() => process.exit(code), 2000).unref();
      return code;
    } finally {
      await demo?.close();
    }
  }

  // All before the exporter starts, so that nothing awaits between its start and the signal handlers.
  const [{ createLogger }, { startExporter, StartupError }, { describeWebConfig }, demoModule] = await Promise.all([
    import('./logging/logger.js'),
    import('./runtime/start.js'),
    import('./web/config.js'),
    demo && Promise.all([import('./runtime/demo.js'), import('./runtime/demo-banner.js')]).then(([a, b]) => ({ ...a, ...b })),
  ]);
  const logger = createLogger(flags.logLevel, undefined, flags.logFormat);
  process.on('unhandledRejection', (reason) => logger.error({ err: String(reason) }, 'unhandled promise rejection'));

  if (fileProblems.length > 0) {
    logger.error({ problems: fileProblems }, `export file(s) failed to load; their exports are not tracked:\n${formatProblems(fileProblems)}`);
  }
  const running = await startExporter({
    config,
    exportFiles,
    logger,
    listen: flags.listen,
    shard,
    storagePath: flags.storagePath,
    configFile,
    autoReloadIntervalMs: flags.autoReloadIntervalMs,
    enableLifecycle: flags.enableLifecycle,
    web,
    metricsPath: flags.telemetryPath,
    maxRequests: flags.maxRequests,
    writeIdleTimeoutMs: flags.writeIdleTimeoutMs,
    ...(demo && { stuckAfterSeconds: demo.stuckAfterSeconds }),
    ...(flags.familyFilter && { familyFilter: flags.familyFilter }),
  }).catch(async (err: unknown) => {
    if (!(err instanceof StartupError)) throw err;
    await demo?.close();
    const hint = demo && err.flag === '--web.listen-address' ? `\nThe demo takes the same flag: npm start -- --web.listen-address=127.0.0.1:9878\n` : '\n';
    process.stderr.write(`clouddc-exporter: ${err.message}${hint}`);
    // At once: a refusal to start must not wait for whatever else still holds the event loop.
    process.exit(1);
  });
  logger.info(
    {
      version: VERSION,
      revision: REVISION,
      url: running.url,
      exports: running.exporter.store.size,
      shard: `${shard.index}/${shard.total}`,
      ...(flags.familyFilter && { [`metric_${flags.familyFilter.kind}list`]: flags.familyFilter.patterns.join(',') }),
      ...(web && describeWebConfig(web)),
    },
    'clouddc-exporter started',
  );
  process.on('SIGHUP', () => void running.reloader?.reload('SIGHUP'));
  if (demo && demoModule) {
    const { demoBanner, demoStartArgs } = demoModule;
    const base = running.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
    const prometheus = await demo.writePrometheusConfig(new URL(base).host, flags.telemetryPath, new URL(base).protocol.slice(0, -1));
    process.stderr.write(demoBanner({ demo, base, metricsPath: flags.telemetryPath, exports: config.exports.length, prometheus }));
    const d = demo;
    // Through `export start --track-file`, exactly as a user would (main.ts wires it: runtime/ never imports cli/).
    const startDemoExport = async (on: typeof d): Promise<number> => {
      const quiet = { write: () => true };
      const { runExportCommand } = await import('./cli/export/index.js');
      return runExportCommand(demoStartArgs(on).slice(1), { stdout: quiet, stderr: quiet, signal: new AbortController().signal, env: {} });
    };
    setTimeout(
      () => void startDemoExport(d).then((code) => logger.info({ code }, 'demo: started a log export with export start --track-file')),
      10_000,
    ).unref();
  }

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // The whole shutdown is bounded: in-flight polls get 4 s, then everything is cut.
    setTimeout(() => {
      logger.warn('shutdown took longer than 5 s; exiting anyway');
      process.exit(0);
    }, 5000).unref();
    void running
      .stop(4000)
      .then(() => demo?.close())
      .then(() => {
        logger.info('stopped');
        logger.flush?.();
        process.exit(0);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`clouddc-exporter: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
