import { randomInt } from 'crypto';
import { AuthorizationContext, authorize, checksFor } from './authorize';
import { CallRecord } from './call-log';
import { Faults, FaultSpec, prng, serviceProblem } from './faults';
import { isRead, Staleness } from './staleness';
import { CloudFormation } from './cloudformation';
import { Clock, EmulatorOptions, EmulatorState, frontEndError, HandledResponse } from './emulator-types';
import { functionArn, invokeTarget, LambdaService } from './lambda';
import {
  EmulatorRequest,
  EmulatorResponse,
  isRecord,
  isServiceName,
  PLAIN_SECRETS,
  ProtocolService,
  REDACTED_SECRETS,
  SecretValues,
  SERVICE_NAMES,
  ServiceName,
} from './protocol';
import { Principals, PrincipalSpec, PrincipalView } from './principals';
import { CHIME_ERRORS, RestJsonService, WICKR_ERRORS } from './restjson';
import { S3 } from './s3';
import { SecretsManager } from './secretsmanager';
import { EmulatedService, RequestContext } from './service';
import { parseAuthorization, testAccountOf, verifySignature } from './sigv4';
import { RecordedStack, StackRegistry } from './stacks';
import { accountOfPrincipal } from './principals';
import { readStateFile, writeStateFile } from './state-file';

/**
 * The emulator without its HTTP server: every service's state, the call log, faults and
 * the clock. `handle` takes one request through authentication, routing, faults and the
 * service; `server.ts` only moves bytes between sockets and `handle`.
 */

export type { CallAuthorization, CallRecord, RecordedRequest } from './call-log';
export { Clock } from './emulator-types';
export type { EmulatorOptions, EmulatorState, HandledResponse } from './emulator-types';
export type { RecordedStack, StackSpec } from './stacks';

export interface EmulatedServices {
  readonly wickr: EmulatedService;
  readonly chime: EmulatedService;
}

export class Emulator<S extends EmulatedServices = EmulatedServices> {
  readonly accountId: string;
  readonly stateFile?: string;
  readonly clock = new Clock();
  /** Delay before every service call, in milliseconds; may be changed at any time. */
  latencyMs: number;
  readonly secrets: SecretsManager;
  readonly s3: S3;
  /**
   * Where the emulator is served (`serve()` sets it): the endpoint overrides of the
   * functions Lambda `Invoke` runs. Unset, the request's `Host` is used.
   */
  endpointUrl?: string;
  private readonly stacks = new StackRegistry(() => this.clock.now());
  private readonly endpoints: Readonly<Record<ServiceName, ProtocolService>>;
  private readonly seed: number;
  private readonly faults: Faults;
  private readonly staleness = new Staleness();
  private readonly principals = new Principals();
  private ids: () => number;
  private log: CallRecord[] = [];

  constructor(
    readonly services: S,
    options: EmulatorOptions = {},
  ) {
    this.accountId = options.accountId ?? '123456789012';
    this.stateFile = options.stateFile;
    this.latencyMs = options.latencyMs ?? 0;
    this.seed = options.seed ?? randomInt(2 ** 31);
    this.faults = new Faults(this.seed);
    this.ids = prng(this.seed ^ 0x5bd1e995);
    this.secrets = new SecretsManager({ accountId: this.accountId, region: options.region ?? 'us-east-1', random: () => this.ids(), now: () => this.clock.now() });
    this.s3 = new S3(() => this.clock.now());
    this.endpoints = {
      wickr: new RestJsonService('wickr', services.wickr, WICKR_ERRORS),
      chime: new RestJsonService('chime', services.chime, CHIME_ERRORS),
      secretsmanager: this.secrets,
      s3: this.s3,
      cloudformation: new CloudFormation(this.stacks),
      lambda: new LambdaService({
        stacks: this.stacks,
        secretOf: (accessKeyId) => this.principals.get(accessKeyId)?.secretAccessKey,
        endpointUrl: (req) => this.endpointUrl ?? (req.headers.host ? `http://${req.headers.host}` : undefined),
      }),
    };
  }

