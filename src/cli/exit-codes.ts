/**
 * The exit codes of every mode and subcommand, in one place so that they cannot drift apart. A script tells a
 * typo in its own command line (`usage`) from exports that failed on the CloudDC side (`exportFailed`): both
 * used to be 2, so a mistyped flag read as a failed export.
 */
export const EXIT = {
  ok: 0,
  /** Invalid config, a poll or request that failed, --timeout, a download that failed. */
  error: 1,
  /** A flag or usage error: unknown flag, bad value, flags that do not go together. */
  usage: 2,
  /** --wait or export start --wait: every export settled, and some of them failed. */
  exportFailed: 3,
} as const;
