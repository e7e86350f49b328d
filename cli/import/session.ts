import { CallTracker } from '../../lambda/core/calls';
import { CommandError } from '../command';
import { ClientOptions, createServiceClients } from '../../lambda/core/clients';
import { describeError, isNotFound } from '../../lambda/core/errors';
import { createLogger } from '../../lambda/core/log';
import { CallInfo } from '../../lambda/core/observer';
import { OperationContext, ResourceHandler } from '../../lambda/core/resource';
import { requestToken } from '../../lambda/core/tokens';
import { inParallel, valuesOf } from '../../lambda/wickr/users-calls';
import { actionFor, IamService } from '../../lib/core/iam';

/**
 * What `import` reads with: the handlers' own `read` functions get a context whose clients
 * refuse every mutating call (the drift command's `Read` requests run the same way), with
 * the caller's credentials. The session counts the calls per operation, for the progress
 * lines and the benchmark, and turns the errors a user can act on into one sentence.
 */
export interface ReadSession {
  /** The context the handlers' reads take. */
  readonly ctx: OperationContext;
  /** Calls made, by operation (`ListUsers`: 100). */
  readonly calls: ReadonlyMap<string, number>;
  /** Runs one read of `what`; its failure becomes the one-line `ImportError` (`readFailure`, with the operation of the last call sent, to name the action of a refusal that does not). */
  step<T>(what: string, run: () => Promise<T>): Promise<T>;
}

/** An error `import` reports as one line and exit status 2 (nothing is written). */
export class ImportError extends CommandError {}

/** The read-only context, on the clients `options` describe (the account's, or the emulator's). */
export function readSession(options: ClientOptions): ReadSession {
  const calls = new Map<string, number>();
  let last: string | undefined;
  const log = createLogger({ command: 'import' }, () => undefined);
  const tracker = new CallTracker(log, { readOnly: true });
  const observer = {
    before(call: CallInfo) {
      tracker.before(call);
      calls.set(call.operation, (calls.get(call.operation) ?? 0) + 1);
      last = call.operation;
    },
    after: (outcome: Parameters<CallTracker['after']>[0]) => tracker.after(outcome),
  };
  const request = { RequestType: 'Read', ResourceType: 'import', StackId: 'import', LogicalResourceId: 'import', RequestId: 'import' };
  const ctx: OperationContext = { request, log, clients: createServiceClients(observer, options), token: (purpose, index) => requestToken(request, purpose, index) };
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw readFailure(err, what, last);
    }
  };
  return { ctx, calls, step };
}

const SERVICE_OF: Record<string, IamService> = { Wickr: 'wickr', wickr: 'wickr', 'Chime SDK Identity': 'chime-sdk-identity' };

/**
 * The sentence for an error a read failed with: a missing permission names the IAM action
 * (from the service's answer, else from the Service Authorization Reference for the
 * operation that failed); anything else is the service's own error.
 */
export function readFailure(err: unknown, what: string, operation?: string): ImportError {
  if (err instanceof ImportError) return err;
  const e = err as { name?: string; message?: string; $service?: string; $metadata?: { httpStatusCode?: number } };
  const denied = /AccessDenied|Forbidden|Unauthorized|not authorized/i.test(`${e?.name ?? ''} ${e?.message ?? ''}`) || e?.$metadata?.httpStatusCode === 403;
  if (denied) {
    const named = /perform: ([a-z-]+:[A-Za-z]+)/.exec(e?.message ?? '')?.[1];
    const service = SERVICE_OF[e?.$service ?? ''];
    const action = named ?? (service && operation ? safeAction(service, operation) : undefined);
    return new ImportError(`reading ${what} was refused: the credentials lack ${action ?? 'a read permission'} (the README lists what import needs)`);
  }
  return new ImportError(`reading ${what} failed: ${describeError(err)}`);
}

function safeAction(service: IamService, operation: string): string | undefined {
  try {
    return actionFor(service, operation);
  } catch {
    return undefined;
  }
}

/** `1,200`: counts in progress lines. */
export const count = (n: number) => n.toLocaleString('en-US');

/** What the handler's own `read` gives of `id`; undefined when it does not exist (the read says so, or the service answers not found). */
export async function readLive(handler: ResourceHandler<any>, ctx: OperationContext, id: string, props: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  try {
    const state = await handler.read(ctx, id, props);
    return state.exists ? state.properties : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Reads each of `items` at once, as many at a time as the users handler calls; the results in order. */
export const parallel = async <T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> => valuesOf(await inParallel(items, run));
