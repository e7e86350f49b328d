import { createHash, randomBytes, randomUUID } from 'crypto';
import chimeModel from '../../models/chime-sdk-identity-2021-04-20.json';
import { isRecord } from './protocol';
import { EmulatedError, RequestContext, ServiceModel } from './service';

/**
 * The Chime SDK Identity emulator's state (plain JSON: timestamps are epoch milliseconds,
 * so `exportState`/`importState` round-trip it) and the store the operation modules
 * share: ARN parsing, lookups that fail the way the service does, ids in the service's
 * formats, quotas, and the asynchronous work `tick` completes.
 *
 * Everything an app instance owns (users and their endpoints, bots, admin roles, tags,
 * retention settings) is nested inside its record, so deleting the instance deletes all
 * of its data at once.
 */

export const CHIME_MODEL = chimeModel as unknown as ServiceModel;

export const DAY_MS = 86_400_000;

export interface Tag {
  Key: string;
  Value: string;
}

export interface LexConfiguration {
  LexBotAliasArn: string;
  LocaleId: string;
  RespondsTo?: 'STANDARD_MESSAGES';
  InvokedBy?: { StandardMessages: string; TargetedMessages: string };
  WelcomeIntent?: string;
}

export interface BotConfiguration {
  Lex: LexConfiguration;
}

export interface ExpirationSettings {
  ExpirationDays: number;
  ExpirationCriterion: 'CREATED_TIMESTAMP';
}

export interface EndpointRecord {
  endpointId: string;
  name?: string;
  type: 'APNS' | 'APNS_SANDBOX' | 'GCM';
  resourceArn: string;
  /** The device tokens are sensitive, but the service hands them back in DescribeAppInstanceUserEndpoint, so they are kept as given. */
  attributes: { DeviceToken: string; VoipDeviceToken?: string };
  allowMessages: 'ALL' | 'NONE';
  state: { Status: 'ACTIVE' | 'INACTIVE'; StatusReason?: 'INVALID_DEVICE_TOKEN' | 'INVALID_PINPOINT_ARN' };
  created: number;
  updated: number;
  seq: number;
}

export interface UserRecord {
  userId: string;
  arn: string;
  name: string;
  metadata?: string;
  created: number;
  updated: number;
  seq: number;
  tags: Tag[];
  expiration?: ExpirationSettings;
  endpoints: Record<string, EndpointRecord>;
}

export interface BotRecord {
  botId: string;
  arn: string;
  name?: string;
  metadata?: string;
  configuration: BotConfiguration;
  created: number;
  updated: number;
  seq: number;
  tags: Tag[];
}

/** An admin role: the ARN of one of the instance's users or bots. */
export interface AdminRecord {
  arn: string;
  created: number;
  seq: number;
}

export interface InstanceRecord {
  arn: string;
  accountId: string;
  region: string;
  name: string;
  metadata?: string;
  created: number;
  updated: number;
  seq: number;
  tags: Tag[];
  /** Absent until PutAppInstanceRetentionSettings; `days` absent when it cleared them. */
  retention?: { days?: number; initiated?: number };
  /** Set by DeleteAppInstance: the instance and all its data go at `completesAt`. */
  deletion?: { requested: number; completesAt: number };
  /** By AppInstanceUserId. */
  users: Record<string, UserRecord>;
  /** By the bot id (the last segment of its ARN). */
  bots: Record<string, BotRecord>;
  /** By the member ARN. */
  admins: Record<string, AdminRecord>;
}

export interface ChimeState {
  version: 1;
  /** Creation order of everything (list order, page tokens). */
  seq: number;
  /** Ids handed out so far (seeded ids derive from it, so they never repeat after an import). */
  ids: number;
  /** By app instance ARN. */
  instances: Record<string, InstanceRecord>;
}

