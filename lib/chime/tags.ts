import { TagManager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_MAX } from '../../lambda/chime/rules';

const RESERVED_TAG_PREFIX = 'aws:';

/** The operations `applyTagDiff` and `readTags` call on a tagged Chime resource. */
export const TAG_OPERATIONS = ['TagResource', 'UntagResource', 'ListTagsForResource'];

/** Validation of tags added with `Tags.of(...)`, run at synth (tags arrive through aspects). */
export function validateTags(scope: IConstruct, tags: TagManager): string[] {
  const rendered: Array<{ Key: string; Value: string }> = tags.renderTags() ?? [];
  const errors: string[] = [];
  const at = `[${scope.node.path}] tags`;
  if (rendered.length > TAGS_MAX) errors.push(`${at}: at most ${TAGS_MAX} tags are allowed (received ${rendered.length})`);
  for (const { Key, Value } of rendered) {
    if (Key.length < 1 || Key.length > TAG_KEY_MAX) errors.push(`${at}: key ${JSON.stringify(Key)} must be 1 to ${TAG_KEY_MAX} characters long`);
    if (Key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) errors.push(`${at}: key ${JSON.stringify(Key)} must not start with "${RESERVED_TAG_PREFIX}", which AWS reserves`);
    if (Value.length < 1 || Value.length > TAG_VALUE_MAX) {
      errors.push(`${at}: value of ${JSON.stringify(Key)} must be 1 to ${TAG_VALUE_MAX} characters long (received ${JSON.stringify(Value)})`);
    }
  }
  return errors;
}
