import * as fs from 'fs';
import * as path from 'path';
import * as chimeSdk from '@aws-sdk/client-chime-sdk-identity';
import { Match, Matcher } from 'aws-cdk-lib/assertions';
import { EvaluationContext, resolveValue, Template } from '../../local/runner/intrinsics';
import type { StateFile } from '../../local/runner/state';

/**
 * Evaluates the assertions of an integ-tests assertion stack (`integ.assertions.awsApiCall(...)
 * .expect(...)`) against the emulator, as the assertion provider's Lambda function does in an
 * account: each `Custom::DeployAssert@SdkCall...` resource's `service`, `api` and
 * `parameters` (resolved against the deployed case stacks' exports) make the call with the
 * service's client, and the response is matched against `expected` with the integ-tests
 * encoding (`$ObjectLike`, `$ArrayWith`, `$StringLike`, `$SerializedJson`) and the
 * `aws-cdk-lib/assertions` matchers integ-tests itself uses.
 *
 * The local runner does not run that function (integ-tests' bundled provider needs the
 * Lambda runtime's AWS SDK); this does what it does, with the clients it would load:
 * `@aws-sdk/client-chime-sdk-identity` for Chime SDK Identity, and for Wickr, which has no
 * AWS SDK client, the one the Wickr case's layer provides (`wickr-sdk-layer.ts`), loaded
 * from the synthesized assembly.
 */

type Json = Record<string, unknown>;

export interface SdkCallAssertion {
  readonly logicalId: string;
  readonly service: string;
  readonly api: string;
  /** Decoded as the provider decodes them (each value JSON-parsed). */
  readonly parameters: Record<string, unknown>;
  /** The integ-tests encoding of the expected result (a JSON string), or undefined for a call without `.expect`. */
  readonly expected?: string;
  readonly flattenResponse: boolean;
  readonly outputPaths?: string[];
  readonly actualPath?: string;
}

export interface AssertionOutcome {
  readonly assertion: SdkCallAssertion;
  readonly status: 'pass' | 'fail';
  /** What did not match, or the call's error. */
  readonly message?: string;
}

export interface CallTarget {
  /** The emulator's URL. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const SDK_CALL = 'Custom::DeployAssert@SdkCall';

/**
 * The SDK-call assertions of an assertion stack's template, their properties resolved:
 * `Fn::ImportValue` from the exports of the stacks the runner deployed (its state file).
 * Any other `Custom::DeployAssert@...` resource (`httpApiCall`, `invokeFunction`,
 * `assertions.expect`, waiters) is refused, so a case that uses one fails here until this
 * evaluator learns it, instead of passing unchecked.
 */
export function sdkCallAssertions(template: Template, state: StateFile): SdkCallAssertion[] {
  const exports = Object.assign({}, ...Object.values(state.stacks).map((s) => s.exports)) as Record<string, string>;
  const anyStack = Object.values(state.stacks)[0];
  const ctx: EvaluationContext = {
    stackName: 'assertions',
    stackId: 'assertions',
    account: anyStack?.account ?? '123456789012',
    region: anyStack?.region ?? 'us-east-1',
    parameters: {},
    conditions: {},
    mappings: {},
    resource: () => undefined,
    importValue: (name) => exports[name],
  };
  const out: SdkCallAssertion[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!resource.Type.startsWith('Custom::DeployAssert@')) continue;
    if (!resource.Type.startsWith(SDK_CALL)) throw new Error(`${logicalId}: ${resource.Type} is not evaluated against the emulator (only awsApiCall assertions are)`);
    const { ServiceToken: _token, ...properties } = (resource.Properties ?? {}) as Json;
    if ('stateMachineArn' in properties) throw new Error(`${logicalId}: waiters (waitForAssertions) are not evaluated against the emulator`);
    const props = resolveValue(properties, ctx, logicalId) as Json;
    out.push({
      logicalId,
      service: String(props.service),
      api: String(props.api),
      parameters: decodeParameters((props.parameters ?? {}) as Json),
      expected: props.expected === undefined ? undefined : String(props.expected),
      flattenResponse: props.flattenResponse === 'true',
      outputPaths: props.outputPaths as string[] | undefined,
      actualPath: props.actualPath as string | undefined,
    });
  }
  return out;
}

/** integ-tests' `decodeParameters`: each value is JSON, else kept as it is. */
function decodeParameters(parameters: Json): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters).map(([key, value]) => {
    try {
      return [key, JSON.parse(value as string)];
    } catch {
      return [key, value];
    }
  }));
}

type SdkPackage = Record<string, unknown>;

/**
 * Finds `@aws-sdk/client-<service>` as the assertion provider's function would in Lambda:
 * in its layers first (`/opt/nodejs/node_modules`, here the layer's staged asset in the
 * cloud assembly), then in the runtime's AWS SDK (here the installed official clients of
 * the services the emulator serves; the runtime has no Wickr client, as npm has none).
 */
