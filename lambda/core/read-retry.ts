import { isThrottling, isTransient } from './calls';
import { CallObserver } from './observer';

/** Attempts of a read (the SDK clients' own budget: `SDK_RETRY_ATTEMPTS`); a throttled read gets four times as many. */
export const READ_ATTEMPTS = 5;
/** How long an attempt waits for its answer, unless the observer gives less (the time the request has left). */
const ATTEMPT_TIMEOUT_MS = 30_000;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/**
 * Sends a read (safe to repeat: it changes nothing) as the AWS SDK's standard retry mode does:
 * again after a transient failure (throttling, a 5xx, a lost connection; `isTransient`), with
 * full-jitter backoff, up to `READ_ATTEMPTS` attempts. For the readers that sign their own
 * requests (CloudFormation, S3), which have no SDK client to retry for them. An attempt that
 * has no answer within the observer's `attemptTimeoutMs` (a quarter of the time the request
 * has left) is abandoned as a lost connection is: a read that hangs cannot use up the time a
 * delete needs. The observer sees one call, with its attempts.
 */
export async function sendRead<T>(
  call: { readonly service: string; readonly operation: string; readonly observer?: CallObserver },
  attempt: (timeoutMs: number) => Promise<{ readonly status: number; readonly value: T }>,
): Promise<T> {
  const { service, operation, observer } = call;
  observer?.before?.({ service, operation });
  const started = Date.now();
  let attempts = 0;
  let status: number | undefined;
  for (;;) {
    attempts++;
    try {
      const answer = await attempt(Math.min(ATTEMPT_TIMEOUT_MS, observer?.attemptTimeoutMs?.() ?? ATTEMPT_TIMEOUT_MS));
      status = answer.status;
      observer?.after?.({ service, operation, status, attempts, durationMs: Date.now() - started });
      return answer.value;
    } catch (error) {
      status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (attempts >= (isThrottling(error) ? 4 * READ_ATTEMPTS : READ_ATTEMPTS) || !isTransient(error)) {
        observer?.after?.({ service, operation, status, attempts, durationMs: Date.now() - started, error });
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempts - 1))));
    }
  }
}
