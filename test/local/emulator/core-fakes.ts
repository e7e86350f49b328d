import * as http from 'http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import chimeModel from '../../../models/chime-sdk-identity-2021-04-20.json';
import wickrModel from '../../../models/wickr-2024-02-01.json';
import { EmulatedError, EmulatedService, OperationImpl, RequestContext, ServiceModel } from '../../../local/emulator/service';

/**
 * Test doubles for the emulator core: small `EmulatedService`s over the real models
 * (the real wickr.ts / chime.ts are other modules' business), and a SigV4 signing client
 * built on @smithy/signature-v4, the signer the official clients use.
 */

export const WICKR_MODEL = wickrModel as unknown as ServiceModel;
export const CHIME_MODEL = chimeModel as unknown as ServiceModel;

/** A fake service that counts how often each operation ran and which inputs it saw. */
export interface FakeService extends EmulatedService {
  readonly runs: Record<string, number>;
  readonly inputs: Array<{ operation: string; input: Record<string, unknown> }>;
  ticks: number;
  state: Record<string, Record<string, unknown>>;
}

function fakeService(
  model: ServiceModel,
  impls: (svc: FakeService) => Record<string, OperationImpl>,
  validate?: (operation: string, input: Record<string, unknown>) => void,
): FakeService {
  const svc: FakeService = {
    model,
    operations: {},
    runs: {},
    inputs: [],
    ticks: 0,
    state: {},
    validate: validate ? (operation, input) => validate(operation, input) : undefined,
    tick() {
      svc.ticks++;
    },
    reset() {
      svc.state = {};
      svc.ticks = 0;
      svc.inputs.length = 0;
      for (const name of Object.keys(svc.runs)) delete svc.runs[name];
    },
    exportState: () => svc.state,
    importState(state) {
      svc.state = (state ?? {}) as FakeService['state'];
    },
  };
  const counted: Record<string, OperationImpl> = {};
  for (const [name, impl] of Object.entries(impls(svc))) {
    counted[name] = (input, ctx) => {
      svc.runs[name] = (svc.runs[name] ?? 0) + 1;
      svc.inputs.push({ operation: name, input });
      return impl(input, ctx);
    };
  }
  Object.assign(svc, { operations: counted });
  return svc;
}

/** Wickr: networks (ids of 8 digits), security groups, a user, and a prose rule on network names. */
export function fakeWickr(): FakeService {
  let next = 10000000;
  return fakeService(
    WICKR_MODEL,
    (svc) => ({
      CreateNetwork: (input) => {
        const networkId = String(next++);
        svc.state[networkId] = { networkId, networkName: input.networkName, accessLevel: input.accessLevel };
        return { networkId, networkName: input.networkName, internalNote: 'must not be serialized' };
      },
      GetNetwork: (input, ctx) => {
        const network = svc.state[input.networkId];
        if (!network) throw new EmulatedError('ResourceNotFoundError', `network ${input.networkId} not found`);
        return { ...network, awsAccountId: ctx.accountId, networkArn: `arn:aws:wickr:${ctx.region}:${ctx.accountId}:network/${input.networkId}`, encryptionKeyArn: undefined };
      },
      ListNetworks: (input) => ({ networks: Object.values(svc.state).slice(0, input.maxResults ?? 10), nextToken: input.sortDirection }),
      DeleteNetwork: (input) => {
        delete svc.state[input.networkId];
        return { message: 'deleted' };
      },
      CreateSecurityGroup: (input) => ({
        securityGroup: { id: `sg-${Object.keys(svc.state).length}`, name: input.name, isDefault: false, modified: 0, securityGroupSettings: input.securityGroupSettings },
      }),
      BatchToggleUserSuspendStatus: (input) => ({ successful: (input.userIds as string[]).map((userId) => ({ userId, suspend: input.suspend })) }),
      GetUser: (input) => ({ userId: input.userId, username: `${input.startTime instanceof Date ? input.startTime.toISOString() : 'none'}` }),
      GetUsersCount: () => ({ pending: 1, active: 2, rejected: 0, remaining: 7, total: 3 }),
      CreateBot: (input) => ({ botId: '1', username: input.username }),
      GetBot: () => {
        throw new Error('boom: a bug in the implementation');
      },
      DeleteBot: () => {
        throw new EmulatedError('NoSuchWickrError', 'not a code the model knows');
      },
    }),
    (operation, input) => {
      if (operation === 'CreateNetwork' && typeof input.networkName === 'string' && input.networkName.length > 20) {
        throw new EmulatedError('ValidationError', 'network name too long', { reasons: [{ field: 'networkName', reason: 'must be 1 to 20 characters' }] });
      }
    },
  );
}

