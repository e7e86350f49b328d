import { randomUUID } from 'crypto';
import { createServiceClients } from '../../lambda/core/clients';
import { createDispatcher } from '../../lambda/core/dispatcher';
import { CustomResourceEvent, CustomResourceResponse, ReadResult } from '../../lambda/core/event';
import { setLogSink } from '../../lambda/core/log';
import { HANDLERS } from '../../lambda/index';
import { startEmulator } from '../../local/emulator';
import { STACK_ID_ENV } from '../../lambda/core/ownership.wire';
import { CloudFormationTwin } from './cloudformation-twin';

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/HarnessStack/2c7e6d10-0000-4000-8000-000000000001';

/** Turns every leaf value into a string, as CloudFormation does with custom resource properties. */
export function cfnStringify(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(cfnStringify);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const s = cfnStringify(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return String(value);
}

export interface LifecycleCall {
  readonly type: string;
  readonly props: Record<string, unknown>;
  readonly logicalId?: string;
  readonly requestId?: string;
  /** The answer never reaches CloudFormation (Lambda delivers the event again): the resource stays in progress. */
  readonly answerLost?: boolean;
  /** The provider function's time left when the event arrives. @default 600,000 ms */
  readonly remainingMs?: number;
}

/**
 * Drives the handler (the TypeScript source, in process) against a local emulator with
 * CloudFormation-shaped events whose properties are stringified, and captures each
 * response and log line. The bundled handler is exercised by the lifecycle runner tests.
 */
export async function startHarness(options: { seed?: number } = {}) {
  const running = await startEmulator({ port: 0, ...options });
  const env = {
    AWS_ENDPOINT_URL_WICKR: running.url,
    AWS_ENDPOINT_URL_CHIME_SDK_IDENTITY: running.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: running.url,
    AWS_ENDPOINT_URL_S3: running.url,
    AWS_ENDPOINT_URL_CLOUDFORMATION: running.url,
    [STACK_ID_ENV]: STACK_ID,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const logs: string[] = [];
  setLogSink((line) => logs.push(line));
  const responses: CustomResourceResponse[] = [];
  // CloudFormation's view of the harness stack: the provider acts only on events it is running.
  const cloudformation = new CloudFormationTwin(running.emulator, STACK_ID);
  const handler = createDispatcher(HANDLERS, {
    clients: createServiceClients,
    respond: async (_url, response) => {
      responses.push(response);
    },
  });

  async function send(
    event: Omit<CustomResourceEvent, 'ServiceToken' | 'ResponseURL' | 'StackId' | 'RequestId'> & { RequestId?: string },
    answerLost = false,
    remainingMs = 600_000,
  ): Promise<CustomResourceResponse> {
    const before = responses.length;
    const full: CustomResourceEvent = {
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
      ResponseURL: 'https://example.invalid/response',
      StackId: STACK_ID,
      ...event,
      RequestId: event.RequestId ?? randomUUID(),
      ResourceProperties: cfnStringify(event.ResourceProperties) as Record<string, unknown>,
      OldResourceProperties: event.OldResourceProperties ? (cfnStringify(event.OldResourceProperties) as Record<string, unknown>) : undefined,
    };
    cloudformation.before(full);
    const deadline = Date.now() + remainingMs;
    await handler(full, { getRemainingTimeInMillis: () => deadline - Date.now() });
    if (responses.length !== before + 1) throw new Error(`expected exactly one response, got ${responses.length - before}`);
    const response = responses[responses.length - 1];
    if (!answerLost) cloudformation.after(full, response);
    return response;
  }

  return {
    url: running.url,
    emulator: running.emulator,
    cloudformation,
    logs,
    responses,
    create: (c: LifecycleCall) =>
      send({ RequestType: 'Create', ResourceType: c.type, LogicalResourceId: c.logicalId ?? 'Resource', RequestId: c.requestId, ResourceProperties: c.props }, c.answerLost),
    update: (c: LifecycleCall & { physicalId: string; oldProps: Record<string, unknown> }) =>
      send({
        RequestType: 'Update',
        ResourceType: c.type,
        LogicalResourceId: c.logicalId ?? 'Resource',
        RequestId: c.requestId,
        PhysicalResourceId: c.physicalId,
        ResourceProperties: c.props,
        OldResourceProperties: c.oldProps,
      }),
    remove: (c: LifecycleCall & { physicalId: string }) =>
      send({ RequestType: 'Delete', ResourceType: c.type, LogicalResourceId: c.logicalId ?? 'Resource', RequestId: c.requestId, PhysicalResourceId: c.physicalId, ResourceProperties: c.props }, false, c.remainingMs),
    read: async (c: LifecycleCall & { physicalId: string }) =>
      (await handler(
        { RequestType: 'Read', ResourceType: c.type, LogicalResourceId: c.logicalId ?? 'Resource', PhysicalResourceId: c.physicalId, ResourceProperties: cfnStringify(c.props) as Record<string, unknown> },
        { getRemainingTimeInMillis: () => 60_000 },
      )) as ReadResult,
    /** A raw request the provider serves synchronously (`Read`, `Repair`), as the drift command invokes it. */
    invoke: async (request: Record<string, unknown>) => handler(request, { getRemainingTimeInMillis: () => 60_000 }),
    /** Service calls (not control or secrets calls) recorded since the last `clearCalls`. */
    calls: (service?: string) => running.emulator.calls().filter((c) => (service ? c.service === service : c.service === 'wickr' || c.service === 'chime')),
    clearCalls: () => running.emulator.clearCalls(),
    async close() {
      setLogSink(undefined);
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await running.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
