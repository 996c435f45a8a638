export interface AuthorizeRequest {
  readonly method: string;
  readonly url: URL;
  /** The headers the client will send besides the ones returned; lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What became of one request that authorize() let through. */
export interface AttemptReport {
  /** The very object authorize() returned for this attempt, so an authenticator can tell its requests apart. */
  readonly authorization: Readonly<Record<string, string>>;
  /** HTTP status; absent when no answer came (timeout, network error, aborted). */
  readonly status?: number;
  /** From the error body, already free of secrets. */
  readonly errorCode?: string;
  readonly message?: string;
}

/**
 * Whether the gateway verifiably accepted the credentials: a success, or an error from CloudDC itself (iMetal.*),
 * which sits behind the gateway's check. 5xx pages, 429s and APIGW.* errors other than 401 say nothing either way.
 */
export function credentialsAccepted(report: AttemptReport): boolean {
  const status = report.status;
  if (status === undefined) return false;
  if (status >= 200 && status < 300) return true;
  return status >= 400 && status < 500 && status !== 401 && /^iMetal\./i.test(report.errorCode ?? '');
}

/** How the client obtains credentials; static token, AK/SK signing and IAM password tokens all fit it. */
export interface Authenticator {
  /**
   * Headers to add to this one request. Rejects with AuthenticationError when no credentials are usable. Resolve to
   * the same frozen object while the credentials stay the same (a cached token): the client then reuses the request
   * headers and the redactor it built from it instead of rebuilding them per request.
   */
  authorize(req: AuthorizeRequest): Promise<Record<string, string>>;
  /** Called once for every attempt authorize() allowed, before any retry decision; must not throw. */
  onResult?(report: AttemptReport): void;
  /**
   * Called after a 401 (once per poll at most); true means the credentials were renewed and the request is worth
   * one more try. Without this method a 401 is final, which is what signed requests need.
   */
  onUnauthorized?(report?: AttemptReport): Promise<boolean>;
}

/**
 * Credentials could not be produced locally (unreadable token file, IAM unreachable, account paused...).
 * `reason` is the PollFailure reason to report: '401' by default, since an operator fixes both the same way.
 */
export class AuthenticationError extends Error {
  readonly reason: string;

  constructor(message: string, reason = '401') {
    super(message);
    this.name = 'AuthenticationError';
    this.reason = reason;
  }
}
