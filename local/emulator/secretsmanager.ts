import { randomUUID } from 'crypto';
import { COMMON_ERRORS, EmulatorRequest, EmulatorResponse, isRecord, jsonResponse, parseJsonBody, ProtocolService, SecretValues, StandardErrorKind } from './protocol';
import { RequestContext } from './service';

/**
 * The Secrets Manager calls the handler and the local runner make, over the awsJson1.1
 * protocol: `POST /` with `X-Amz-Target: secretsmanager.<Operation>`, errors as
 * `{"__type": code, "message": ...}` (status 400 unless the service failed, front-end
 * errors such as `AccessDeniedException` and `InvalidSignatureException` included, as
 * AWS's JSON services answer them). Secret values (`SecretString` only) are never written
 * to the console or the call log, and leave the process only sealed (`exportState`).
 */

interface SecretVersion {
  readonly id: string;
  readonly value: string;
  stages: string[];
  readonly created: number;
}

interface Secret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly created: number;
  lastChanged: number;
  /** When DeleteSecret scheduled the deletion (without `ForceDeleteWithoutRecovery`). */
  deleted?: number;
  versions: SecretVersion[];
}

class SecretsError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'secretsmanager.';
const NAME_PATTERN = /^[a-zA-Z0-9/_+=.@-]{1,512}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ERROR_STATUS: Readonly<Record<string, number>> = { InternalServiceError: 500 };
/** The errors of the Secrets Manager API reference (400 but `InternalServiceError`). */
const SECRETS_ERRORS: readonly string[] = [
  'DecryptionFailure', 'EncryptionFailure', 'InternalServiceError', 'InvalidNextTokenException', 'InvalidParameterException', 'InvalidRequestException',
  'LimitExceededException', 'MalformedPolicyDocumentException', 'PreconditionNotMetException', 'PublicPolicyException', 'ResourceExistsException',
  'ResourceNotFoundException',
];

/** An account and a region: secrets are found by name in the caller's. */
interface Scope {
  readonly accountId: string;
  readonly region: string;
}

function inScope(secret: { readonly arn: string }, scope: Scope): boolean {
  return secret.arn.startsWith(`arn:aws:secretsmanager:${scope.region}:${scope.accountId}:`);
}

type Operation = (input: Record<string, unknown>, ctx: RequestContext) => Record<string, unknown>;

export class SecretsManager implements ProtocolService {
  readonly name = 'secretsmanager';
  private secrets = new Map<string, Secret>();
  private readonly operations: Readonly<Record<string, Operation>> = {
    CreateSecret: (input, ctx) => this.create(input, ctx),
    GetSecretValue: (input, ctx) => this.getValue(input, ctx),
    PutSecretValue: (input, ctx) => this.putValue(input, ctx),
    UpdateSecretVersionStage: (input, ctx) => this.moveStage(input, ctx),
    DescribeSecret: (input, ctx) => this.describe(this.find(str(input, 'SecretId', true), ctx)),
    DeleteSecret: (input, ctx) => this.delete(input, ctx),
    ListSecrets: (_input, ctx) => ({ SecretList: [...this.secrets.values()].filter((s) => s.deleted === undefined && inScope(s, ctx)).map((s) => this.describe(s)) }),
  };

  /** `random` draws the ARN suffixes; `now` is the emulator clock. */
  constructor(
    private readonly env: { readonly accountId: string; readonly region: string; random(): number; now(): Date },
  ) {}

  /** Creates a secret directly (the local runner's stand-in for what a deployment would have made). Returns its ARN. */
  createSecret(options: { readonly name: string; readonly secretString: string }): string {
    const ctx: RequestContext = { accountId: this.env.accountId, region: this.env.region, now: () => this.env.now() };
    return this.create({ Name: options.name, SecretString: options.secretString, ClientRequestToken: randomUUID() }, ctx).ARN as string;
  }