  /**
   * One request: the SigV4 credential scope names the service; the signature is checked
   * (before routing errors, as AWS does: with the secret of the access key's registered
   * principal, or the test credentials; a request time more than 15 minutes off the
   * emulator clock is refused); a registered principal's call is authorized against its
   * statements (before faults, as by AWS's front end); then faults, latency, the clock
   * tick, and the operation. Every request that reaches a service is recorded in the call log.
   */
  async handle(req: EmulatorRequest): Promise<HandledResponse> {
    const auth = parseAuthorization(req.headers.authorization);
    if ('error' in auth) {
      return req.headers.authorization
        ? frontEndError(400, 'IncompleteSignatureException', auth.error)
        : frontEndError(403, 'MissingAuthenticationTokenException', auth.error);
    }
    if (!isServiceName(auth.service)) {
      return frontEndError(403, 'InvalidSignatureException', `Credential should be scoped to a service the emulator serves (${SERVICE_NAMES.join(', ')}), not '${auth.service}'.`);
    }
    const endpoint = this.endpoints[auth.service];
    const operation = endpoint.operationOf(req);
    const verdict = verifySignature(req, auth, endpoint.name !== 's3', this.principals.credentialsFor(auth.accessKeyId), this.clock.now());
    if (!verdict.ok) return this.record(endpoint, operation ?? 'Unknown', req, endpoint.standardError(verdict.kind, verdict.message, verdict.fields));
    if (operation === undefined) return this.record(endpoint, 'Unknown', req, endpoint.unknownOperation(req));
    const principal = this.principals.get(auth.accessKeyId);
    // The account is the caller's: a principal's ARN names it; `test-<account>` names it; `test` acts in the default account.
    const accountId = (principal ? accountOfPrincipal(principal.arn) : testAccountOf(auth.accessKeyId)) ?? this.accountId;
    const denial = principal && authorize(principal, checksFor(endpoint, operation, req, this.authorizationContext(auth.region, accountId)));
    if (principal && denial) return this.record(endpoint, operation, req, endpoint.standardError('accessDenied', denial.message), { authorization: { principal: principal.arn, denied: denial.message } });
    const authorization = principal && { principal: principal.arn };

    const plan = this.faults.plan(endpoint.name, operation, { pageToken: endpoint.pageTokens?.carries(req) ?? false });
    const delay = this.latencyMs + plan.latencyMs;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (plan.failure) {
      const message = plan.code ? `${plan.code} (injected fault)` : plan.failure === 'throttle' ? 'Rate exceeded (injected fault)' : 'Internal failure (injected fault)';
      const response = (plan.code && endpoint.namedError?.(plan.code, message)) || endpoint.standardError(plan.failure, message);
      return this.record(endpoint, operation, req, response, { fault: plan.failure, authorization });
    }
    if (plan.expirePageToken && endpoint.pageTokens) return this.record(endpoint, operation, req, endpoint.pageTokens.expired(), { fault: 'expire-page-tokens', authorization });
    const ctx: RequestContext = { accountId, region: auth.region, now: () => this.clock.now(), ...(principal ? {} : { operator: true }) };
    for (const service of Object.values(this.endpoints)) service.tick?.(ctx);
    const now = this.clock.now().getTime();
    const run = () => endpoint.invoke(operation, req, ctx);
    if (!isRead(operation)) this.staleness.beforeChange(endpoint, now, plan.staleMs, this.faults.staleLag(endpoint.name));
    const response = await (isRead(operation) ? this.staleness.read(endpoint, now, plan.staleMs, run) : run());
    const fault = plan.drop ? 'drop-after-commit' : plan.staleMs > 0 ? 'stale' : plan.latencyMs > 0 ? 'latency' : undefined;
    return this.record(endpoint, operation, req, response, { ...(fault ? { fault } : {}), ...(plan.drop ? { dropped: true as const } : {}), authorization });
  }

  /**
   * Registers (or replaces) an IAM principal: calls signed with `accessKeyId` are verified
   * with its secret and authorized against its identity-based policy statements, as IAM
   * would. Throws an `Error` naming what is wrong with it. The test credentials cannot be
   * registered: they stay unrestricted.
   */
  registerPrincipal(accessKeyId: string, spec: PrincipalSpec): PrincipalView {
    return this.principals.register(accessKeyId, spec);
  }

  /** Forgets a principal (its key becomes unknown again); false when there was none. */
  removePrincipal(accessKeyId: string): boolean {
    return this.principals.remove(accessKeyId);
  }

  /** The registered principals, without their secrets. */
  listPrincipals(): PrincipalView[] {
    return this.principals.list();
  }

  /** Forgets every principal. */
  clearPrincipals(): void {
    this.principals.clear();
  }

  /**
   * Records (or replaces) a stack as `deploy-local` deployed it (see `StackSpec`): the
   * emulator's CloudFormation and Lambda serve it. Throws an `Error` naming what is wrong
   * with the spec.
   */
  registerStack(stackName: string, spec: unknown): RecordedStack {
    return this.stacks.register(stackName, spec);
  }

  /** Forgets a stack; false when there was none. */
  /** Changes a registered stack's status and resources while it is deployed (see `StackPatch`); throws an `Error` naming what is wrong. */
  patchStack(stackName: string, patch: unknown): RecordedStack {
    return this.stacks.patch(stackName, patch);
  }

  removeStack(stackName: string): boolean {
    return this.stacks.remove(stackName);
  }

