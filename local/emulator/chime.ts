import { adminOperations, botOperations, endpointOperations, userOperations } from './chime-members';
import { page } from './chime-paging';
import { validateProse } from './chime-rules';
import { CHIME_MODEL, ChimeServiceOptions, ChimeStore, clone, date, InstanceRecord, limitExceeded, Tag } from './chime-state';
import { isRecord } from './protocol';
import { EmulatedService, OperationImpl, RequestContext } from './service';

/**
 * Amazon Chime SDK Identity (30 operations) for the emulator: app instances with
 * asynchronous deletion, users with expiration, user endpoints, bots, admins, retention
 * settings and tags, with the service's ARN formats, the prose rules of the API reference
 * (`chime-rules.ts`), quotas and pagination (`chime-paging.ts`).
 *
 * Module map: app instances, retention and tags here; users, endpoints, bots and admins in
 * `chime-members.ts`; state, ARNs, lookups and ids in `chime-state.ts`.
 *
 * Choices where the API reference is silent (the README repeats them):
 * - App instances are regional and belong to the caller's account: the ARN is
 *   `arn:aws:chime:{region}:{account}:app-instance/{uuid}`. An ARN of another account is a
 *   ForbiddenException; one of another region is not found. Names need not be unique.
 * - Not found: only DescribeAppInstanceBot lists NotFoundException in the model, so it is
 *   the only operation that answers 404; every other operation answers a lookup of
 *   something that does not exist (app instance, user, bot, endpoint, admin role) with
 *   BadRequestException "... not found", the closest error its model lists. (Option
 *   `notFound: 'NotFoundException'` answers 404 everywhere instead.)
 * - DeleteAppInstance is asynchronous: it marks the instance, and the instance with all its
 *   users, endpoints, bots, admin roles, tags and retention settings disappears
 *   `deletionDelayMs` (2 s of emulator clock by default) later, at the first request after
 *   that moment. Meanwhile reads (Describe*, List*, Get*) still show it, writes to it or
 *   anything in it fail (ConflictException where the operation lists it, else
 *   BadRequestException "... is being deleted"), and DeleteAppInstance again succeeds
 *   without moving the deadline. Afterwards the ARN is simply not found.
 * - PutAppInstanceRetentionSettings: InitiateDeletionTimestamp is the time of the call (when
 *   the service starts applying the retention); `{}` or a ChannelRetentionSettings without
 *   RetentionDays clears the retention (no InitiateDeletionTimestamp then).
 *   GetAppInstanceRetentionSettings on an instance without any returns
 *   `AppInstanceRetentionSettings: {}`.
 * - Tags: TagResource adds or overwrites keys; more than 50 tags on a resource is a
 *   ResourceLimitExceededException; UntagResource ignores keys that are not there.
 *   ListTagsForResource returns the tags in the order they were first added (`[]` when
 *   none). App instances, users and bots are taggable; tags given at create are stored.
 * - Lists return items in creation order; MaxResults defaults to 10.
 */

export { CHIME_MODEL } from './chime-state';
export type { ChimeLimits, ChimeServiceOptions, ChimeState } from './chime-state';

export interface ChimeService extends EmulatedService {
  /** The live store (tests and tooling read it; requests go through `operations`). */
  readonly store: ChimeStore;
}

function instanceOut(i: InstanceRecord): Record<string, unknown> {
  return { AppInstanceArn: i.arn, Name: i.name, Metadata: i.metadata, CreatedTimestamp: date(i.created), LastUpdatedTimestamp: date(i.updated) };
}

function retentionOut(i: InstanceRecord): Record<string, unknown> {
  const days = i.retention?.days;
  return {
    AppInstanceRetentionSettings: days === undefined ? {} : { ChannelRetentionSettings: { RetentionDays: days } },
    InitiateDeletionTimestamp: days === undefined ? undefined : date(i.retention?.initiated),
  };
}

