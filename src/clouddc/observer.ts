/** What the client reports about its HTTP traffic; keeps the client free of prom-client. */
export interface ApiObserver {
  /** Once per HTTP attempt; `code` is the HTTP status as a string, or `timeout` / `network`. */
  onRequest(account: string, code: string, durationSeconds: number): void;
  /** Once per retry, with the reason of the attempt that failed. */
  onRetry(account: string, reason: string): void;
}
