import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { describeError, isNotFound, RequestRefusedError } from './errors';
import { OperationContext } from './resource';
import { optional, str, struct } from './schema';

/**
 * A reference to a secret value, as it travels in the template: only the secret's ARN
 * and, optionally, a field of its JSON value. The value itself is read at deploy time.
 */
export interface SecretRef {
  readonly SecretArn: string;
  readonly JsonField?: string;
}

export const secretRef = () =>
  struct<SecretRef>({
    SecretArn: str({ pattern: /^arn:[a-z-]+:secretsmanager:/, patternText: 'a Secrets Manager secret ARN' }),
    JsonField: optional(str({ minLength: 1 })),
  });

/**
 * Reads a secret value. Errors name the secret and field, never the value. A refused read
 * says what it can mean: Secrets Manager answers `AccessDeniedException` both for a missing
 * grant and for a secret that does not exist when the grant names the secret by name (a
 * policy scoped to `name-??????` matches no ARN of a missing secret), so it cannot tell them
 * apart; a secret that does not exist may also answer `ResourceNotFoundException`.
 */
export async function readSecret(ctx: OperationContext, ref: SecretRef): Promise<string> {
  let out;
  try {
    out = await ctx.clients.secrets().send(new GetSecretValueCommand({ SecretId: ref.SecretArn }));
  } catch (err) {
    const code = (err as { name?: string }).name;
    if (code === 'AccessDeniedException') {
      throw new RequestRefusedError(
        `cannot read the secret ${ref.SecretArn}: access denied, which means one of two things: the secret does not exist ` +
          '(a policy that names a secret answers AccessDeniedException, not ResourceNotFoundException, for a secret that is missing: create it, ' +
          "or check its name and region), or the provider's role may not read it (secretsmanager:GetSecretValue on the secret, and kms:Decrypt " +
          `on its customer managed key) (${describeError(err)})`,
        { cause: err },
      );
    }
    if (isNotFound(err)) {
      throw new RequestRefusedError(`cannot read the secret ${ref.SecretArn}: it does not exist (create it, or check its name and region) (${describeError(err)})`, { cause: err });
    }
    throw err;
  }
  const raw = out.SecretString;
  if (raw === undefined) throw new RequestRefusedError(`secret ${ref.SecretArn} has no string value`);
  if (!ref.JsonField) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new RequestRefusedError(`secret ${ref.SecretArn} is not JSON, so field ${ref.JsonField} cannot be read from it`);
  }
  const value = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>)[ref.JsonField] : undefined;
  if (typeof value !== 'string' || value === '') {
    throw new RequestRefusedError(`secret ${ref.SecretArn} has no non-empty string field ${ref.JsonField}`);
  }
  return value;
}

/**
 * Stores a value the service generated (such as a bot challenge) as the secret's new current
 * version, with the staging label `label` too (which moves to it from any older version).
 * The version id derives from the request, `purpose` and `index`: a repeated delivery storing
 * the same value changes nothing, one storing another value under the same version id is
 * refused (`ResourceExistsException`).
 */
export async function writeSecret(ctx: OperationContext, secretArn: string, value: string, purpose: string, index: number, label: string): Promise<void> {
  await ctx.clients.secrets().send(
    new PutSecretValueCommand({ SecretId: secretArn, SecretString: value, ClientRequestToken: versionId(ctx, purpose, index), VersionStages: ['AWSCURRENT', label] }),
  );
}

/** True when the secret has (a staged) version `writeSecret(ctx, arn, ..., purpose, index)` stored. Reads no value. */
export async function hasVersion(ctx: OperationContext, secretArn: string, purpose: string, index?: number): Promise<boolean> {
  const out = await ctx.clients.secrets().send(new DescribeSecretCommand({ SecretId: secretArn }));
  return Object.prototype.hasOwnProperty.call(out.VersionIdsToStages ?? {}, versionId(ctx, purpose, index));
}

/**
 * When the current version carries `label` (the value of something being removed), makes the
 * most recent other version whose labels match `others` current again: the value that
 * something else, which stays, still uses. Reads no value.
 */
export async function restoreCurrent(ctx: OperationContext, secretArn: string, label: string, others: RegExp): Promise<string | undefined> {
  const { VersionIdsToStages: versions = {} } = await ctx.clients.secrets().send(new DescribeSecretCommand({ SecretId: secretArn }));
  const entries = Object.entries(versions);
  const current = entries.find(([, stages]) => stages.includes('AWSCURRENT'));
  if (!current || !current[1].includes(label)) return undefined;
  const previous = entries.find(([id, stages]) => id !== current[0] && stages.includes('AWSPREVIOUS') && stages.some((s) => s !== label && others.test(s)))
    ?? entries.find(([id, stages]) => id !== current[0] && stages.some((s) => s !== label && others.test(s)));
  if (!previous) return undefined;
  await ctx.clients.secrets().send(new UpdateSecretVersionStageCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT', MoveToVersionId: previous[0], RemoveFromVersionId: current[0] }));
  return previous[1].find((s) => s !== label && others.test(s));
}

function versionId(ctx: OperationContext, purpose: string, index?: number): string {
  return toUuidLike(ctx.token(`secret:${purpose}`, index));
}

/** Secrets Manager wants a 32-64 character token; a UUID-shaped one reads well in its console. */
function toUuidLike(hex: string): string {
  const h = hex.padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
