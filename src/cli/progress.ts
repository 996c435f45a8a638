import type { ExportJson } from '../view-model/export-json.js';
import { exportLabel, fit, formatPlainLine, formatProgressLine, rowId } from './format.js';

/**
 * --wait's progress display. On a terminal: one line per export with a bar, redrawn in place; log lines are
 * written above the block, which is then drawn again below them. Anywhere else (a pipe, a file, CI logs):
 * plain lines, one per export and only when its line changed, so the output reads like a log.
 */

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal size, when known. */
  readonly columns?: number;
  readonly rows?: number;
}

export interface ProgressReporter {
  update(rows: readonly ExportJson[]): void;
  /** Writes a log line (ending in a newline) without breaking the live block. */
  log(text: string): void;
  /** Stops redrawing: the last block stays on screen as plain text. */
  finish(): void;
}

// Cursor to the start of the line `n` lines up, then erase from there to the end of the screen.
const up = (n: number) => `\r\u001b[${n}A\u001b[J`;

const MAX_LABEL = 48;

export function createProgressReporter(out: Output): ProgressReporter {
  return out.isTTY ? terminalReporter(out) : plainReporter(out);
}

function terminalReporter(out: Output): ProgressReporter {
  let drawn = 0;
  let block: string[] = [];
  const draw = () => {
    const text = block.map((l) => `${l}\n`).join('');
    out.write((drawn > 0 ? up(drawn) : '') + text);
    drawn = block.length;
  };
  return {
    update(rows) {
      const labelWidth = Math.min(MAX_LABEL, Math.max(0, ...rows.map((r) => [...exportLabel(r)].length)));
      const lines = rows.map((r) => formatProgressLine(r, { labelWidth, columns: out.columns }));
      // Cursor-up cannot reach above the top of the screen: keep the block shorter than the terminal.
      const room = !out.rows ? Infinity : Math.max(2, out.rows - 2);
      block = lines.length <= room ? lines : [...lines.slice(0, room - 1), fit(`… and ${lines.length - room + 1} more`, out.columns)];
      draw();
    },
    log(text) {
      out.write((drawn > 0 ? up(drawn) : '') + text);
      drawn = 0;
      if (block.length > 0) draw();
    },
    finish() {
      drawn = 0;
      block = [];
    },
  };
}

function plainReporter(out: Output): ProgressReporter {
  const last = new Map<string, string>();
  return {
    update(rows) {
      for (const row of rows) {
        // Nothing is known before the first poll; saying so for every export adds nothing.
        if (row.condition === 'not_polled') continue;
        const line = formatPlainLine(row);
        const id = rowId(row);
        if (last.get(id) === line) continue;
        last.set(id, line);
        out.write(`${line}\n`);
      }
    },
    log(text) {
      out.write(text);
    },
    finish() {},
  };
}
