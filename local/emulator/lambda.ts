import { randomUUID } from 'crypto';
import { stagedCodeProblem } from '../runner/code-store';
import { FunctionSpec, InvocationOutcome, LocalFunction } from '../runner/lambda';
import { decodeComponent, EmulatorRequest, EmulatorResponse, jsonResponse, parseJsonBody, ProtocolService, queryValue, StandardErrorKind } from './protocol';
import { RequestContext } from './service';
import { StackFunctionSpec, StackRegistry } from './stacks';
import { TEST_CREDENTIALS } from './sigv4';

/**
 * Lambda's `Invoke` (rest-json: `POST /2015-03-31/functions/{FunctionName}/invocations`)
 * for the functions of the stacks `deploy-local` recorded (`stacks.ts`), run in this
 * process by the runner's `LocalFunction` from their recorded code directory, which must
 * still be the code the runner staged from a cloud assembly (else 400
 * `CodeVerificationFailedException`, and nothing is loaded).
 *
 * - `FunctionName` is a name, an ARN or a partial ARN (`<account>:function:<name>`), with
 *   an optional `:qualifier` (or the `Qualifier` query parameter); only `$LATEST` exists.
 *   A name is looked up in the request's region.
 * - `X-Amz-Invocation-Type`: `RequestResponse` (the default) answers 200 with the
 *   handler's return value as JSON; a handler that throws (or times out) answers 200 with
 *   `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage, trace}`. `Event`
 *   answers 202 at once and runs the function in the background; `DryRun` answers 204.
 *   `X-Amz-Log-Type: Tail` returns the last 4 KB of the function's log lines, base64, in
 *   `X-Amz-Log-Result`.
 * - The function runs with its recorded environment plus: every service's endpoint
 *   override pointing at this emulator (Wickr, Chime SDK Identity, Secrets Manager, S3,
 *   CloudFormation, Lambda), `AWS_REGION`, and the credentials of its execution role's
 *   principal (the access key id recorded for it, with that principal's secret from the
 *   emulator's registry), so every call it makes is authorized against its role's
 *   statements. Without a recorded key, or when that principal is not registered, it gets
 *   the test credentials (unrestricted).
 * - Errors are Lambda's: `{"Type": "User", "Message": ...}` with `x-amzn-errortype`
 *   (`ResourceNotFoundException` 404 for an unknown function).
 */

/** What the service needs from the emulator around it. */
export interface LambdaHost {
  readonly stacks: StackRegistry;
  /** The secret of a registered principal's access key, if there is one. */
  secretOf(accessKeyId: string): string | undefined;
  /** The URL at which the running function reaches the emulator (its endpoint overrides). */
  endpointUrl(req: EmulatorRequest): string | undefined;
}

/** The largest synchronous payload Lambda accepts: 6 MB. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const LOG_TAIL_BYTES = 4096;
const ENDPOINT_VARIABLES = ['WICKR', 'CHIME_SDK_IDENTITY', 'SECRETS_MANAGER', 'S3', 'CLOUDFORMATION', 'LAMBDA'].map((s) => `AWS_ENDPOINT_URL_${s}`);

/** The function an `Invoke` names: its name, ARN or partial ARN without the qualifier, and the qualifier. */
export interface InvokeTarget {
  readonly function: string;
  readonly qualifier?: string;
  /** The name's qualifier and the `Qualifier` parameter differ (the name's is taken). */
  readonly conflict?: true;
}

class LambdaError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly lowerCaseMessage = false) {
    super(message);
  }
}

/** Lambda's `Invoke` of the recorded functions (see the module comment). */
export class LambdaService implements ProtocolService {
  readonly name = 'lambda';
  /** Loaded functions, warm between invocations while their recorded spec stays the same. */
  private loaded = new Map<string, LocalFunction>();

  constructor(private readonly host: LambdaHost) {}

  operationOf(req: EmulatorRequest): string | undefined {
    return req.method === 'POST' && INVOKE_PATH.test(req.path) ? 'Invoke' : undefined;
  }

  async invoke(_operation: string, req: EmulatorRequest, ctx: RequestContext): Promise<EmulatorResponse> {
    try {
      return await this.run(req, ctx);
    } catch (err) {
      if (err instanceof LambdaError) return lambdaError(err.status, err.code, err.message, err.lowerCaseMessage);
      throw err;
    }
  }

