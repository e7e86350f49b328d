import { randomInt, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  CreateAppInstanceBotCommand,
  CreateAppInstanceCommand,
  CreateAppInstanceUserCommand,
  DeleteAppInstanceBotCommand,
  DeleteAppInstanceCommand,
  DeleteAppInstanceUserCommand,
  DescribeAppInstanceBotCommand,
  DescribeAppInstanceCommand,
  PutAppInstanceUserExpirationSettingsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAppInstanceBotCommand,
  UpdateAppInstanceCommand,
  UpdateAppInstanceUserCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { CreateSecretCommand, DeleteSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { EmulatorApi } from './aws';
import { canonicalJson, isPlainObject, partitionOf, stringifyLeaves } from './intrinsics';
import { FunctionState, ResourceState, StateStore } from './state';
import { FileAsset, substitutePlaceholders } from '../../cli/synth';

/**
 * The native resource types the runner emulates, as CloudFormation's own resource
 * providers would handle them. IAM, logs, KMS, S3 buckets and Lambda functions make no
 * calls (a function is registered as a local function whose code is its asset
 * directory); Secrets Manager secrets, Wickr networks and Chime SDK Identity app
 * instances, users and bots are really created in the emulator (over its HTTP API), so
 * that resources of this library can adopt them end to end. Any other type is a no-op
 * with a fake physical id (and fake `Fn::GetAtt` values) and a warning.
 */

export interface NativeContext {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly logicalId: string;
  /** The resource's template `Metadata` (for `aws:asset:path`). */
  readonly metadata?: Record<string, unknown>;
  readonly assets: readonly FileAsset[];
  readonly assemblyDir?: string;
  readonly store: StateStore;
  /** The emulator API; throws a clear error when there is none. */
  api(): EmulatorApi;
}

export interface NativeResult {
  readonly physicalId: string;
  readonly attributes: Record<string, unknown>;
  readonly function?: FunctionState;
}

export interface NativeType {
  /** Property keys whose change means a new physical resource (CloudFormation's "Update requires: Replacement"). */
  readonly replaceOn: readonly string[];
  /** The attributes `Fn::GetAtt` may ask for; undefined: any (fake values). */
  readonly attributes?: readonly string[];
  /** False for types that are not really emulated (a warning is printed). */
  readonly emulated: boolean;
  /**
   * Creates something in the emulator. A rollback of an update then calls `update` with the
   * old properties; for the others the previous state is simply restored.
   */
  readonly stateful?: boolean;
  create(ctx: NativeContext, props: Record<string, unknown>): Promise<NativeResult>;
  /** In-place update; by default the attributes are kept. */
  update?(ctx: NativeContext, current: ResourceState, props: Record<string, unknown>): Promise<NativeResult>;
  delete?(ctx: NativeContext, current: ResourceState): Promise<void>;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomString(length: number, alphabet = ALNUM): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** A name as CloudFormation generates it: `{stack}-{logicalId}-{RANDOM}`, within `max` characters. */
export function generatedName(stackName: string, logicalId: string, max = 64): string {
  const suffix = randomString(12);
  const room = max - suffix.length - 2;
  const stackPart = stackName.slice(0, Math.max(1, Math.floor(room / 2)));
  const logicalPart = logicalId.slice(0, room - stackPart.length);
  return `${stackPart}-${logicalPart}-${suffix}`;
}

function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

/** A type that makes no calls: a physical id, some attributes. */
function passive(options: {
  physicalId: (ctx: NativeContext, props: Record<string, unknown>) => string;
  attributes: (ctx: NativeContext, physicalId: string, props: Record<string, unknown>) => Record<string, unknown>;
  replaceOn?: string[];
}): NativeType {
  return {
    emulated: true,
    replaceOn: options.replaceOn ?? [],
    attributes: undefined,
    async create(ctx, props) {
      const physicalId = options.physicalId(ctx, props);
      return { physicalId, attributes: options.attributes(ctx, physicalId, props) };
    },
    async update(ctx, current, props) {
      return { physicalId: current.physicalId, attributes: options.attributes(ctx, current.physicalId, props) };
    },
  };
}

const arn = (ctx: NativeContext, service: string, resource: string, regional = true) =>
  `arn:${partitionOf(ctx.region)}:${service}:${regional ? ctx.region : ''}:${ctx.account}:${resource}`;

// ---------------------------------------------------------------------------------------
// Lambda

/** Finds the code directory of a function: the asset whose S3 key the template names, or `aws:asset:path`. */
function functionCode(ctx: NativeContext, props: Record<string, unknown>): string | { error: string } {
  const code = isPlainObject(props.Code) ? props.Code : {};
  if (typeof code.ZipFile === 'string') return ctx.store.storeInlineCode(code.ZipFile);
  if (code.ImageUri !== undefined) return { error: 'a container image function (Code.ImageUri) cannot run in the local runner' };
  const key = str(code.S3Key);
  const asset = key === undefined ? undefined : ctx.assets.find((a) => a.destinations.some((d) => substitutePlaceholders(d.objectKey, ctx.account, ctx.region) === key));
  let dir = asset?.sourcePath;
  const metadataPath = ctx.metadata?.['aws:asset:path'];
  if (!dir && typeof metadataPath === 'string' && ctx.assemblyDir) dir = path.resolve(ctx.assemblyDir, metadataPath);
  if (!dir) return { error: `no asset of the cloud assembly has the object key ${key ?? '(none)'} of Code.S3Key` };
  if (!fs.existsSync(dir)) return { error: `the function's code ${dir} does not exist` };
  if (!fs.statSync(dir).isDirectory()) return { error: `the function's code ${path.basename(dir)} is a file (a .zip); the local runner runs directory assets only` };
  return ctx.store.storeCode(dir);
}

const lambdaFunction: NativeType = {
  emulated: true,
  replaceOn: ['FunctionName'],
  attributes: ['Arn', 'SnapStartResponse', 'SnapStartResponse.ApplyOn', 'SnapStartResponse.OptimizationStatus'],
  async create(ctx, props) {
    const name = str(props.FunctionName) ?? ctx.logicalId;
    return lambdaResult(ctx, name, props);
  },
  async update(ctx, current, props) {
    return lambdaResult(ctx, current.physicalId, props);
  },
};

function lambdaResult(ctx: NativeContext, name: string, props: Record<string, unknown>): NativeResult {
  const code = functionCode(ctx, props);
  const environment = isPlainObject(props.Environment) && isPlainObject(props.Environment.Variables)
    ? (stringifyLeaves(props.Environment.Variables) as Record<string, string>)
    : {};
  return {
    physicalId: name,
    attributes: { Arn: arn(ctx, 'lambda', `function:${name}`) },
    function: {
      code: typeof code === 'string' ? code : '',
      ...(typeof code === 'string' ? {} : { unavailable: code.error }),
      handler: str(props.Handler) ?? 'index.handler',
      timeoutSeconds: Number(props.Timeout ?? 3),
      memorySize: Number(props.MemorySize ?? 128),
      environment,
    },
  };
}

// ---------------------------------------------------------------------------------------
// Secrets Manager

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** What `GenerateSecretString` makes: a random password, optionally put into a JSON template. */
export function generateSecretString(options: Record<string, unknown>): string {
  const flag = (key: string, fallback = false) => (options[key] === undefined ? fallback : String(options[key]) === 'true');
  const length = Number(options.PasswordLength ?? 32);
  if (!Number.isInteger(length) || length < 1 || length > 4096) throw new Error(`GenerateSecretString.PasswordLength must be 1 to 4096, not ${String(options.PasswordLength)}`);
  const exclude = new Set(String(options.ExcludeCharacters ?? ''));
  const groups = [
    flag('ExcludeLowercase') ? '' : 'abcdefghijklmnopqrstuvwxyz',
    flag('ExcludeUppercase') ? '' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    flag('ExcludeNumbers') ? '' : '0123456789',
    flag('ExcludePunctuation') ? '' : PUNCTUATION,
    flag('IncludeSpace') ? ' ' : '',
  ]
    .map((g) => [...g].filter((c) => !exclude.has(c)).join(''))
    .filter((g) => g.length > 0);
  if (groups.length === 0) throw new Error('GenerateSecretString excludes every character');
  const all = groups.join('');
  const chars = Array.from({ length }, () => all[randomInt(all.length)]);
  if (flag('RequireEachIncludedType', true) && length >= groups.length) {
    // One character of each included type, at distinct random positions.
    const positions = new Set<number>();
    while (positions.size < groups.length) positions.add(randomInt(length));
    [...positions].forEach((pos, i) => (chars[pos] = groups[i][randomInt(groups[i].length)]));
  }
  const password = chars.join('');
  const template = str(options.SecretStringTemplate);
  const key = str(options.GenerateStringKey);
  if (template === undefined && key === undefined) return password;
  if (template === undefined || key === undefined) throw new Error('GenerateSecretString: SecretStringTemplate and GenerateStringKey go together');
  const parsed = JSON.parse(template) as unknown;
  if (!isPlainObject(parsed)) throw new Error('GenerateSecretString.SecretStringTemplate must be a JSON object');
  return JSON.stringify({ ...parsed, [key]: password });
}

function secretValue(props: Record<string, unknown>): string | undefined {
  if (props.SecretString !== undefined && props.GenerateSecretString !== undefined) {
    throw new Error('SecretString and GenerateSecretString cannot both be given');
  }
  if (props.SecretString !== undefined) return str(props.SecretString);
  if (isPlainObject(props.GenerateSecretString)) return generateSecretString(props.GenerateSecretString);
  // CloudFormation generates a value when neither is given.
  return generateSecretString({});
}

const secret: NativeType = {
  stateful: true,
  emulated: true,
  replaceOn: ['Name'],
  attributes: ['Id'],
  async create(ctx, props) {
    const name = str(props.Name) ?? `${ctx.logicalId}-${randomString(12, ALNUM + 'abcdefghijklmnopqrstuvwxyz')}`;
    const out = await ctx.api().secrets(ctx.region).send(
      new CreateSecretCommand({ Name: name, SecretString: secretValue(props), Description: str(props.Description), ClientRequestToken: randomUUID() }),
    );
    const secretArn = out.ARN as string;
    return { physicalId: secretArn, attributes: { Id: secretArn } };
  },
  async update(ctx, current, props) {
    const changed = (key: string) => canonicalJson(current.properties[key]) !== canonicalJson(props[key]);
    if (changed('SecretString') || changed('GenerateSecretString')) {
      await ctx.api().secrets(ctx.region).send(new PutSecretValueCommand({ SecretId: current.physicalId, SecretString: secretValue(props), ClientRequestToken: randomUUID() }));
    }
    return { physicalId: current.physicalId, attributes: current.attributes };
  },
  async delete(ctx, current) {
    try {
      await ctx.api().secrets(ctx.region).send(new DeleteSecretCommand({ SecretId: current.physicalId, ForceDeleteWithoutRecovery: true }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
  },
};

// ---------------------------------------------------------------------------------------
// AWS::Wickr::Network
//
// Assumptions (the CloudFormation documentation of this young type is thin): `Ref` returns
// the network ARN (as aws-cdk-lib's `CfnNetwork.networkRef` and `arnForNetwork` use it), so
// the ARN is the physical id; `Fn::GetAtt` gives NetworkId, NetworkArn, AwsAccountId,
// MigrationState and Standing; NetworkName updates in place, AccessLevel replaces.

function wickrFailure(what: string, answer: { status: number; body: string; json: any }): Error {
  const message = answer.json?.message ?? answer.json?.Message ?? answer.body.slice(0, 300);
  return Object.assign(new Error(`Wickr ${what} failed (HTTP ${answer.status}): ${message}`), { status: answer.status });
}

const networkIdOf = (physicalId: string) => physicalId.slice(physicalId.lastIndexOf('/') + 1);

const wickrNetwork: NativeType = {
  stateful: true,
  emulated: true,
  replaceOn: ['AccessLevel'],
  attributes: ['NetworkId', 'NetworkArn', 'AwsAccountId', 'MigrationState', 'Standing'],
  async create(ctx, props) {
    const api = ctx.api();
    const created = await api.wickr(ctx.region, 'POST', '/networks', { networkName: str(props.NetworkName), accessLevel: str(props.AccessLevel) });
    if (created.status >= 300) throw wickrFailure('CreateNetwork', created);
    const networkId = String(created.json?.networkId);
    const got = await api.wickr(ctx.region, 'GET', `/networks/${encodeURIComponent(networkId)}`);
    if (got.status >= 300) throw wickrFailure('GetNetwork', got);
    const networkArn = String(got.json?.networkArn ?? arn(ctx, 'wickr', `network/${networkId}`));
    return {
      physicalId: networkArn,
      attributes: { NetworkId: networkId, NetworkArn: networkArn, AwsAccountId: String(got.json?.awsAccountId ?? ctx.account), MigrationState: 0, Standing: 0 },
    };
  },
  async update(ctx, current, props) {
    if (canonicalJson(current.properties.NetworkName) !== canonicalJson(props.NetworkName)) {
      const id = networkIdOf(current.physicalId);
      const answer = await ctx.api().wickr(ctx.region, 'PATCH', `/networks/${encodeURIComponent(id)}`, { networkName: str(props.NetworkName) });
      if (answer.status >= 300) throw wickrFailure('UpdateNetwork', answer);
    }
    return { physicalId: current.physicalId, attributes: current.attributes };
  },
  async delete(ctx, current) {
    const answer = await ctx.api().wickr(ctx.region, 'DELETE', `/networks/${encodeURIComponent(networkIdOf(current.physicalId))}`);
    if (answer.status >= 300 && answer.status !== 404) throw wickrFailure('DeleteNetwork', answer);
  },
};

// ---------------------------------------------------------------------------------------
// AWS::Chime::AppInstance, AppInstanceUser, AppInstanceBot (Ref = the ARN)

type Tag = { Key: string; Value: string };

function tagsOf(value: unknown): Tag[] {
  return Array.isArray(value) ? value.filter(isPlainObject).map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') })) : [];
}

function isGone(err: unknown): boolean {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFoundException' || e.$metadata?.httpStatusCode === 404 || (e.name === 'BadRequestException' && /not found/i.test(e.message ?? ''));
}

async function retag(ctx: NativeContext, resourceArn: string, before: unknown, after: unknown): Promise<void> {
  const old = tagsOf(before);
  const next = tagsOf(after);
  const removed = old.filter((t) => !next.some((n) => n.Key === t.Key)).map((t) => t.Key);
  const changed = next.filter((t) => !old.some((o) => o.Key === t.Key && o.Value === t.Value));
  const chime = ctx.api().chime(ctx.region);
  if (removed.length > 0) await chime.send(new UntagResourceCommand({ ResourceARN: resourceArn, TagKeys: removed }));
  if (changed.length > 0) await chime.send(new TagResourceCommand({ ResourceARN: resourceArn, Tags: changed }));
}

const timestamp = (d: Date | undefined) => (d ? d.toISOString() : undefined);
const tagsOrUndefined = (value: unknown) => (tagsOf(value).length > 0 ? tagsOf(value) : undefined);

const appInstance: NativeType = {
  stateful: true,
  emulated: true,
  replaceOn: [],
  attributes: ['AppInstanceArn', 'CreatedTimestamp', 'LastUpdatedTimestamp'],
  async create(ctx, props) {
    const chime = ctx.api().chime(ctx.region);
    const out = await chime.send(
      new CreateAppInstanceCommand({ Name: str(props.Name), Metadata: str(props.Metadata), Tags: tagsOrUndefined(props.Tags), ClientRequestToken: randomUUID() }),
    );
    const instanceArn = out.AppInstanceArn as string;
    const described = await chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: instanceArn }));
    return {
      physicalId: instanceArn,
      attributes: {
        AppInstanceArn: instanceArn,
        CreatedTimestamp: timestamp(described.AppInstance?.CreatedTimestamp),
        LastUpdatedTimestamp: timestamp(described.AppInstance?.LastUpdatedTimestamp),
      },
    };
  },
  async update(ctx, current, props) {
    const chime = ctx.api().chime(ctx.region);
    const changed = (k: string) => canonicalJson(current.properties[k]) !== canonicalJson(props[k]);
    if (changed('Name') || changed('Metadata')) {
      await chime.send(new UpdateAppInstanceCommand({ AppInstanceArn: current.physicalId, Name: str(props.Name), Metadata: str(props.Metadata) ?? '' }));
    }
    if (changed('Tags')) await retag(ctx, current.physicalId, current.properties.Tags, props.Tags);
    const described = await chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: current.physicalId }));
    return { physicalId: current.physicalId, attributes: { ...current.attributes, LastUpdatedTimestamp: timestamp(described.AppInstance?.LastUpdatedTimestamp) } };
  },
  async delete(ctx, current) {
    try {
      await ctx.api().chime(ctx.region).send(new DeleteAppInstanceCommand({ AppInstanceArn: current.physicalId }));
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  },
};

function expirationOf(value: unknown) {
  return isPlainObject(value) ? { ExpirationCriterion: str(value.ExpirationCriterion) as 'CREATED_TIMESTAMP', ExpirationDays: Number(value.ExpirationDays) } : undefined;
}

const appInstanceUser: NativeType = {
  stateful: true,
  emulated: true,
  replaceOn: ['AppInstanceArn', 'AppInstanceUserId'],
  attributes: ['AppInstanceUserArn'],
  async create(ctx, props) {
    const out = await ctx.api().chime(ctx.region).send(
      new CreateAppInstanceUserCommand({
        AppInstanceArn: str(props.AppInstanceArn),
        AppInstanceUserId: str(props.AppInstanceUserId),
        Name: str(props.Name),
        Metadata: str(props.Metadata),
        ExpirationSettings: expirationOf(props.ExpirationSettings),
        Tags: tagsOrUndefined(props.Tags),
        ClientRequestToken: randomUUID(),
      }),
    );
    const userArn = out.AppInstanceUserArn as string;
    return { physicalId: userArn, attributes: { AppInstanceUserArn: userArn } };
  },
  async update(ctx, current, props) {
    const chime = ctx.api().chime(ctx.region);
    const changed = (k: string) => canonicalJson(current.properties[k]) !== canonicalJson(props[k]);
    if (changed('Name') || changed('Metadata')) {
      await chime.send(new UpdateAppInstanceUserCommand({ AppInstanceUserArn: current.physicalId, Name: str(props.Name), Metadata: str(props.Metadata) ?? '' }));
    }
    if (changed('ExpirationSettings')) {
      await chime.send(new PutAppInstanceUserExpirationSettingsCommand({ AppInstanceUserArn: current.physicalId, ExpirationSettings: expirationOf(props.ExpirationSettings) }));
    }
    if (changed('Tags')) await retag(ctx, current.physicalId, current.properties.Tags, props.Tags);
    return { physicalId: current.physicalId, attributes: current.attributes };
  },
  async delete(ctx, current) {
    try {
      await ctx.api().chime(ctx.region).send(new DeleteAppInstanceUserCommand({ AppInstanceUserArn: current.physicalId }));
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  },
};

const appInstanceBot: NativeType = {
  stateful: true,
  emulated: true,
  replaceOn: ['AppInstanceArn'],
  attributes: ['AppInstanceBotArn', 'CreatedTimestamp', 'LastUpdatedTimestamp'],
  async create(ctx, props) {
    const chime = ctx.api().chime(ctx.region);
    const out = await chime.send(
      new CreateAppInstanceBotCommand({
        AppInstanceArn: str(props.AppInstanceArn),
        Name: str(props.Name),
        Metadata: str(props.Metadata),
        Configuration: props.Configuration as never,
        Tags: tagsOrUndefined(props.Tags),
        ClientRequestToken: randomUUID(),
      }),
    );
    const botArn = out.AppInstanceBotArn as string;
    const described = await chime.send(new DescribeAppInstanceBotCommand({ AppInstanceBotArn: botArn }));
    return {
      physicalId: botArn,
      attributes: {
        AppInstanceBotArn: botArn,
        CreatedTimestamp: timestamp(described.AppInstanceBot?.CreatedTimestamp),
        LastUpdatedTimestamp: timestamp(described.AppInstanceBot?.LastUpdatedTimestamp),
      },
    };
  },
  async update(ctx, current, props) {
    const chime = ctx.api().chime(ctx.region);
    const changed = (k: string) => canonicalJson(current.properties[k]) !== canonicalJson(props[k]);
    if (changed('Name') || changed('Metadata') || changed('Configuration')) {
      await chime.send(
        new UpdateAppInstanceBotCommand({ AppInstanceBotArn: current.physicalId, Name: str(props.Name) ?? '', Metadata: str(props.Metadata) ?? '', Configuration: props.Configuration as never }),
      );
    }
    if (changed('Tags')) await retag(ctx, current.physicalId, current.properties.Tags, props.Tags);
    return { physicalId: current.physicalId, attributes: current.attributes };
  },
  async delete(ctx, current) {
    try {
      await ctx.api().chime(ctx.region).send(new DeleteAppInstanceBotCommand({ AppInstanceBotArn: current.physicalId }));
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  },
};

// ---------------------------------------------------------------------------------------
// The table

const NATIVE_TYPES: Readonly<Record<string, NativeType>> = {
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::SecretsManager::Secret': secret,
  'AWS::Wickr::Network': wickrNetwork,
  'AWS::Chime::AppInstance': appInstance,
  'AWS::Chime::AppInstanceUser': appInstanceUser,
  'AWS::Chime::AppInstanceBot': appInstanceBot,
  'AWS::IAM::Role': passive({
    replaceOn: ['RoleName', 'Path'],
    physicalId: (ctx, p) => str(p.RoleName) ?? generatedName(ctx.stackName, ctx.logicalId),
    attributes: (ctx, id, p) => ({ Arn: arn(ctx, 'iam', `role${str(p.Path) ?? '/'}${id}`, false), RoleId: `AROA${randomString(17)}` }),
  }),
  'AWS::IAM::Policy': passive({
    physicalId: (ctx) => generatedName(ctx.stackName, ctx.logicalId),
    attributes: (_ctx, id) => ({ Id: id }),
  }),
  'AWS::IAM::ManagedPolicy': passive({
    replaceOn: ['ManagedPolicyName', 'Path'],
    physicalId: (ctx, p) => arn(ctx, 'iam', `policy${str(p.Path) ?? '/'}${str(p.ManagedPolicyName) ?? generatedName(ctx.stackName, ctx.logicalId)}`, false),
    attributes: (_ctx, id) => ({ PolicyArn: id }),
  }),
  'AWS::Logs::LogGroup': passive({
    replaceOn: ['LogGroupName'],
    physicalId: (ctx, p) => str(p.LogGroupName) ?? generatedName(ctx.stackName, ctx.logicalId, 512),
    attributes: (ctx, id) => ({ Arn: arn(ctx, 'logs', `log-group:${id}:*`) }),
  }),
  'AWS::KMS::Key': passive({
    physicalId: () => randomUUID(),
    attributes: (ctx, id) => ({ Arn: arn(ctx, 'kms', `key/${id}`), KeyId: id }),
  }),
  'AWS::KMS::Alias': passive({
    replaceOn: ['AliasName'],
    physicalId: (_ctx, p) => str(p.AliasName) ?? 'alias/unnamed',
    attributes: () => ({}),
  }),
  'AWS::S3::Bucket': passive({
    replaceOn: ['BucketName'],
    physicalId: (ctx, p) => str(p.BucketName) ?? generatedName(ctx.stackName, ctx.logicalId, 63).toLowerCase(),
    attributes: (ctx, id) => ({
      Arn: `arn:${partitionOf(ctx.region)}:s3:::${id}`,
      DomainName: `${id}.s3.amazonaws.com`,
      RegionalDomainName: `${id}.s3.${ctx.region}.amazonaws.com`,
      DualStackDomainName: `${id}.s3.dualstack.${ctx.region}.amazonaws.com`,
      WebsiteURL: `http://${id}.s3-website-${ctx.region}.amazonaws.com`,
    }),
  }),
};

/** CDK bookkeeping: nothing to emulate, nothing to warn about. */
const SILENT_TYPES = new Set(['AWS::CDK::Metadata', 'AWS::CloudFormation::WaitConditionHandle']);

const unknownType: NativeType = {
  emulated: false,
  replaceOn: [],
  attributes: undefined,
  async create(ctx) {
    return { physicalId: generatedName(ctx.stackName, ctx.logicalId), attributes: {} };
  },
};

const silentType: NativeType = { ...unknownType, emulated: true };

export function nativeType(type: string): NativeType {
  return NATIVE_TYPES[type] ?? (SILENT_TYPES.has(type) ? silentType : unknownType);
}

/** A value for `Fn::GetAtt` on a type that is not emulated. */
export function fakeAttribute(ctx: { region: string; account: string }, logicalId: string, physicalId: string, attribute: string): string {
  return /arn$/i.test(attribute) ? `arn:${partitionOf(ctx.region)}:local:${ctx.region}:${ctx.account}:${logicalId}/${physicalId}` : `${physicalId}.${attribute}`;
}

export function isCustomResourceType(type: string): boolean {
  return type === 'AWS::CloudFormation::CustomResource' || type.startsWith('Custom::');
}