function instanceOperations(store: ChimeStore): Record<string, OperationImpl> {
  const q = (operation: string, ctx: RequestContext, write = false) => ({ operation, ctx, member: 'AppInstanceArn', write });
  return {
    CreateAppInstance(input, ctx) {
      const op = 'CreateAppInstance';
      const mine = Object.values(store.state.instances).filter((i) => i.accountId === ctx.accountId && i.region === ctx.region);
      if (mine.length >= store.limits.appInstances) {
        throw limitExceeded(op, `Account ${ctx.accountId} already has ${store.limits.appInstances} AppInstances in ${ctx.region} (the limit)`);
      }
      const now = ctx.now().getTime();
      let arn: string;
      do arn = `arn:aws:chime:${ctx.region}:${ctx.accountId}:app-instance/${store.newUuid()}`;
      while (store.state.instances[arn]);
      store.state.instances[arn] = {
        arn,
        accountId: ctx.accountId,
        region: ctx.region,
        name: input.Name,
        metadata: input.Metadata,
        created: now,
        updated: now,
        seq: store.nextSeq(),
        tags: ((input.Tags ?? []) as Tag[]).map((t) => ({ Key: t.Key, Value: t.Value })),
        users: {},
        bots: {},
        admins: {},
      };
      return { AppInstanceArn: arn };
    },

    DescribeAppInstance(input, ctx) {
      return { AppInstance: instanceOut(store.instance(input.AppInstanceArn, q('DescribeAppInstance', ctx))) };
    },

    ListAppInstances(input, ctx) {
      const op = 'ListAppInstances';
      const mine = Object.values(store.state.instances).filter((i) => i.accountId === ctx.accountId && i.region === ctx.region);
      const { items, NextToken } = page(op, `${ctx.accountId} ${ctx.region}`, mine, input, store.defaultMaxResults);
      return { AppInstances: items.map((i) => ({ AppInstanceArn: i.arn, Name: i.name, Metadata: i.metadata })), NextToken };
    },

    UpdateAppInstance(input, ctx) {
      const instance = store.instance(input.AppInstanceArn, q('UpdateAppInstance', ctx, true));
      instance.name = input.Name;
      instance.metadata = input.Metadata;
      instance.updated = ctx.now().getTime();
      return { AppInstanceArn: instance.arn };
    },

    /** Asynchronous: see the module comment. A second call while the deletion runs succeeds. */
    DeleteAppInstance(input, ctx) {
      const instance = store.instance(input.AppInstanceArn, q('DeleteAppInstance', ctx));
      if (instance.deletion) return;
      const now = ctx.now().getTime();
      if (store.deletionDelayMs <= 0) {
        delete store.state.instances[instance.arn];
        return;
      }
      instance.deletion = { requested: now, completesAt: now + store.deletionDelayMs };
    },

    PutAppInstanceRetentionSettings(input, ctx) {
      const instance = store.instance(input.AppInstanceArn, q('PutAppInstanceRetentionSettings', ctx, true));
      const days: number | undefined = input.AppInstanceRetentionSettings?.ChannelRetentionSettings?.RetentionDays;
      instance.retention = days === undefined ? {} : { days, initiated: ctx.now().getTime() };
      return retentionOut(instance);
    },

    GetAppInstanceRetentionSettings(input, ctx) {
      return retentionOut(store.instance(input.AppInstanceArn, q('GetAppInstanceRetentionSettings', ctx)));
    },
  };
}

function tagOperations(store: ChimeStore): Record<string, OperationImpl> {
  const q = (operation: string, ctx: RequestContext, write = false) => ({ operation, ctx, member: 'ResourceARN', write });
  return {
    TagResource(input, ctx) {
      const op = 'TagResource';
      const resource = store.taggable(input.ResourceARN, q(op, ctx, true));
      const merged = resource.tags.map((t) => ({ ...t }));
      for (const tag of input.Tags as Tag[]) {
        const existing = merged.find((t) => t.Key === tag.Key);
        if (existing) existing.Value = tag.Value;
        else merged.push({ Key: tag.Key, Value: tag.Value });
      }
      if (merged.length > store.limits.tagsPerResource) {
        throw limitExceeded(op, `A resource can have at most ${store.limits.tagsPerResource} tags; ${input.ResourceARN} would have ${merged.length}`);
      }
      resource.set(merged);
    },

    UntagResource(input, ctx) {
      const resource = store.taggable(input.ResourceARN, q('UntagResource', ctx, true));
      const keys = new Set(input.TagKeys as string[]);
      resource.set(resource.tags.filter((t) => !keys.has(t.Key)));
    },

    ListTagsForResource(input, ctx) {
      const resource = store.taggable(input.ResourceARN, q('ListTagsForResource', ctx));
      return { Tags: resource.tags.map((t) => ({ ...t })) };
    },
  };
}

/** The Chime SDK Identity service for the emulator (`createEmulator` uses the defaults). */
export function createChimeService(options: ChimeServiceOptions = {}): ChimeService {
  const store = new ChimeStore(options);
  const operations: Record<string, OperationImpl> = {
    ...instanceOperations(store),
    ...userOperations(store),
    ...endpointOperations(store),
    ...botOperations(store),
    ...adminOperations(store),
    ...tagOperations(store),
  };
  return {
    model: CHIME_MODEL,
    operations,
    store,
    validate: (operation, input) => validateProse(operation, input),
    tick: (ctx) => store.tick(ctx),
    reset: () => store.reset(),
    exportState: (secrets) => (secrets ? mapDeviceTokens(store.exportState(), (token) => secrets.conceal(token as string)) : store.exportState()),
    importState: (state, secrets) => store.importState(secrets ? mapDeviceTokens(state, (held) => secrets.reveal(held)) : state),
  };
}

/**
 * A copy of a state with each endpoint's device tokens (sensitive credentials, which the
 * service answers in DescribeAppInstanceUserEndpoint and so keeps as given) mapped by `f`:
 * concealed on export, revealed on import. Anything not shaped like a state is left alone.
 */
function mapDeviceTokens<T>(state: T, f: (token: unknown) => unknown): T {
  if (!isRecord(state)) return state;
  const copy = clone(state);
  const values = (record: unknown) => (isRecord(record) ? Object.values(record) : []);
  for (const instance of values(copy.instances)) {
    for (const user of values(isRecord(instance) ? instance.users : undefined)) {
      for (const endpoint of values(isRecord(user) ? user.endpoints : undefined)) {
        const attributes = isRecord(endpoint) ? endpoint.attributes : undefined;
        if (!isRecord(attributes)) continue;
        for (const key of ['DeviceToken', 'VoipDeviceToken']) if (attributes[key] !== undefined) attributes[key] = f(attributes[key]);
      }
    }
  }
  return copy;
}
