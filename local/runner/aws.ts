import * as http from 'http';
import * as https from 'https';
import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RecordedStack, StackPatch, StackSpec } from '../emulator/stacks';

/**
 * The runner's own calls to the emulator, for what CloudFormation itself would do: the
 * native resources it emulates (`AWS::SecretsManager::Secret`, `AWS::Wickr::Network`,
 * `AWS::Chime::*`) and the CDK CLI's asset publishing. They go over HTTP with SigV4
 * (the emulator's test credentials), the same way whether the emulator runs in this
 * process or elsewhere (`--endpoint`), so they are validated by the emulator's models
 * and appear in its call log like any caller's. Only asset publishing uses the
 * in-process S3 store when it has one (no call-log noise on every run). What the runner
 * tells the emulator about principals and stacks goes through its control endpoints.
 */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface InProcessS3 {
  putObject(bucket: string, key: string, body: string | Buffer, contentType?: string): void;
  getObject(bucket: string, key: string): Buffer | undefined;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  /** Parsed JSON body (undefined when not JSON). */
  readonly json: any;
}

export class EmulatorApi {
  private readonly chimeClients = new Map<string, ChimeSDKIdentityClient>();
  private readonly secretsClients = new Map<string, SecretsManagerClient>();

  /**
   * @param url the emulator's endpoint
   * @param controlToken its control token (see the emulator's `gate.ts`), for the control endpoints
   * @param s3InProcess its S3 store, when it runs in this process
   */
  constructor(
    readonly url: string,
    private readonly controlToken: string,
    private readonly s3InProcess?: InProcessS3,
  ) {}

