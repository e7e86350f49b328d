import type { ServiceClients } from '../core/clients';
import { ReadRequest, ReadResult } from '../core/event';
import { CallObserver } from '../core/observer';
import { readResource } from '../core/read';
import { ResourceHandler } from '../core/resource';
import { ContextOf } from '../core/timeline';
import { requestToken } from '../core/tokens';

/**
 * Reads resources in this process, with the handlers' own `read` and clients whose every
 * mutating call is refused: what the drift command (with the caller's credentials, which need
 * only read permissions), `plan`, and the provider's scheduled sweep use.
 */
export function inProcessReader(
  handlerOf: (type: string) => ResourceHandler<unknown> | undefined,
  clients: (observer: CallObserver) => ServiceClients,
  timeoutMs = 60_000,
): (request: ReadRequest) => Promise<ReadResult> {
  const contextOf: ContextOf = (request, log, tracker) => ({ request, log, clients: clients(tracker), token: (purpose, index) => requestToken(request, purpose, index) });
  return (request) => readResource(handlerOf(request.ResourceType), request, { getRemainingTimeInMillis: () => timeoutMs }, contextOf);
}
