/**
 * Child-process entry for the soak: scrapes /metrics every interval with curl, as Prometheus scrapes from its
 * own process (bench figure 1 measures the same way, so the soak's scrape times compare with its target).
 * Running curl from here keeps the fork and the reading out of the exporter's event loop.
 */
import { curlScrape } from '../bench/scrape-client.js';

export type ToScraper = { readonly type: 'stop' };
export type FromScraper =
  | { readonly type: 'ready' }
  | {
      readonly type: 'report';
      /** Time to the last byte of every scrape that succeeded, ms. */
      readonly ms: number[];
      /** When each of those scrapes started, ms since the epoch. */
      readonly at: number[];
      readonly failures: string[];
      /** Ticks skipped because the previous scrape was still running. */
      readonly overlapped: number;
      readonly bytes: number;
    };

async function main(): Promise<void> {
  const [url, interval] = [process.argv[2], Number(process.argv[3])];
  if (url === undefined || !(interval > 0) || process.send === undefined) {
    throw new Error('usage: fork(scrape-child.js, [EXPORTER_URL, INTERVAL_MS]) with an IPC channel');
  }
  const ms: number[] = [];
  const at: number[] = [];
  const failures: string[] = [];
  let overlapped = 0;
  let bytes = 0;
  let busy = false;
  const scrapeOnce = async (): Promise<void> => {
    if (busy) {
      overlapped++;
      return;
    }
    busy = true;
    const startedAt = Date.now();
    try {
      const scrape = await curlScrape(url, 'identity', 10);
      ms.push(scrape.ms);
      at.push(startedAt);
      bytes = scrape.bytes;
    } catch (err) {
      if (failures.length < 20) failures.push(String((err as Error).message).slice(0, 200));
      else failures.push('…');
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void scrapeOnce(), interval);
  process.on('message', (m: ToScraper) => {
    if (m.type !== 'stop') return;
    clearInterval(timer);
    const finish = () => {
      process.send?.({ type: 'report', ms, at, failures, overlapped, bytes } satisfies FromScraper, () => process.exit(0));
    };
    if (!busy) finish();
    else {
      const wait = setInterval(() => {
        if (!busy) {
          clearInterval(wait);
          finish();
        }
      }, 20);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' } satisfies FromScraper);
}

main().catch((err: unknown) => {
  console.error('soak scrape-child:', err);
  process.exit(1);
});