  /** Deletes a secret at once (ARN or name); false when there was none. */
  deleteSecret(id: string): boolean {
    const secret = this.lookup(id);
    return secret ? this.secrets.delete(secret.arn) : false;
  }

  /** The full ARN of the secret an id (ARN, partial ARN, or name in `scope`: by default the emulator's account and region) names, or undefined. */
  arnOf(id: string, scope?: Scope): string | undefined {
    return this.lookup(id, scope)?.arn;
  }

  /** The current value of a secret (ARN or name), or undefined. */
  getSecretString(id: string): string | undefined {
    return this.lookup(id)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.value;
  }

  operationOf(req: EmulatorRequest): string | undefined {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || req.path !== '/' || !target?.startsWith(TARGET_PREFIX)) return undefined;
    return target.slice(TARGET_PREFIX.length);
  }

  invoke(operation: string, req: EmulatorRequest, ctx: RequestContext): EmulatorResponse {
    const impl = this.operations[operation];
    if (!impl) return this.error('UnknownOperationException', `Operation ${operation} is not supported by the emulator`);
    const input = parseJsonBody(req.body);
    if (!isRecord(input)) return this.error('SerializationException', 'The request body must be a JSON object');
    try {
      return jsonResponse(200, impl(input, ctx), {}, CONTENT_TYPE);
    } catch (err) {
      if (err instanceof SecretsError) return this.error(err.code, err.message);
      process.stderr.write(`emulator: secretsmanager ${operation} failed unexpectedly: ${err instanceof Error ? err.message : String(err)}\n`);
      return this.error('InternalServiceError', 'An error occurred on the server side.');
    }
  }

  standardError(kind: StandardErrorKind, message: string): EmulatorResponse {
    const code = {
      throttle: 'ThrottlingException',
      error: 'InternalServiceError',
      unrecognizedClient: 'UnrecognizedClientException',
      invalidSignature: 'InvalidSignatureException',
      signatureExpired: 'InvalidSignatureException',
      accessDenied: 'AccessDeniedException',
    }[kind];
    return this.error(code, message);
  }

  namedError(code: string, message: string): EmulatorResponse | undefined {
    if (SECRETS_ERRORS.includes(code)) return this.error(code, message);
    return COMMON_ERRORS[code] === undefined ? undefined : this.error(code, message, COMMON_ERRORS[code]);
  }

  unknownOperation(req: EmulatorRequest): EmulatorResponse {
    return this.error('UnknownOperationException', `No Secrets Manager operation matches ${req.method} ${req.path} ${req.headers['x-amz-target'] ?? '(no X-Amz-Target)'}`);
  }

  loggedBody(req: EmulatorRequest): unknown {
    const body = parseJsonBody(req.body);
    return isRecord(body) && 'SecretString' in body ? { ...body, SecretString: '***' } : body;
  }

  reset(): void {
    this.secrets.clear();
  }

  /** Every secret with its versions; each value as `secrets.conceal` makes it. */
  exportState(secrets: SecretValues): unknown {
    return [...this.secrets.values()].map((s) => ({ ...s, versions: s.versions.map((v) => ({ ...v, value: secrets.conceal(v.value) })) }));
  }

  importState(state: unknown, secrets: SecretValues): void {
    const list = Array.isArray(state) ? (state as Array<Secret & { versions: Array<SecretVersion & { value: unknown }> }>) : [];
    this.secrets = new Map(list.map((s) => [s.arn, { ...s, versions: s.versions.map((v) => ({ ...v, stages: [...v.stages], value: secrets.reveal(v.value) })) }]));
  }

  private create(input: Record<string, unknown>, ctx: RequestContext): Record<string, unknown> {
    const name = str(input, 'Name', true);
    if (!NAME_PATTERN.test(name)) throw new SecretsError('InvalidParameterException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    const value = str(input, 'SecretString', false);
    const token = clientToken(input);
    const existing = [...this.secrets.values()].find((s) => s.name === name && inScope(s, ctx));
    if (existing?.deleted !== undefined) {
      throw new SecretsError('InvalidRequestException', `You can't create this secret because a secret with this name is already scheduled for deletion.`);
    }
    if (existing) {
      // Same token and value as the version that created it: a retry, answered again.
      const version = existing.versions.find((v) => v.id === token);
      if (version && version.value === value) return { ARN: existing.arn, Name: name, VersionId: version.id };
      throw new SecretsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const now = ctx.now().getTime();
    const arn = `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${this.suffix()}`;
    const secret: Secret = { arn, name, description: str(input, 'Description', false), created: now, lastChanged: now, versions: [] };
    if (value !== undefined) secret.versions.push({ id: token, value, stages: ['AWSCURRENT'], created: now });
    this.secrets.set(arn, secret);
    return { ARN: arn, Name: name, VersionId: value === undefined ? undefined : token };
  }

  private getValue(input: Record<string, unknown>, ctx: RequestContext): Record<string, unknown> {
    const secret = this.live(this.find(str(input, 'SecretId', true), ctx));
    const versionId = str(input, 'VersionId', false);
    const stage = str(input, 'VersionStage', false) ?? (versionId ? undefined : 'AWSCURRENT');
    const version = secret.versions.find((v) => (versionId === undefined || v.id === versionId) && (stage === undefined || v.stages.includes(stage)));
    if (!version) {
      throw new SecretsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`}`);
    }
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.value, VersionStages: version.stages, CreatedDate: version.created / 1000 };
  }

  /**
   * A new version gets `VersionStages` (default AWSCURRENT); a label another version had moves
   * to it, and the version that loses AWSCURRENT gets AWSPREVIOUS. Versions left without a
   * label are deprecated (dropped here). The same token and value again is a retry: nothing changes.
   */
  private putValue(input: Record<string, unknown>, ctx: RequestContext): Record<string, unknown> {
    const secret = this.live(this.find(str(input, 'SecretId', true), ctx));
    const value = str(input, 'SecretString', true);
    const token = clientToken(input);
    const stages = stageList(input.VersionStages);
    const existing = secret.versions.find((v) => v.id === token);
    if (existing) {
      if (existing.value !== value) throw new SecretsError('ResourceExistsException', `A version with VersionId ${token} already exists with a different value.`);
      return { ARN: secret.arn, Name: secret.name, VersionId: existing.id, VersionStages: existing.stages };
    }
    const now = ctx.now().getTime();
    const version: SecretVersion = { id: token, value, stages: [], created: now };
    secret.versions.push(version);
    for (const stage of stages) attach(secret, stage, version);
    secret.versions = secret.versions.filter((v) => v.stages.length > 0);
    secret.lastChanged = now;
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: version.stages };
  }

  /** Moves a staging label to `MoveToVersionId` (or removes it from `RemoveFromVersionId`); the label must be on `RemoveFromVersionId` if it is on any version. */
  private moveStage(input: Record<string, unknown>, ctx: RequestContext): Record<string, unknown> {
    const secret = this.live(this.find(str(input, 'SecretId', true), ctx));
    const stage = str(input, 'VersionStage', true);
    const moveTo = str(input, 'MoveToVersionId', false);
    const removeFrom = str(input, 'RemoveFromVersionId', false);
    const holder = secret.versions.find((v) => v.stages.includes(stage));
    if (holder && holder.id !== removeFrom && holder.id !== moveTo) {
      throw new SecretsError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`);
    }
    if (moveTo !== undefined) {
      const target = secret.versions.find((v) => v.id === moveTo);
      if (!target) throw new SecretsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${moveTo}`);
      attach(secret, stage, target);
    } else if (holder) {
      holder.stages = holder.stages.filter((s) => s !== stage);
    }
    secret.versions = secret.versions.filter((v) => v.stages.length > 0);
    secret.lastChanged = ctx.now().getTime();
    return { ARN: secret.arn, Name: secret.name };
  }

  private delete(input: Record<string, unknown>, ctx: RequestContext): Record<string, unknown> {
    const secret = this.find(str(input, 'SecretId', true), ctx);
    const now = ctx.now().getTime();
    if (input.ForceDeleteWithoutRecovery === true) {
      this.secrets.delete(secret.arn);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: now / 1000 };
    }
    if (secret.deleted !== undefined) throw new SecretsError('InvalidRequestException', `You can't delete secret ${secret.name} because it is already scheduled for deletion.`);
    const days = typeof input.RecoveryWindowInDays === 'number' ? input.RecoveryWindowInDays : 30;
    secret.deleted = now;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: (now + days * 86_400_000) / 1000 };
  }

  private describe(secret: Secret): Record<string, unknown> {
    return {
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      CreatedDate: secret.created / 1000,
      LastChangedDate: secret.lastChanged / 1000,
      DeletedDate: secret.deleted === undefined ? undefined : secret.deleted / 1000,
      VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.id, v.stages])),
    };
  }

  private find(id: string, scope: Scope): Secret {
    const secret = this.lookup(id, scope);
    if (!secret) throw new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  /** By full ARN, by ARN without the random suffix, or by name (in the caller's account and region), as the service accepts. */
  private lookup(id: string, scope: Scope = this.env): Secret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => (s.name === id && inScope(s, scope)) || s.arn.slice(0, -7) === id);
  }

  private live(secret: Secret): Secret {
    if (secret.deleted !== undefined) {
      throw new SecretsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  }

  private suffix(): string {
    return Array.from({ length: 6 }, () => SUFFIX_ALPHABET[Math.floor(this.env.random() * SUFFIX_ALPHABET.length)]).join('');
  }

  private error(code: string, message: string, status = ERROR_STATUS[code] ?? 400): EmulatorResponse {
    return jsonResponse(status, { __type: code, message }, { 'x-amzn-errortype': code }, CONTENT_TYPE);
  }
}

