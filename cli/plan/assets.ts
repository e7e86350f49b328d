import * as fs from 'fs';
import * as path from 'path';
import type { S3ObjectReader } from '../../lambda/core/s3';
import { zipDirectory } from '../zip';
import type { StackArtifact } from '../synth';
import { substitutePlaceholders } from '../synth';

/**
 * The objects a deploy publishes before CloudFormation starts (a users file, as a file or a
 * zipped directory), read from the cloud assembly: the plan runs before they are in the
 * bucket, and a handler reads them there. Keyed `bucket/key`, as the template names them.
 */
export function stagedObjects(stack: StackArtifact): Map<string, () => Buffer> {
  const objects = new Map<string, () => Buffer>();
  for (const asset of stack.assets) {
    if (!fs.existsSync(asset.sourcePath) || asset.sourcePath.endsWith('.template.json')) continue;
    const directory = fs.statSync(asset.sourcePath).isDirectory();
    if (directory ? asset.packaging !== 'zip' : asset.packaging !== 'file') continue;
    const bytes = () => (directory ? zipDirectory(asset.sourcePath) : fs.readFileSync(path.resolve(asset.sourcePath)));
    for (const d of asset.destinations) {
      objects.set(`${substitutePlaceholders(d.bucketName, stack.account, stack.region)}/${substitutePlaceholders(d.objectKey, stack.account, stack.region)}`, bytes);
    }
  }
  return objects;
}

/** `live`, except that the objects this deploy stages are read from the assembly. */
export function withStaged(live: S3ObjectReader, staged: ReadonlyMap<string, () => Buffer>): S3ObjectReader {
  return new Proxy(live, {
    get(target, property, receiver) {
      if (property === 'getObject') {
        return async (bucket: string, key: string) => staged.get(`${bucket}/${key}`)?.() ?? target.getObject(bucket, key);
      }
      if (property === 'getObjectText') {
        return async (bucket: string, key: string) => (await (receiver as S3ObjectReader).getObject(bucket, key)).toString('utf8');
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
