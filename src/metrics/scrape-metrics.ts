import { Counter, type Registry } from 'prom-client';

/** The /metrics route's own limits at work (src/http/metrics.ts): what `--web.max-requests` and the write timeout cut. */
export interface ScrapeMetrics {
  refused(): void;
  timedOut(): void;
}

export function scrapeMetrics(registry: Registry): ScrapeMetrics {
  const refused = new Counter({
    name: 'clouddc_exporter_scrapes_refused_total',
    help: 'Scrapes answered 503 (with Retry-After) because --web.max-requests scrapes were already being served.',
    registers: [registry],
  });
  const timedOut = new Counter({
    name: 'clouddc_exporter_scrape_write_timeouts_total',
    help: 'Scrape responses cut off because the client read nothing of them for --web.write-idle-timeout.',
    registers: [registry],
  });
  return { refused: () => refused.inc(), timedOut: () => timedOut.inc() };
}