/** A string member; a required one that is missing, or any that is not a string, fails as the service's validation does. */
function str(input: Record<string, unknown>, key: string, required: true): string;
function str(input: Record<string, unknown>, key: string, required: false): string | undefined;
function str(input: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) {
    if (required) throw new SecretsError('ValidationException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  if (typeof value !== 'string') throw new SecretsError('ValidationException', `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must be a string`);
  return value;
}

/** `VersionStages`: 1 to 20 labels of 1 to 256 characters; AWSCURRENT when absent. */
function stageList(value: unknown): string[] {
  if (value === undefined) return ['AWSCURRENT'];
  if (!Array.isArray(value) || value.length < 1 || value.length > 20 || value.some((v) => typeof v !== 'string' || v.length < 1 || v.length > 256)) {
    throw new SecretsError('InvalidParameterException', 'VersionStages must be a list of 1 to 20 staging labels of 1 to 256 characters.');
  }
  return [...new Set(value as string[])];
}

/** Puts `stage` on `version`, taking it from any other version; AWSCURRENT leaving a version leaves AWSPREVIOUS there. */
function attach(secret: Secret, stage: string, version: SecretVersion): void {
  const holder = secret.versions.find((v) => v !== version && v.stages.includes(stage));
  if (holder) holder.stages = holder.stages.filter((s) => s !== stage);
  if (!version.stages.includes(stage)) version.stages.push(stage);
  if (stage === 'AWSCURRENT' && holder) {
    for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    holder.stages.push('AWSPREVIOUS');
  }
}

/** `ClientRequestToken` (32 to 64 characters; the SDKs fill in a UUID), else a fresh one. */
function clientToken(input: Record<string, unknown>): string {
  const token = str(input, 'ClientRequestToken', false);
  if (token !== undefined && (token.length < 32 || token.length > 64)) {
    throw new SecretsError('ValidationException', "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64");
  }
  return token ?? randomUUID();
}
