/** Where progress goes: standard error for the CLI, nowhere for automatic collection. */
export interface TextOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Download progress on standard error: a bar redrawn in place on a terminal (at most 10 times a second), plain lines
 * elsewhere (one per 10 %, or per 100 MiB when the size is unknown), so CI logs stay short.
 */

export interface TransferProgress {
  update(bytes: number): void;
  /** Ends the display; `note` is the closing line. */
  finish(note: string): void;
}

const MiB = 1024 * 1024;

export function formatBytes(n: number): string {
  if (n >= 1024 * MiB) return `${(n / (1024 * MiB)).toFixed(2)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export function createTransferProgress(out: TextOutput, label: string, total: number | undefined, now: () => number = Date.now): TransferProgress {
  const started = now();
  let lastDraw = 0;
  let lastStep = 0;
  let drawn = false;
  const rate = (bytes: number): string => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? `${formatBytes(bytes / seconds)}/s` : '';
  };
  const line = (bytes: number): string => {
    if (total === undefined || total === 0) return `${label}: ${formatBytes(bytes)} ${rate(bytes)}`.trimEnd();
    const pct = Math.min(100, Math.floor((bytes * 100) / total));
    if (!out.isTTY) return `${label}: ${pct}% (${formatBytes(bytes)} of ${formatBytes(total)})`;
    const cells = Math.round(pct / 5);
    return `${label} [${'#'.repeat(cells)}${'.'.repeat(20 - cells)}] ${String(pct).padStart(3)}% ${formatBytes(bytes)} / ${formatBytes(total)} ${rate(bytes)}`.trimEnd();
  };
  return {
    update(bytes) {
      if (out.isTTY) {
        const t = now();
        if (t - lastDraw < 100) return;
        lastDraw = t;
        out.write(`\r\u001b[K${line(bytes)}`);
        drawn = true;
        return;
      }
      const step = total ? Math.floor((bytes * 10) / total) : Math.floor(bytes / (100 * MiB));
      if (step > lastStep) {
        lastStep = step;
        out.write(`${line(bytes)}\n`);
      }
    },
    finish(note) {
      if (note === '') {
        if (drawn) out.write('\r\u001b[K');
        return;
      }
      out.write(`${drawn ? '\r\u001b[K' : ''}${note}\n`);
    },
  };
}
