import { isThrottling, isTransient } from './calls';
import { CallObserver } from './observer';

/** Attempts of a read (the SDK clients' own budget: `SDK_RETRY_ATTEMPTS`); a throttled read gets four times as many. */
export const READ_ATTEMPTS = 5;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

/**
 * Sends a read (safe to repeat: it changes nothing) as the AWS SDK's standard retry mode does:
 * again after a transient failure (throttling, a 5xx, a lost connection; `isTransient`), with
 * full-jitter backoff, up to `READ_ATTEMPTS` attempts. For the readers that sign their own
 * requests (CloudFormation, S3), which have no SDK client to retry for them. The observer
 * sees one call, with its attempts.
 */
export async function sendRead<T>(call: { readonly service: string; readonly operation: string; readonly observer?: CallObserver }, attempt: () => Promise<{ readonly status: number; readonly value: T }>): Promise<T> {
  const { service, operation, observer } = call;
  observer?.before?.({ service, operation });
  const started = Date.now();
  let attempts = 0;
  let status: number | undefined;
  for (;;) {
    attempts++;
    try {
      const answer = await attempt();
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
