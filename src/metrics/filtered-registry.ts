import { Registry, type Metric } from 'prom-client';

/**
 * A registry that does not keep the families --metric-allowlist / --metric-denylist leave out: their metrics are
 * still updated by the code that owns them (cheap), but never collected or serialised on a scrape.
 */
export class FilteredRegistry extends Registry {
  readonly #include: (family: string) => boolean;

  constructor(include: (family: string) => boolean) {
    super();
    this.#include = include;
  }

  override registerMetric(metric: Metric): void {
    if (this.#include((metric as unknown as { name: string }).name)) super.registerMetric(metric);
  }
}
