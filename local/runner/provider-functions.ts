import * as path from 'path';
import { EmulatorApi } from './aws';
import { CustomOutcome, CustomRequest, CustomRuntime, sendCustomRequest } from './custom';
import type { EngineOptions } from './phase';
import { FunctionIdentities } from './iam';
import { canonicalJson } from './intrinsics';
import { LocalFunction } from './lambda';
import { Recorder } from './report';
import { ResponseServer } from './response-server';
import { ResourceState, StateFile, StateStore } from './state';

/**
 * The invocation of the provider functions that serve custom resources: the local function
 * a `ServiceToken` names (a function of the current stack first, then of the other stacks),
 * run with its own IAM identity and the emulator's endpoints.
 */
export class ProviderFunctions {
  private readonly functionCache = new Map<string, LocalFunction>();
  /** IAM: each provider function's own credentials and role statements (local/runner/iam.ts). */
  private identities?: FunctionIdentities;
  /** The current stack's resources (working state first), for finding provider functions. */
  scope?: { readonly region: string; readonly entries: () => ResourceState[] };

  constructor(
    private readonly store: StateStore,
    private readonly state: StateFile,
    private readonly recorder: Recorder,
    private readonly server: ResponseServer,
    private readonly api: EmulatorApi | undefined,
    private readonly options: EngineOptions,
  ) {}

  /** Sends `request` to the function its `ServiceToken` names, with that function's own credentials. */
  async custom(request: CustomRequest): Promise<CustomOutcome> {
    // IAM: the function gets its own credentials; its role's statements reach the emulator first.
    this.identities ??= new FunctionIdentities(this.api, this.recorder);
    const identity = await this.identities.prepare(request.properties.ServiceToken, { current: this.scope?.entries() ?? [], currentStack: request.stack.stackName, saved: this.state });
    if ('error' in identity) return { status: 'FAILED', data: {}, timedOut: false, reason: identity.error };
    const runtime: CustomRuntime = {
      recorder: this.recorder,
      server: this.server,
      extraEnv: {
        ...(this.api
          ? {
              AWS_ENDPOINT_URL_WICKR: this.api.url,
              AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY: this.api.url,
              AWS_ENDPOINT_URL_SECRETS_MANAGER: this.api.url,
              AWS_ENDPOINT_URL_S3: this.api.url,
              AWS_ENDPOINT_URL_CLOUDFORMATION: this.api.url,
              AWS_ENDPOINT_URL_LAMBDA: this.api.url,
            }
          : {}),
        ...identity.env,
        // The function runs on Node.js 22 in Lambda; locally it runs on this Node.js.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeouts: this.options.timeouts,
      lambdaRetries: this.options.lambdaRetries,
      retryDelayMs: this.options.retryDelayMs,
      duplicateDeliveries: this.options.duplicateDeliveries,
      responseOutage: this.options.responseOutage,
      functionFor: (token) => this.functionFor(token),
    };
    return sendCustomRequest(runtime, request);
  }

  /** The local function a `ServiceToken` names: a function of the current stack first, then of the other stacks. */
  private functionFor(token: string): LocalFunction | { error: string } {
    const candidates: Array<{ entry: ResourceState; region: string }> = [];
    if (this.scope) for (const entry of this.scope.entries()) candidates.push({ entry, region: this.scope.region });
    for (const stack of Object.values(this.state.stacks)) for (const entry of Object.values(stack.resources)) candidates.push({ entry, region: stack.region });
    const found = candidates.find(({ entry }) => entry.function && (entry.attributes.Arn === token || entry.physicalId === token));
    if (!found?.entry.function) {
      return { error: `ServiceToken ${token} is not a Lambda function deployed by the local runner (only AWS::Lambda::Function resources of the app's stacks can serve custom resources locally)` };
    }
    const fn = found.entry.function;
    if (fn.unavailable) return { error: `ServiceToken ${token}: ${fn.unavailable}` };
    const key = canonicalJson([token, found.region, fn]);
    let local = this.functionCache.get(key);
    if (!local) {
      local = new LocalFunction({
        logicalId: found.entry.physicalId,
        functionName: found.entry.physicalId,
        arn: String(found.entry.attributes.Arn ?? token),
        codeDir: path.join(this.store.dir, fn.code),
        handler: fn.handler,
        timeoutSeconds: fn.timeoutSeconds,
        memorySize: fn.memorySize,
        environment: fn.environment,
        region: found.region,
      });
      this.functionCache.set(key, local);
    }
    return local;
  }
}
