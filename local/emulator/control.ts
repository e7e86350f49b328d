import { Emulator } from './emulator';
import { FaultSpec } from './faults';
import { decodeComponent, EmulatorRequest, EmulatorResponse, isRecord, jsonResponse, parseJsonBody, queryValue } from './protocol';
import { PrincipalSpec } from './principals';

/**
 * The emulator's control endpoints under `/_emulator/`: no signature, but the server's
 * control token (`Authorization: Bearer <token>`, checked with `Host` and `Origin` by
 * `gate.ts` before a request gets here):
 *
 *   GET    /_emulator/calls[?detail=1]        call log (requests included with detail=1; secret values masked)
 *   DELETE /_emulator/calls                   clear the call log
 *   POST   /_emulator/reset                   back to a fresh emulator
 *   GET    /_emulator/faults                  faults in force
 *   POST   /_emulator/faults                  add one: {operation, kind, count?, after?, rate?, ms?, code?, service?, seed?}
 *   DELETE /_emulator/faults                  clear them
 *   GET    /_emulator/state                   export the state, secret values shown as "<redacted>"
 *   PUT    /_emulator/state                   import a state (secret values in the clear; redacted ones are refused)
 *   GET    /_emulator/principals              registered IAM principals: [{accessKeyId, arn, statements}]
 *   PUT    /_emulator/principals/<keyId>      register or replace one: {secretAccessKey, arn, statements}
 *   DELETE /_emulator/principals/<keyId>      forget one (404 when unknown)
 *   DELETE /_emulator/principals              forget all
 *   GET    /_emulator/stacks                  the stacks deploy-local recorded (see stacks.ts)
 *   GET    /_emulator/stacks/<stackName>      one of them
 *   PUT    /_emulator/stacks/<stackName>      record or replace one: {stackId, stackName, region, accountId, status,
 *                                             template, parameters, resources, functions, outputs?}
 *   PATCH  /_emulator/stacks/<stackName>      change one while deploy-local deploys it: {status?, resources?} (see stacks.ts)
 *   DELETE /_emulator/stacks/<stackName>      forget one (404 when unknown)
 *
 * Errors are `{"message": ...}` with 400 (a bad body) or 404 (no such route, principal or stack).
 */

/** Where the control endpoints live. */
export const CONTROL_PREFIX = '/_emulator/';

/** Answers one control request (its path starts with `CONTROL_PREFIX`). */
export function control(emulator: Emulator, req: EmulatorRequest): EmulatorResponse {
  const route = req.path.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
  const principal = /^principals\/([^/]+)$/.exec(route);
  if (principal) return principalRoute(emulator, req, decodeComponent(principal[1]));
  const stack = /^stacks\/([^/]+)$/.exec(route);
  if (stack) return stackRoute(emulator, req, decodeComponent(stack[1]));
  switch (`${req.method} ${route}`) {
    case 'GET calls': {
      const detail = queryValue(req.query, 'detail');
      const calls = emulator.calls();
      return jsonResponse(200, detail === '1' || detail === 'true' ? calls : calls.map(({ request: _request, ...call }) => call));
    }
    case 'DELETE calls':
      emulator.clearCalls();
      return jsonResponse(200, {});
    case 'POST reset':
      emulator.reset();
      return jsonResponse(200, {});
    case 'GET faults':
      return jsonResponse(200, emulator.listFaults());
    case 'POST faults': {
      const spec = parseJsonBody(req.body);
      if (!isRecord(spec)) return jsonResponse(400, { message: 'expected a JSON fault: {operation, kind, count?, after?, rate?, ms?, code?, service?, seed?}' });
      return attempt(() => emulator.addFault(spec as unknown as FaultSpec), () => emulator.listFaults());
    }
    case 'DELETE faults':
      emulator.clearFaults();
      return jsonResponse(200, {});
    case 'GET state':
      return jsonResponse(200, emulator.redactedState());
    case 'PUT state':
      return attempt(() => emulator.importState(parseJsonBody(req.body)), () => ({}));
    case 'GET principals':
      return jsonResponse(200, emulator.listPrincipals());
    case 'DELETE principals':
      emulator.clearPrincipals();
      return jsonResponse(200, {});
    case 'GET stacks':
      return jsonResponse(200, emulator.listStacks());
    default:
      return jsonResponse(404, { message: `no control endpoint ${req.method} ${req.path}` });
  }
}

function principalRoute(emulator: Emulator, req: EmulatorRequest, accessKeyId: string): EmulatorResponse {
  switch (req.method) {
    case 'PUT': {
      const spec = parseJsonBody(req.body);
      if (!isRecord(spec)) return jsonResponse(400, { message: 'expected a JSON principal: {secretAccessKey, arn, statements}' });
      let registered: unknown;
      return attempt(
        () => (registered = emulator.registerPrincipal(accessKeyId, spec as unknown as PrincipalSpec)),
        () => registered,
      );
    }
    case 'DELETE':
      return emulator.removePrincipal(accessKeyId) ? jsonResponse(200, {}) : jsonResponse(404, { message: `no principal with access key id ${accessKeyId}` });
    default:
      return jsonResponse(404, { message: `no control endpoint ${req.method} ${req.path}` });
  }
}

function stackRoute(emulator: Emulator, req: EmulatorRequest, stackName: string): EmulatorResponse {
  switch (req.method) {
    case 'GET': {
      const found = emulator.listStacks().find((s) => s.stackName === stackName);
      return found ? jsonResponse(200, found) : jsonResponse(404, { message: `no stack named ${stackName}` });
    }
    case 'PUT': {
      const spec = parseJsonBody(req.body);
      if (spec === undefined) return jsonResponse(400, { message: 'expected a JSON stack: {stackId, stackName, region, accountId, status, template, parameters, resources, functions, outputs?}' });
      let registered: unknown;
      return attempt(
        () => (registered = emulator.registerStack(stackName, spec)),
        () => registered,
      );
    }
    case 'PATCH': {
      let patched: unknown;
      return attempt(
        () => (patched = emulator.patchStack(stackName, parseJsonBody(req.body))),
        () => patched,
      );
    }
    case 'DELETE':
      return emulator.removeStack(stackName) ? jsonResponse(200, {}) : jsonResponse(404, { message: `no stack named ${stackName}` });
    default:
      return jsonResponse(404, { message: `no control endpoint ${req.method} ${req.path}` });
  }
}

/** Runs a change; a thrown `Error` is a 400 with its message, else 200 with `answer()`. */
function attempt(change: () => unknown, answer: () => unknown): EmulatorResponse {
  try {
    change();
  } catch (err) {
    return jsonResponse(400, { message: err instanceof Error ? err.message : String(err) });
  }
  return jsonResponse(200, answer());
}