export function lambdaModules(assemblyDir: string, template: Template): (packageName: string) => SdkPackage | undefined {
  const resources = template.Resources ?? {};
  const layerDirs: string[] = [];
  for (const fn of Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
    for (const ref of ((fn.Properties ?? {}).Layers ?? []) as Array<{ Ref?: string }>) {
      const layer = ref.Ref ? resources[ref.Ref] : undefined;
      const key = (layer?.Properties?.Content as { S3Key?: unknown } | undefined)?.S3Key;
      if (typeof key !== 'string') throw new Error(`the layer ${JSON.stringify(ref)} of the assertion provider is not an asset of this assembly`);
      layerDirs.push(path.join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`));
    }
  }
  return (packageName) => {
    for (const dir of layerDirs) {
      const file = path.join(dir, 'nodejs', 'node_modules', ...packageName.split('/'), 'index.js');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (fs.existsSync(file)) return require(file) as SdkPackage;
    }
    return RUNTIME_SDK[packageName];
  };
}

const RUNTIME_SDK: Record<string, SdkPackage> = {
  '@aws-sdk/client-chime-sdk-identity': chimeSdk as unknown as SdkPackage,
};

/** integ-tests' `normalizeServiceName` for the services here: lower case, v3 package or client name, v2 names mapped. */
const V2_NAMES: Record<string, string> = { chimesdkidentity: 'chime-sdk-identity' };

/**
 * The call an assertion makes, as integ-tests' provider makes it: the package
 * `@aws-sdk/client-<service>`, its first export named `...Client`, the command class
 * `<Api>Command` (any case); here with the emulator as the endpoint.
 */
export async function call(assertion: SdkCallAssertion, target: CallTarget, modules: (packageName: string) => SdkPackage | undefined): Promise<Json> {
  const v3 = assertion.service.toLowerCase().replace(/^@aws-sdk\/client-/, '');
  const packageName = `@aws-sdk/client-${V2_NAMES[v3] ?? v3}`;
  const sdk = modules(packageName);
  if (!sdk) throw new Error(`Service ${V2_NAMES[v3] ?? v3} client package with name '${packageName}' does not exist.`);
  const api = assertion.api.charAt(0).toUpperCase() + assertion.api.slice(1).replace(/Command$/, '');
  const Command = Object.entries(sdk).find(([name]) => name.toLowerCase() === `${api}Command`.toLowerCase())?.[1] as (new (input: unknown) => unknown) | undefined;
  if (!Command) throw new Error(`Unable to find command named: ${api}Command for action: ${api} in service package ${packageName}`);
  const Client = Object.entries(sdk).find(([name]) => name.endsWith('Client') && name !== '__Client')?.[1] as
    | (new (config: unknown) => { send(command: unknown): Promise<unknown>; destroy?(): void })
    | undefined;
  if (!Client) throw new Error(`No client constructor found within package: ${packageName}`);
  const client = new Client({ region: target.region, credentials: target.credentials, endpoint: target.endpoint, maxAttempts: 1 });
  try {
    const response = (await client.send(new Command(assertion.parameters))) as Json;
    delete response.$metadata;
    // As the response reaches the assertion: dates and the like as JSON has them.
    return JSON.parse(JSON.stringify(response)) as Json;
  } finally {
    client.destroy?.();
  }
}

/** The value the provider asserts on: the response, or one flattened path of it (`actualPath`). */
function actualOf(assertion: SdkCallAssertion, response: Json): unknown {
  if (!assertion.flattenResponse && !assertion.outputPaths) return response;
  const flat = flatten({ apiCallResponse: deepParseJson(response) });
  return assertion.actualPath ? flat[`apiCallResponse.${assertion.actualPath}`] : undefined;
}

function deepParseJson(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(deepParseJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepParseJson(v)]));
  return value;
}

function flatten(root: unknown): Json {
  const out: Json = {};
  const walk = (value: unknown, at: string[]): void => {
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
    else out[at.join('.')] = value;
  };
  walk(root, []);
  return out;
}

/** integ-tests' encoded matcher (`ExpectedResult.objectLike(...)` and `Match.*` inside it) as an `aws-cdk-lib/assertions` matcher. */
export function decodeExpected(expected: string): Matcher {
  let parsed: unknown;
  try {
    parsed = JSON.parse(expected);
  } catch {
    return Match.exact(expected);
  }
  const decode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(decode);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, inner] = entries[0] ?? [];
    switch (key) {
      case '$ArrayWith': return Match.arrayWith(decode(inner) as unknown[]);
      case '$ObjectLike': return Match.objectLike(decode(inner) as Json);
      case '$StringLike': return Match.stringLikeRegexp(inner as string);
      case '$SerializedJson': return Match.serializedJson(decode(inner));
      default: return Object.fromEntries(entries.map(([k, v]) => [k, decode(v)]));
    }
  };
  const decoded = decode(parsed);
  return Matcher.isMatcher(decoded) ? decoded : Match.exact(decoded);
}

/** Makes each assertion's call and matches its response. A call that fails fails its assertion. */
export async function evaluate(
  assertions: readonly SdkCallAssertion[],
  target: CallTarget,
  modules: (packageName: string) => SdkPackage | undefined,
): Promise<AssertionOutcome[]> {
  const outcomes: AssertionOutcome[] = [];
  for (const assertion of assertions) {
    let response: Json;
    try {
      response = await call(assertion, target, modules);
    } catch (err) {
      outcomes.push({ assertion, status: 'fail', message: `${assertion.service}.${assertion.api} failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` });
      continue;
    }
    if (assertion.expected === undefined) {
      outcomes.push({ assertion, status: 'pass' });
      continue;
    }
    const result = decodeExpected(assertion.expected).test(actualOf(assertion, response));
    result.finished();
    outcomes.push(result.hasFailed()
      ? { assertion, status: 'fail', message: `${assertion.service}.${assertion.api}: ${result.renderMismatch()}` }
      : { assertion, status: 'pass' });
  }
  return outcomes;
}

/** One line per failed assertion, for a test's failure message. */
export function failures(outcomes: readonly AssertionOutcome[]): string[] {
  return outcomes.filter((o) => o.status === 'fail').map((o) => `${o.assertion.logicalId}: ${o.message}`);
}
