import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-chime-sdk-identity';
import { OperationContext } from '../core/resource';
import { list, str, struct } from '../core/schema';
import { TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX } from './rules';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export const tagList = () =>
  list(struct<Tag>({ Key: str({ minLength: 1, maxLength: TAG_KEY_MAX }), Value: str({ minLength: 1, maxLength: TAG_VALUE_MAX }) }), {
    maxItems: TAGS_MAX,
  });

/** Applies the difference between two tag lists: one TagResource for added or changed tags, one UntagResource for removed keys. */
export async function applyTagDiff(ctx: OperationContext, arn: string, oldTags: readonly Tag[] = [], newTags: readonly Tag[] = []): Promise<void> {
  const before = new Map(oldTags.map((t) => [t.Key, t.Value]));
  const after = new Map(newTags.map((t) => [t.Key, t.Value]));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const upserted = newTags.filter((t) => before.get(t.Key) !== t.Value);
  if (removed.length) await ctx.clients.chime().send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: removed }));
  if (upserted.length) {
    await ctx.clients.chime().send(new TagResourceCommand({ ResourceARN: arn, Tags: upserted.map((t) => ({ Key: t.Key, Value: t.Value })) }));
  }
}

export async function readTags(ctx: OperationContext, arn: string): Promise<Tag[]> {
  const out = await ctx.clients.chime().send(new ListTagsForResourceCommand({ ResourceARN: arn }));
  return (out.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}