/** Per-resource quotas. The AWS quotas are adjustable; these are the emulator's defaults. */
export interface ChimeLimits {
  /** App instances per account and region (instances being deleted count until they are gone). @default 100 */
  readonly appInstances: number;
  /** @default 100000 */
  readonly usersPerAppInstance: number;
  /** @default 100 */
  readonly botsPerAppInstance: number;
  /** @default 100 */
  readonly adminsPerAppInstance: number;
  /** @default 10 */
  readonly endpointsPerUser: number;
  /** Tags per resource. @default 50 */
  readonly tagsPerResource: number;
}

export const DEFAULT_LIMITS: ChimeLimits = {
  appInstances: 100,
  usersPerAppInstance: 100_000,
  botsPerAppInstance: 100,
  adminsPerAppInstance: 100,
  endpointsPerUser: 10,
  tagsPerResource: 50,
};

export interface ChimeServiceOptions {
  /**
   * How long (emulator clock) DeleteAppInstance takes to remove the instance and all its
   * data; 0 removes it at once. @default 2000
   */
  readonly deletionDelayMs?: number;
  /**
   * How long after its expiration an AppInstanceUser with ExpirationSettings is deleted
   * (the service says "within 6 hours"). @default 0
   */
  readonly expirationDelayMs?: number;
  /** MaxResults of the list calls when the caller gives none. @default 10 */
  readonly defaultMaxResults?: number;
  readonly limits?: Partial<ChimeLimits>;
  /** Makes generated ids (app instance and bot UUIDs, endpoint ids) repeatable. @default random */
  readonly seed?: number;
  /**
   * What a lookup of something that does not exist answers: `model` (the default) uses
   * NotFoundException only where the operation's model lists it (DescribeAppInstanceBot)
   * and BadRequestException elsewhere; `NotFoundException` answers 404 everywhere.
   * @default 'model'
   */
  readonly notFound?: 'model' | 'NotFoundException';
}