  /** The recorded stacks (copies). */
  listStacks(): RecordedStack[] {
    return JSON.parse(JSON.stringify(this.stacks.list())) as RecordedStack[];
  }

  /** The call log, oldest first. */
  calls(): CallRecord[] {
    return [...this.log];
  }

  clearCalls(): void {
    this.log = [];
  }

  /** Adds a fault (see `FaultSpec`); throws on an invalid spec. */
  addFault(spec: FaultSpec): void {
    this.faults.add(spec, (s) => serviceProblem(s, (name) => this.endpoints[name]));
  }

  /** The faults still in force, with their remaining counts. */
  listFaults(): FaultSpec[] {
    return this.faults.list();
  }

  /** Clears the faults; what stale faults hid is shown at once. */
  clearFaults(): void {
    this.faults.clear();
    this.staleness.clear();
  }

  /** Back to a fresh emulator: all services' state, client tokens, secrets, objects, stacks, faults, principals, calls, the clock offset and the id sequence. */
  reset(): void {
    for (const endpoint of Object.values(this.endpoints)) endpoint.reset();
    this.clearFaults();
    this.principals.clear();
    this.log = [];
    this.clock.offsetMs = 0;
    this.ids = prng(this.seed ^ 0x5bd1e995);
  }

  /**
   * A JSON-safe copy of all state (not faults, principals, calls or the clock), secret
   * values included: for use in this process. What leaves it for a person does not carry
   * them: `redactedState()` (the control endpoint) and `saveState()` (sealed values).
   */
  exportState(): EmulatorState {
    return this.exportWith(PLAIN_SECRETS);
  }

  /** `exportState()` with every secret value replaced by `<redacted>` (what `GET /_emulator/state` shows). */
  redactedState(): EmulatorState {
    return this.exportWith(REDACTED_SECRETS);
  }

  /** Replaces all state with an exported one (secret values as `exportState()` gives them; redacted ones are refused). */
  importState(state: unknown, secrets: SecretValues = PLAIN_SECRETS): void {
    if (!isRecord(state) || state.version !== 1) throw new Error('not an emulator state (expected version 1)');
    for (const name of SERVICE_NAMES) this.endpoints[name].importState(state[name], secrets);
    this.staleness.clear();
  }

  /**
   * Writes the state (atomically: temporary file, then rename). Secret values are sealed
   * with a key kept beside it (`<name>.key`, mode 0600): see `state-file.ts`.
   */
  saveState(file: string | undefined = this.stateFile): void {
    if (!file) throw new Error('saveState: no file given and no stateFile option');
    writeStateFile(file, (secrets) => this.exportWith(secrets));
  }

  /** Loads a state written by `saveState` (its key file opens the sealed values). */
  loadState(file: string | undefined = this.stateFile): void {
    if (!file) throw new Error('loadState: no file given and no stateFile option');
    readStateFile(file, (state, secrets) => this.importState(state, secrets));
  }

  private authorizationContext(region: string, accountId: string): AuthorizationContext {
    return {
      region,
      accountId,
      secretArn: (id) => this.secrets.arnOf(id, { accountId, region }),
      stackArn: (nameOrId) => this.stacks.find(nameOrId, region, accountId)?.stackId,
      stackOwning: (physicalId) => this.stacks.list().find((s) => s.region === region && s.accountId === accountId && s.resources.some((r) => r.physicalId === physicalId))?.stackId,
      functionArn: (req) => functionArn(this.stacks, invokeTarget(req), { region, accountId }),
    };
  }

  private exportWith(secrets: SecretValues): EmulatorState {
    const state = Object.fromEntries(SERVICE_NAMES.map((name) => [name, this.endpoints[name].exportState(secrets)]));
    return JSON.parse(JSON.stringify({ version: 1, ...state })) as EmulatorState;
  }

  private record(
    endpoint: ProtocolService,
    operation: string,
    req: EmulatorRequest,
    response: EmulatorResponse,
    extra: Pick<CallRecord, 'fault' | 'dropped' | 'authorization'> = {},
  ): HandledResponse {
    const { authorization: _authorization, ...headers } = req.headers;
    const query = endpoint.loggedQuery?.(req) ?? { ...req.query };
    const { authorization, ...rest } = extra;
    this.log.push({
      service: endpoint.name,
      operation,
      status: response.status,
      request: { method: req.method, path: req.path, query, headers, body: endpoint.loggedBody(req) },
      ...rest,
      ...(response.replayed ? { replayed: true as const } : {}),
      ...(authorization ? { authorization } : {}),
    });
    // The service's time, as AWS's Date header: clients correct their clock skew by it.
    return { ...response, headers: { ...response.headers, date: this.clock.now().toUTCString() }, drop: extra.dropped === true };
  }
}