  standardError(kind: StandardErrorKind, message: string): EmulatorResponse {
    const [status, code] = (
      {
        throttle: [429, 'TooManyRequestsException'],
        error: [500, 'ServiceException'],
        unrecognizedClient: [403, 'UnrecognizedClientException'],
        invalidSignature: [403, 'InvalidSignatureException'],
        signatureExpired: [403, 'InvalidSignatureException'],
        accessDenied: [403, 'AccessDeniedException'],
      } as const
    )[kind];
    return lambdaError(status, code, message, kind !== 'error');
  }

  unknownOperation(req: EmulatorRequest): EmulatorResponse {
    return lambdaError(404, 'UnknownOperationException', `The emulator serves only Lambda Invoke (POST /2015-03-31/functions/{FunctionName}/invocations), not ${req.method} ${req.path}`);
  }

  loggedBody(req: EmulatorRequest): unknown {
    return parseJsonBody(req.body);
  }

  reset(): void {
    this.loaded.clear();
  }

  /** The registry is CloudFormation's state: Lambda keeps none of its own. */
  exportState(): unknown {
    return undefined;
  }

  importState(): void {
    this.loaded.clear();
  }

  private async run(req: EmulatorRequest, ctx: RequestContext): Promise<EmulatorResponse> {
    const target = invokeTarget(req);
    if (target.conflict) throw new LambdaError(400, 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.', true);
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw new LambdaError(400, 'InvalidParameterValueException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
    }
    const found = findFunction(this.host.stacks, target, ctx);
    if (!found || (target.qualifier !== undefined && target.qualifier !== '$LATEST')) {
      throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${functionArn(this.host.stacks, target, ctx)}`);
    }
    if (req.body.length > MAX_PAYLOAD_BYTES) throw new LambdaError(413, 'RequestTooLargeException', `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`, true);
    const text = req.body.toString('utf8');
    const event: unknown = text.trim() === '' ? {} : parseJsonBody(req.body);
    if (event === undefined) throw new LambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload must be a JSON document', true);
    if (type === 'DryRun') return { status: 204, headers: { 'x-amzn-requestid': randomUUID() }, body: '' };
    const url = this.host.endpointUrl(req);
    if (!url) throw new LambdaError(500, 'ServiceException', 'the emulator is not served over HTTP (serve()), so an invoked function could not reach it');
    const fn = this.local(found.fn, found.region);
    const extraEnv = this.environment(found.fn, found.region, url);
    const lines: string[] = [];
    const running = fn.invoke(event, { extraEnv, onLog: (line) => lines.push(line.line) });
    if (type === 'Event') {
      void running;
      return { status: 202, headers: { 'x-amzn-requestid': randomUUID() }, body: '' };
    }
    const outcome = await running;
    const headers: Record<string, string> = { 'x-amz-executed-version': '$LATEST' };
    if (req.headers['x-amz-log-type'] === 'Tail') headers['x-amz-log-result'] = tail(lines);
    const failure = functionError(outcome, found.fn);
    if (failure) return jsonResponse(200, failure, { ...headers, 'x-amz-function-error': 'Unhandled' });
    let payload: string;
    try {
      payload = JSON.stringify(outcome.value ?? null) ?? 'null';
    } catch (err) {
      return jsonResponse(200, { errorType: 'Runtime.MarshalError', errorMessage: `Unable to marshal response: ${message(err)}` }, { ...headers, 'x-amz-function-error': 'Unhandled' });
    }
    return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers }, body: payload };
  }

  private local(spec: StackFunctionSpec, region: string): LocalFunction {
    const functionSpec: FunctionSpec = {
      logicalId: spec.logicalId,
      functionName: spec.functionName,
      arn: spec.arn,
      codeDir: spec.codeDir,
      handler: spec.handler,
      timeoutSeconds: spec.timeoutSeconds,
      memorySize: spec.memorySize,
      environment: spec.environment,
      region,
    };
    const key = JSON.stringify(functionSpec);
    let fn = this.loaded.get(key);
    if (!fn) {
      // Whatever put the function in the registry (a registration, a state file), only code the runner staged is loaded (once, at a cold start).
      const unstaged = stagedCodeProblem(spec.codeDir);
      if (unstaged) throw new LambdaError(400, 'CodeVerificationFailedException', `${spec.functionName}: ${unstaged}; the emulator runs only that`);
      // What another recording of this function loaded is cold now.
      for (const [other, loaded] of this.loaded) if (loaded.spec.arn === spec.arn) this.loaded.delete(other);
      fn = new LocalFunction(functionSpec);
      this.loaded.set(key, fn);
    }
    return fn;
  }

  private environment(spec: StackFunctionSpec, region: string, url: string): Record<string, string> {
    const secret = spec.accessKeyId === undefined ? undefined : this.host.secretOf(spec.accessKeyId);
    const credentials = spec.accessKeyId !== undefined && secret !== undefined ? { accessKeyId: spec.accessKeyId, secretAccessKey: secret } : TEST_CREDENTIALS;
    return {
      ...Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, url])),
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      // The function runs on Lambda's Node.js there; here on this one.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }
}

/** The function and qualifier an `Invoke` request names (path label, then the `Qualifier` query parameter). */
export function invokeTarget(req: EmulatorRequest): InvokeTarget {
  const label = decodeComponent(INVOKE_PATH.exec(req.path)?.[1] ?? '');
  const arn = /^(arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+|\d{12}:function:[^:]+|[^:]+)(?::([^:]+))?$/.exec(label);
  const fromName = arn?.[2];
  const query = queryValue(req.query, 'Qualifier');
  const qualifier = fromName ?? query;
  return { function: arn?.[1] ?? label, ...(qualifier === undefined ? {} : { qualifier }), ...(fromName !== undefined && query !== undefined && fromName !== query ? { conflict: true as const } : {}) };
}

/** The recorded function a target names, with its stack's region. */
export function findFunction(stacks: StackRegistry, target: InvokeTarget, ctx: { readonly region: string; readonly accountId: string; readonly operator?: boolean }): { fn: StackFunctionSpec; region: string } | undefined {
  const name = target.function;
  for (const stack of stacks.list()) {
    // A principal invokes functions of its own account by name; an ARN names the account itself.
    if (!name.startsWith('arn:') && !name.includes(':') && ctx.operator !== true && stack.accountId !== ctx.accountId) continue;
    for (const fn of stack.functions) {
      const hit = name.startsWith('arn:')
        ? fn.arn === name
        : stack.region === ctx.region && (fn.functionName === name || (name.includes(':') && `${stack.accountId}:function:${fn.functionName}` === name));
      if (hit) return { fn, region: stack.region };
    }
  }
  return undefined;
}

/** The ARN a target names (the recorded one, or the one it would have in the request's region), with its qualifier. */
export function functionArn(stacks: StackRegistry, target: InvokeTarget, ctx: { readonly region: string; readonly accountId: string }): string {
  const found = findFunction(stacks, target, ctx);
  const partition = ctx.region.startsWith('cn-') ? 'aws-cn' : ctx.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  const name = target.function;
  const base =
    found?.fn.arn ??
    (name.startsWith('arn:') ? name : name.includes(':') ? `arn:${partition}:lambda:${ctx.region}:${name}` : `arn:${partition}:lambda:${ctx.region}:${ctx.accountId}:function:${name}`);
  return target.qualifier === undefined ? base : `${base}:${target.qualifier}`;
}

/** What a failed invocation answers (Lambda's function error payload), or undefined when it succeeded. */
function functionError(outcome: InvocationOutcome, fn: StackFunctionSpec): Record<string, unknown> | undefined {
  if (outcome.timedOut) return { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${randomUUID()} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` };
  if (outcome.error === undefined) return undefined;
  const error = outcome.error;
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  return { errorType: typeof error, errorMessage: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)) };
}

function tail(lines: readonly string[]): string {
  const log = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)).toString('base64');
}

/** Lambda's error format: `{"Type": "User", "Message": ...}` (`message` in the errors whose shape spells it so, and the front end's). */
function lambdaError(status: number, code: string, text: string, lowerCaseMessage = false): EmulatorResponse {
  const body = lowerCaseMessage ? { Type: 'User', message: text } : { Type: status >= 500 ? 'Service' : 'User', Message: text };
  return jsonResponse(status, body, { 'x-amzn-errortype': code });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