export function emptyState(): ChimeState {
  return { version: 1, seq: 0, ids: 0, instances: {} };
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Epoch milliseconds → Date, for outputs (the core serializes Dates). */
export function date(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

export function badRequest(message: string): EmulatedError {
  return new EmulatedError('BadRequestException', message);
}

/** Does the model list this error for the operation? */
export function lists(operation: string, code: string): boolean {
  return (CHIME_MODEL.operations[operation]?.errors ?? []).includes(code);
}

/** A state conflict: ConflictException where the operation lists it, BadRequestException where it does not. */
export function conflict(operation: string, message: string): EmulatedError {
  return new EmulatedError(lists(operation, 'ConflictException') ? 'ConflictException' : 'BadRequestException', message);
}

/** A quota: ResourceLimitExceededException where the operation lists it, else BadRequestException. */
export function limitExceeded(operation: string, message: string): EmulatedError {
  return new EmulatedError(lists(operation, 'ResourceLimitExceededException') ? 'ResourceLimitExceededException' : 'BadRequestException', message);
}

export type ArnKind = 'app-instance' | 'user' | 'bot';

export interface ParsedArn {
  readonly kind: ArnKind;
  readonly region: string;
  readonly accountId: string;
  /** The app instance the ARN belongs to (the ARN itself for an app instance). */
  readonly instanceArn: string;
  /** AppInstanceUserId or bot id. */
  readonly id?: string;
}

const CHIME_ARN = /^arn:aws:chime:([a-z0-9-]+):([0-9]+):app-instance\/([^/]+)(?:\/(user|bot)\/([^/]+))?$/;

/** A Chime SDK identity ARN (app instance, user or bot), or undefined. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = CHIME_ARN.exec(arn);
  if (!m) return undefined;
  const [, region, accountId, instanceId, kind, id] = m;
  const instanceArn = `arn:aws:chime:${region}:${accountId}:app-instance/${instanceId}`;
  return { kind: (kind as 'user' | 'bot' | undefined) ?? 'app-instance', region, accountId, instanceArn, id };
}

const KIND_NAMES: Readonly<Record<ArnKind, string>> = { 'app-instance': 'AppInstance', user: 'AppInstanceUser', bot: 'AppInstanceBot' };

export interface Lookup {
  /** The operation asking (picks the error codes the model lists for it). */
  readonly operation: string;
  readonly ctx: RequestContext;
  /** A write: refused while the app instance is being deleted. */
  readonly write?: boolean;
  /** The input member holding the ARN, for messages. */
  readonly member: string;
}

export interface MemberRef {
  readonly instance: InstanceRecord;
  readonly kind: 'user' | 'bot';
  readonly user?: UserRecord;
  readonly bot?: BotRecord;
  readonly arn: string;
  readonly name?: string;
}

export class ChimeStore {
  state: ChimeState = emptyState();
  readonly limits: ChimeLimits;
  readonly deletionDelayMs: number;
  readonly expirationDelayMs: number;
  readonly defaultMaxResults: number;
  private readonly seed?: number;
  private readonly notFoundStyle: 'model' | 'NotFoundException';

  constructor(options: ChimeServiceOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
    this.deletionDelayMs = options.deletionDelayMs ?? 2000;
    this.expirationDelayMs = options.expirationDelayMs ?? 0;
    this.defaultMaxResults = options.defaultMaxResults ?? 10;
    this.seed = options.seed;
    this.notFoundStyle = options.notFound ?? 'model';
  }

  reset(): void {
    this.state = emptyState();
  }

  exportState(): ChimeState {
    return clone(this.state);
  }

  importState(state: unknown): void {
    if (state === undefined || state === null) {
      this.reset();
      return;
    }
    if (!isRecord(state) || state.version !== 1 || !isRecord(state.instances) || typeof state.seq !== 'number' || typeof state.ids !== 'number') {
      throw new Error('not a Chime SDK Identity emulator state (expected {version: 1, seq, ids, instances: {...}})');
    }
    this.state = clone(state) as unknown as ChimeState;
  }

  /** Something the caller named does not exist: see `ChimeServiceOptions.notFound`. */
  notFound(operation: string, message: string): EmulatedError {
    const code = this.notFoundStyle === 'NotFoundException' || lists(operation, 'NotFoundException') ? 'NotFoundException' : 'BadRequestException';
    return new EmulatedError(code, message);
  }

  // --- lookups

  /**
   * Parses an ARN of one of `kinds` and finds its app instance. Another account's ARN is
   * ForbiddenException; another region's, or an instance that does not exist, is not found
   * (app instances are regional). A write to an instance being deleted is a conflict.
   */
  private resolve(arn: string, kinds: readonly ArnKind[], q: Lookup): { parsed: ParsedArn; instance: InstanceRecord } {
    const parsed = parseArn(arn);
    if (!parsed || !kinds.includes(parsed.kind)) {
      throw badRequest(`${q.member} must be the ARN of an ${kinds.map((k) => KIND_NAMES[k]).join(' or ')}, not ${JSON.stringify(arn)}`);
    }
    if (parsed.accountId !== q.ctx.accountId) {
      throw new EmulatedError('ForbiddenException', `The caller (account ${q.ctx.accountId}) is not authorized to access ${arn}`);
    }
    const instance = this.state.instances[parsed.instanceArn];
    if (!instance || parsed.region !== q.ctx.region) throw this.notFound(q.operation, `AppInstance ${parsed.instanceArn} not found`);
    if (q.write && instance.deletion) throw conflict(q.operation, `AppInstance ${instance.arn} is being deleted`);
    return { parsed, instance };
  }

  instance(arn: string, q: Lookup): InstanceRecord {
    return this.resolve(arn, ['app-instance'], q).instance;
  }

  user(arn: string, q: Lookup): { instance: InstanceRecord; user: UserRecord } {
    const { parsed, instance } = this.resolve(arn, ['user'], q);
    const user = instance.users[parsed.id ?? ''];
    if (!user) throw this.notFound(q.operation, `AppInstanceUser ${arn} not found`);
    return { instance, user };
  }

  bot(arn: string, q: Lookup): { instance: InstanceRecord; bot: BotRecord } {
    const { parsed, instance } = this.resolve(arn, ['bot'], q);
    const bot = instance.bots[parsed.id ?? ''];
    if (!bot) throw this.notFound(q.operation, `AppInstanceBot ${arn} not found`);
    return { instance, bot };
  }

  /** A user or bot (an admin candidate) of the instance `instanceArn`. */
  member(arn: string, q: Lookup): MemberRef {
    const { parsed, instance } = this.resolve(arn, ['user', 'bot'], q);
    if (parsed.kind === 'user') {
      const user = instance.users[parsed.id ?? ''];
      if (!user) throw this.notFound(q.operation, `AppInstanceUser ${arn} not found`);
      return { instance, kind: 'user', user, arn: user.arn, name: user.name };
    }
    const bot = instance.bots[parsed.id ?? ''];
    if (!bot) throw this.notFound(q.operation, `AppInstanceBot ${arn} not found`);
    return { instance, kind: 'bot', bot, arn: bot.arn, name: bot.name };
  }

  /** The tags of a taggable resource (app instance, user or bot). */
  taggable(arn: string, q: Lookup): { tags: Tag[]; set(tags: Tag[]): void } {
    const { parsed, instance } = this.resolve(arn, ['app-instance', 'user', 'bot'], q);
    if (parsed.kind === 'app-instance') return { tags: instance.tags, set: (tags) => (instance.tags = tags) };
    if (parsed.kind === 'user') {
      const user = instance.users[parsed.id ?? ''];
      if (!user) throw this.notFound(q.operation, `AppInstanceUser ${arn} not found`);
      return { tags: user.tags, set: (tags) => (user.tags = tags) };
    }
    const bot = instance.bots[parsed.id ?? ''];
    if (!bot) throw this.notFound(q.operation, `AppInstanceBot ${arn} not found`);
    return { tags: bot.tags, set: (tags) => (bot.tags = tags) };
  }

  /** The name an admin role shows (the user's or bot's current name). */
  memberName(instance: InstanceRecord, arn: string): string | undefined {
    const parsed = parseArn(arn);
    if (!parsed?.id) return undefined;
    return parsed.kind === 'user' ? instance.users[parsed.id]?.name : instance.bots[parsed.id]?.name;
  }

  // --- removal (with everything that hangs off the removed resource)

  removeUser(instance: InstanceRecord, user: UserRecord): void {
    delete instance.users[user.userId];
    delete instance.admins[user.arn];
  }

  removeBot(instance: InstanceRecord, bot: BotRecord): void {
    delete instance.bots[bot.botId];
    delete instance.admins[bot.arn];
  }

  // --- time

  /** Completes due app instance deletions and removes expired users. */
  tick(ctx: RequestContext): void {
    const now = ctx.now().getTime();
    for (const instance of Object.values(this.state.instances)) {
      if (instance.deletion && instance.deletion.completesAt <= now) {
        delete this.state.instances[instance.arn];
        continue;
      }
      for (const user of Object.values(instance.users)) {
        const expires = expiresAt(user);
        if (expires !== undefined && expires + this.expirationDelayMs <= now) this.removeUser(instance, user);
      }
    }
  }

  // --- ids

  nextSeq(): number {
    return ++this.state.seq;
  }

  /** A version 4 UUID (random, or derived from the seed and the id counter). */
  newUuid(): string {
    if (this.seed === undefined) return randomUUID();
    const b = this.seededBytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = b.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** An endpoint id: 64 lowercase hexadecimal digits. */
  newEndpointId(): string {
    return (this.seed === undefined ? randomBytes(32) : this.seededBytes(32)).toString('hex');
  }

  private seededBytes(length: number): Buffer {
    const n = ++this.state.ids;
    return createHash('sha256').update(`chime-emulator\n${this.seed}\n${n}`).digest().subarray(0, length);
  }
}

/** When a user with ExpirationSettings expires (epoch ms), from its creation time. */
export function expiresAt(user: UserRecord): number | undefined {
  return user.expiration ? user.created + user.expiration.ExpirationDays * DAY_MS : undefined;
}
