import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's default gauges that end in `_total`, a suffix Prometheus reserves for counters
 * (`promtool check metrics` reports them). Each is the sum of a per-type gauge prom-client also
 * registers, so nothing is lost: `sum without (type) (nodejs_active_handles)` is the handle count.
 */
export const NON_CONFORMING_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/** The default process_ and nodejs_ metrics, minus the ones that break the naming conventions. */
export function registerDefaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  // removeSingleMetric ignores a name prom-client did not register (e.g. no getActiveResourcesInfo).
  for (const name of NON_CONFORMING_DEFAULT_METRICS) registry.removeSingleMetric(name);
}
