import { createHash } from 'crypto';
import { describeError, RequestRefusedError } from '../core/errors';
import { OperationContext } from '../core/resource';
import { readZip } from '../core/zip';
import { UsersFileFormat } from './users.wire';

/** Where a users file is (the template's `UsersFile`). */
export interface UsersFileRef {
  readonly Bucket: string;
  readonly Key: string;
  readonly Format: UsersFileFormat;
  readonly Sha256: string;
  /** The file's name inside the object, a ZIP archive; absent (0.1.0 templates): the object is the file. */
  readonly Archive?: string;
}

/** The users files one request read, by SHA-256: old and new properties naming the same content read it once. */
const READ = new WeakMap<OperationContext, Map<string, string>>();

/**
 * A users file's text from S3, checked against its `Sha256`: the object itself (templates of
 * 0.1.0), or its entry `Archive` of the ZIP object (the staged directory CDK zipped). Read once
 * per request and content, so an update whose old properties name the same content under
 * another key (an upgrade from 0.1.0) does not need the old object.
 */
export async function readUsersFileText(ctx: OperationContext, ref: UsersFileRef): Promise<string> {
  let read = READ.get(ctx);
  if (!read) READ.set(ctx, (read = new Map()));
  const text = read.get(ref.Sha256) ?? (await fetch(ctx, ref));
  read.set(ref.Sha256, text);
  return text;
}

async function fetch(ctx: OperationContext, ref: UsersFileRef): Promise<string> {
  const where = `s3://${ref.Bucket}/${ref.Key}${ref.Archive ? ` (${ref.Archive})` : ''}`;
  let text: string;
  try {
    const object = await ctx.clients.s3().getObject(ref.Bucket, ref.Key);
    if (ref.Archive) {
      const entry = readZip(object).get(ref.Archive);
      if (!entry) throw new RequestRefusedError(`the users file ${where} is not in the archive`);
      text = entry.toString('utf8');
    } else {
      text = object.toString('utf8');
    }
  } catch (err) {
    if (err instanceof RequestRefusedError) throw err;
    // Not a "not found" for the dispatcher: a missing file must not turn a delete into a silent success.
    throw new RequestRefusedError(`cannot read the users file ${where}: ${describeError(err)}`, { cause: err });
  }
  if (createHash('sha256').update(text, 'utf8').digest('hex') !== ref.Sha256) {
    throw new RequestRefusedError(`users file ${where} does not match the hash synthesized into the template`);
  }
  return text;
}