  /** One Wickr Admin API call (rest-json). */
  wickr(region: string, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    return this.signed({ service: 'wickr', region, method, path, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  }

  chime(region: string): ChimeSDKIdentityClient {
    let client = this.chimeClients.get(region);
    if (!client) {
      client = new ChimeSDKIdentityClient({ endpoint: this.url, region, credentials: EMULATOR_CREDENTIALS, maxAttempts: 3 });
      this.chimeClients.set(region, client);
    }
    return client;
  }

  secrets(region: string): SecretsManagerClient {
    let client = this.secretsClients.get(region);
    if (!client) {
      client = new SecretsManagerClient({ endpoint: this.url, region, credentials: EMULATOR_CREDENTIALS, maxAttempts: 3 });
      this.secretsClients.set(region, client);
    }
    return client;
  }

  async objectExists(region: string, bucket: string, key: string): Promise<boolean> {
    if (this.s3InProcess) return this.s3InProcess.getObject(bucket, key) !== undefined;
    const res = await this.signed({ service: 's3', region, method: 'HEAD', path: objectPath(bucket, key) });
    return res.status === 200;
  }

  async putObject(region: string, bucket: string, key: string, body: Buffer, contentType: string): Promise<void> {
    if (this.s3InProcess) {
      this.s3InProcess.putObject(bucket, key, body, contentType);
      return;
    }
    const res = await this.signed({ service: 's3', region, method: 'PUT', path: objectPath(bucket, key), body, headers: { 'content-type': contentType } });
    if (res.status !== 200) throw new Error(`PutObject s3://${bucket}/${key} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
  }

  /**
   * Registers (or replaces) an IAM principal with the emulator, through its control
   * endpoint (`PUT /_emulator/principals/<accessKeyId>`): calls signed with that key are
   * then authorized against `statements`. The same way in process and with `--endpoint`.
   */
  async registerPrincipal(accessKeyId: string, principal: { readonly secretAccessKey: string; readonly arn: string; readonly statements: readonly unknown[] }): Promise<void> {
    const res = await this.control('PUT', `principals/${encodeURIComponent(accessKeyId)}`, principal);
    if (res.status !== 200) throw new Error(`the emulator refused the principal ${principal.arn} (HTTP ${res.status}): ${res.json?.message ?? res.body.slice(0, 300)}`);
  }

  /** The access key ids of the principals the emulator knows (`GET /_emulator/principals`). */
  async listPrincipals(): Promise<Array<{ readonly accessKeyId: string }>> {
    const res = await this.control('GET', 'principals');
    if (res.status !== 200 || !Array.isArray(res.json)) throw new Error(`GET /_emulator/principals answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    return res.json;
  }

  /**
   * Records a stack with the emulator (`PUT /_emulator/stacks/<stackName>`, see the
   * emulator's `stacks.ts`), whose CloudFormation and Lambda then serve it.
   */
  async registerStack(stackName: string, spec: StackSpec): Promise<void> {
    const res = await this.control('PUT', `stacks/${encodeURIComponent(stackName)}`, spec);
    if (res.status !== 200) throw new Error(`the emulator refused the stack ${stackName} (HTTP ${res.status}): ${res.json?.message ?? res.body.slice(0, 300)}`);
  }

  /** Changes a recorded stack while it is deployed (`PATCH /_emulator/stacks/<stackName>`): its status, and resources whose status changed. */
  async patchStack(stackName: string, patch: StackPatch): Promise<void> {
    const res = await this.control('PATCH', `stacks/${encodeURIComponent(stackName)}`, patch);
    if (res.status !== 200) throw new Error(`the emulator refused the change of stack ${stackName} (HTTP ${res.status}): ${res.json?.message ?? res.body.slice(0, 300)}`);
  }

  /** Forgets a recorded stack; false when the emulator had none by that name. */
  async removeStack(stackName: string): Promise<boolean> {
    const res = await this.control('DELETE', `stacks/${encodeURIComponent(stackName)}`);
    if (res.status !== 200 && res.status !== 404) throw new Error(`DELETE /_emulator/stacks/${stackName} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    return res.status === 200;
  }

  /** The stacks the emulator has recorded. */
  async listStacks(): Promise<RecordedStack[]> {
    const res = await this.control('GET', 'stacks');
    if (res.status !== 200 || !Array.isArray(res.json)) throw new Error(`GET /_emulator/stacks answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    return res.json;
  }

  destroy(): void {
    for (const client of [...this.chimeClients.values(), ...this.secretsClients.values()]) client.destroy();
    this.chimeClients.clear();
    this.secretsClients.clear();
  }

  private async signed(request: { service: string; region: string; method: string; path: string; body?: string | Buffer; headers?: Record<string, string> }): Promise<HttpAnswer> {
    const target = new URL(this.url.replace(/\/$/, '') + request.path);
    const s3 = request.service === 's3';
    const signer = new SignatureV4({
      service: request.service,
      region: request.region,
      credentials: EMULATOR_CREDENTIALS,
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: !s3,
      applyChecksum: !s3,
    });
    const headers: Record<string, string> = { host: target.host, ...(request.headers ?? {}) };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    if (s3) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const query: Record<string, string> = {};
    for (const [k, v] of target.searchParams) query[k] = v;
    const signed = await signer.sign({
      method: request.method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query,
      headers,
      body: request.body,
    });
    return new Promise<HttpAnswer>((resolve, reject) => {
      const transport = target.protocol === 'https:' ? https : http;
      const req = transport.request(target, { method: request.method, headers: signed.headers as Record<string, string>, agent: false, timeout: 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve(answer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      });
      req.on('timeout', () => req.destroy(new Error(`${request.method} ${target.href}: no answer within 60 s`)));
      req.on('error', (err) => reject(new Error(`cannot reach the emulator at ${this.url}: ${err.message}`)));
      req.end(request.body);
    });
  }

  /** One call to the emulator's control API (unsigned JSON, with the control token). */
  control(method: string, route: string, body?: unknown, timeoutMs = 60_000): Promise<HttpAnswer> {
    const target = new URL(`${this.url.replace(/\/$/, '')}/_emulator/${route}`);
    const payload = body === undefined ? '' : JSON.stringify(body);
    return new Promise<HttpAnswer>((resolve, reject) => {
      const transport = target.protocol === 'https:' ? https : http;
      const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), authorization: `Bearer ${this.controlToken}` };
      const req = transport.request(target, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve(answer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${target.href}: no answer within ${timeoutMs / 1000} s`)));
      req.on('error', (err) => reject(new Error(`cannot reach the emulator at ${this.url}: ${err.message}`)));
      req.end(payload);
    });
  }
}

function answer(status: number, body: string): HttpAnswer {
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status, body, json };
}

function objectPath(bucket: string, key: string): string {
  return `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}
