import { escapeLabelValue } from './text.js';

/**
 * Series identifiers (`name{labels}`) of one export. They are built by plain concatenation on
 * every render and not memoised: V8 keeps such a concatenation as a cheap two-piece rope, and the
 * rendered-blocks rebuild encodes it into bytes once anyway. Memoising every identifier would
 * hold as much memory again as the whole exposition.
 */
export class SeriesNames {
  readonly base: string;
  /** Whether every series of this export is ASCII (numbers and status words always are). */
  readonly ascii: boolean;
  /** `base` without its closing brace, ready for more labels; undefined when base is empty. */
  readonly #open: string | undefined;

  constructor(base: string, extraText = '') {
    this.base = base;
    this.ascii = !/[^\x00-\x7f]/.test(base + extraText);
    this.#open = base === '' ? undefined : base.slice(0, -1);
  }

  /** `name{base labels}` */
  of(name: string): string {
    return name + this.base;
  }

  /** `name{base labels,extra labels}`, extra pairs in the order given. */
  with(name: string, extra: ReadonlyArray<readonly [string, string]>): string {
    let labels = '';
    for (const [k, v] of extra) labels += `,${k}="${escapeLabelValue(v)}"`;
    return this.#open === undefined ? `${name}{${labels.slice(1)}}` : `${name}${this.#open}${labels}}`;
  }
}
