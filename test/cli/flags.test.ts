import { describe, expect, it } from 'vitest';
import { HELP, parseFlags, parseListenAddress } from '../../src/cli/flags.js';

describe('parseFlags', () => {
  it('applies the documented defaults', () => {
    expect(parseFlags([])).toEqual({
      ok: true,
      value: {
        configFile: 'config.yaml',
        configCheck: false,
        autoReloadIntervalMs: 5000,
        storagePath: undefined,
        shard: { index: 0, total: 1 },
        listen: { port: 9877 },
        logLevel: 'info',
        logFormat: 'logfmt',
        telemetryPath: '/metrics',
        demo: false,
        once: false,
        wait: false,
        output: 'table',
        timeoutMs: undefined,
        webConfigFile: undefined,
        enableLifecycle: false,
        maxRequests: 10,
        writeIdleTimeoutMs: 10_000,
        help: false,
        version: false,
      },
    });
    expect(parseFlags(['--web.enable-lifecycle'])).toMatchObject({ ok: true, value: { enableLifecycle: true } });
    expect(parseFlags(['--web.max-requests=0', '--web.write-idle-timeout=0s'])).toMatchObject({
      ok: true,
      value: { maxRequests: 0, writeIdleTimeoutMs: 0 },
    });
    expect(parseFlags(['--web.max-requests=-1'])).toEqual({ ok: false, problems: ['--web.max-requests: expected a whole number (0 for no limit), got "-1"'] });
    expect(parseFlags(['--web.write-idle-timeout=soon'])).toEqual({
      ok: false,
      problems: ['--web.write-idle-timeout: expected a duration such as 10s (0s for none), got "soon"'],
    });
  });

  it('accepts both --flag=value and --flag value', () => {
    const r = parseFlags(['--config.file=/etc/x.yaml', '--web.listen-address', '127.0.0.1:9100', '--log.level=debug', '--config.check']);
    expect(r).toMatchObject({
      ok: true,
      value: { configFile: '/etc/x.yaml', listen: { host: '127.0.0.1', port: 9100 }, logLevel: 'debug', configCheck: true },
    });
  });

  it.each([
    [['--nope'], /Unknown option '--nope'/],
    [['--log.level=loud'], /--log.level: expected one of trace, debug, info, warn, error, got "loud"/],
    [['--web.listen-address=9877'], /--web.listen-address: expected \[host\]:port/],
    [['--shard.total=3', '--shard.index=3'], /--shard.index: expected a whole number from 0 to 2, got "3"/],
    [['--shard.total=0'], /--shard.total: expected a whole number from 1 to 1000/],
    [['--config.auto-reload-interval=often'], /--config.auto-reload-interval: expected a duration/],
    [['--once', '--output=yaml'], /--output: expected table or json, got "yaml"/],
    [['--wait', '--timeout=soon'], /--timeout: expected a duration greater than 0/],
    [['--wait', '--timeout=0s'], /--timeout: expected a duration greater than 0/],
    [['--output=json'], /--output: only applies with --once or --wait/],
    [['--timeout=5m'], /--timeout: only applies with --once or --wait/],
    [['--once', '--wait'], /--once and --wait: give one of them/],
    [['--log.format=text'], /--log.format: expected logfmt or json, got "text"/],
    [['--web.telemetry-path=metrics'], /--web.telemetry-path: expected an absolute path/],
    [['--web.telemetry-path=/met rics'], /--web.telemetry-path: expected an absolute path/],
    [['--web.telemetry-path=/:name'], /--web.telemetry-path: expected an absolute path/],
    [['--web.telemetry-path=/a//b'], /--web.telemetry-path: "\/a\/\/b" has an empty segment/],
    [['--web.telemetry-path=/-/healthy'], /--web.telemetry-path: "\/-\/healthy" would shadow the exporter's own \/-\/\* endpoints/],
    [['--web.telemetry-path=/api/v1/exports'], /would shadow the exporter's own \/api\/\* endpoints/],
    [['--web.telemetry-path=/api'], /would shadow the exporter's own \/api\/\* endpoints/],
  ])('rejects %j', (argv, message) => {
    const r = parseFlags(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(message);
  });

  it('reads sharding and storage flags', () => {
    expect(parseFlags(['--shard.total=3', '--shard.index=2', '--storage.path=/data/state.json', '--config.auto-reload-interval=0s'])).toMatchObject({
      ok: true,
      value: { shard: { index: 2, total: 3 }, storagePath: '/data/state.json', autoReloadIntervalMs: 0 },
    });
    expect(parseFlags(['--shard.total=3', '--shard.from-hostname'])).toMatchObject({ ok: true, value: { shard: { fromHostname: true, total: 3 } } });
  });

  it('reads the one-shot and web flags; one-shot modes log at warn unless told otherwise', () => {
    expect(parseFlags(['--once', '--output=json'])).toMatchObject({ ok: true, value: { once: true, wait: false, output: 'json', logLevel: 'warn' } });
    expect(parseFlags(['--wait', '--timeout=1h30m', '--log.level=debug'])).toMatchObject({
      ok: true,
      value: { wait: true, timeoutMs: 5_400_000, output: 'table', logLevel: 'debug' },
    });
    expect(parseFlags(['--web.config.file=/etc/web.yml'])).toMatchObject({ ok: true, value: { webConfigFile: '/etc/web.yml', logLevel: 'info' } });
  });

  it.each([
    [':9877', { port: 9877 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    ['[::1]:9877', { host: '::1', port: 9877 }],
    ['localhost:1', { host: 'localhost', port: 1 }],
    ['host:70000', undefined],
    ['host', undefined],
  ])('parses listen address %s', (input, expected) => {
    expect(parseListenAddress(input)).toEqual(expected);
  });

  it('reads --log.format and --web.telemetry-path', () => {
    expect(parseFlags(['--log.format=json', '--web.telemetry-path=/prom/metrics'])).toMatchObject({
      ok: true,
      value: { logFormat: 'json', telemetryPath: '/prom/metrics' },
    });
    expect(parseFlags(['--once', '--log.format', 'logfmt', '--web.telemetry-path=/'])).toMatchObject({
      ok: true,
      value: { logFormat: 'logfmt', telemetryPath: '/' },
    });
  });

  it('documents every flag in --help', () => {
    for (const flag of [
      '--log.format',
      '--web.telemetry-path',
      '--config.file',
      '--config.check',
      '--config.auto-reload-interval',
      '--storage.path',
      '--shard.total',
      '--shard.index',
      '--shard.from-hostname',
      '--web.listen-address',
      '--log.level',
      '--demo',
      '--help',
      '--version',
      '--once',
      '--wait',
      '--output',
      '--timeout',
      '--web.config.file',
      '--web.enable-lifecycle',
    ]) {
      expect(HELP).toContain(flag);
    }
  });
});
