import { flat, withLabel } from './text.js';

/**
 * Series identifiers (`name{labels}`) of one export, rendered once and reused by every poll: a
 * poll changes values, not labels, so re-rendering and escaping the label set each time would be
 * wasted work. A new cache is made when the export's labels change.
 */
export class SeriesCache {
  readonly base: string;
  /** Whether every series of this export is ASCII (numbers and status words always are). */
  readonly ascii: boolean;
  readonly #memo = new Map<string, string>();

  constructor(base: string, extraText = '') {
    this.base = base;
    this.ascii = !/[^\x00-\x7f]/.test(base + extraText);
  }

  /** `name{base labels}` */
  of(name: string): string {
    let s = this.#memo.get(name);
    if (s === undefined) {
      s = flat([name, this.base]);
      this.#memo.set(name, s);
    }
    return s;
  }

  /** `name{base labels,extra labels}`, extra pairs in the order given. */
  with(name: string, extra: ReadonlyArray<readonly [string, string]>): string {
    let key = name;
    for (const [k, v] of extra) key += `\u0000${k}\u0000${v}`;
    let s = this.#memo.get(key);
    if (s === undefined) {
      let labels = this.base;
      for (const [k, v] of extra) labels = withLabel(labels, k, v);
      s = flat([name, labels]);
      this.#memo.set(key, s);
    }
    return s;
  }
}