/** Chime SDK Identity: app instances, admins, tags, retention, list; ARN labels. */
export function fakeChime(): FakeService {
  let next = 1;
  return fakeService(CHIME_MODEL, (svc) => ({
    CreateAppInstance: (input, ctx: RequestContext) => {
      const arn = `arn:aws:chime:${ctx.region}:${ctx.accountId}:app-instance/${String(next++).padStart(8, '0')}-0000-4000-8000-000000000000`;
      svc.state[arn] = { AppInstanceArn: arn, Name: input.Name, Metadata: input.Metadata, CreatedTimestamp: ctx.now().toISOString(), Tags: input.Tags ?? [] };
      return { AppInstanceArn: arn };
    },
    DescribeAppInstance: (input) => {
      const instance = svc.state[input.AppInstanceArn];
      if (!instance) throw new EmulatedError('NotFoundException', `${input.AppInstanceArn} not found`);
      const { Tags: _tags, ...rest } = instance;
      return { AppInstance: { ...rest, CreatedTimestamp: new Date(instance.CreatedTimestamp as string), LastUpdatedTimestamp: new Date(1700000000500) } };
    },
    DeleteAppInstance: (input) => {
      delete svc.state[input.AppInstanceArn];
    },
    CreateAppInstanceAdmin: (input) => ({ AppInstanceArn: input.AppInstanceArn, AppInstanceAdmin: { Arn: input.AppInstanceAdminArn, Name: 'admin' } }),
    TagResource: (input) => {
      const instance = svc.state[input.ResourceARN];
      if (!instance) throw new EmulatedError('NotFoundException', 'no such resource');
      instance.Tags = [...(instance.Tags as unknown[]), ...input.Tags];
    },
    UntagResource: (input) => {
      const instance = svc.state[input.ResourceARN];
      instance.Tags = (instance.Tags as Array<{ Key: string }>).filter((t) => !input.TagKeys.includes(t.Key));
    },
    ListTagsForResource: (input) => ({ Tags: svc.state[input.ResourceARN]?.Tags }),
    ListAppInstances: (input) => ({ AppInstances: Object.values(svc.state).slice(0, input.MaxResults ?? 50).map((i) => ({ AppInstanceArn: i.AppInstanceArn, Name: i.Name })) }),
    PutAppInstanceRetentionSettings: (input, ctx) => ({ AppInstanceRetentionSettings: input.AppInstanceRetentionSettings, InitiateDeletionTimestamp: ctx.now() }),
  }));
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly json: any;
}

export interface SignOptions {
  readonly method: string;
  /** Path as sent, labels already percent-encoded. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly service: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly unsignedPayload?: boolean;
  /** The signing time. @default now */
  readonly signingDate?: Date;
}

/** Signs a request for `baseUrl` the way the project's signed client does; returns the headers to send. */
export async function sign(baseUrl: string, options: SignOptions): Promise<Record<string, string>> {
  const url = new URL(baseUrl);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: options.accessKeyId ?? 'test', secretAccessKey: options.secretAccessKey ?? 'test' },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: options.service !== 's3',
    applyChecksum: !options.unsignedPayload,
  });
  const headers: Record<string, string> = { host: url.host, ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  if (options.unsignedPayload) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer.sign({
    method: options.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: options.path,
    query: options.query ?? {},
    headers,
    body: options.body,
  }, { signingDate: options.signingDate });
  return signed.headers as Record<string, string>;
}

/** Sends a request as given (no signing): lets tests tamper with a signed request. */
export function send(baseUrl: string, method: string, pathAndQuery: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: pathAndQuery, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs and sends. */
export async function signedRequest(baseUrl: string, options: SignOptions): Promise<RawResponse> {
  const headers = await sign(baseUrl, options);
  const query = new URLSearchParams(options.query ?? {}).toString().replace(/\+/g, '%20');
  return send(baseUrl, options.method, `${options.path}${query ? `?${query}` : ''}`, headers, options.body);
}

/** A signed Wickr JSON call. */
export function wickr(baseUrl: string, method: string, path: string, body?: unknown, extra: Partial<SignOptions> = {}): Promise<RawResponse> {
  return signedRequest(baseUrl, {
    method,
    path,
    service: 'wickr',
    body: body === undefined ? undefined : JSON.stringify(body),
    ...extra,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(extra.headers ?? {}) },
  });
}

/** A call to a served emulator's control endpoint `/_emulator/<route>` with its control token; `body` is sent as JSON (a string as it is). */
export function control(target: { readonly url: string; readonly controlToken: string }, method: string, route: string, body?: unknown): Promise<RawResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.controlToken}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send(target.url, method, `/_emulator/${route}`, headers, body === undefined || typeof body === 'string' ? body : JSON.stringify(body));
}
