import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FileAssetPackaging, Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PropertyValidationError } from '../core/errors';
import { WickrChimeProvider } from '../core/provider';
import { USERS_FILE_ASSET_PREFIX, UsersFileKeys } from '../../lambda/wickr/users.wire';
import type { UsersFile } from './users-file';

/**
 * Stages the users file as a directory asset (`asset.wickr-users-<sha256>/users.csv`), which
 * the CDK CLI zips and uploads and StackSets accept (they refuse a single-file asset), and
 * lets the provider read the users files only: `s3:GetObject` on the keys that start with
 * `wickr-users-` (under the synthesizer's prefix), not the bucket's other objects. Not this
 * file's key alone: an update reads the old file as well as the new one, and CloudFormation
 * updates the provider's policy (to the new key) before it updates this resource; a rollback
 * reads both again. The template's `UsersFile`.
 */
export function stageUsersFile(scope: Construct, source: UsersFile, text: string): Record<string, string> {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const sourceHash = `${USERS_FILE_ASSET_PREFIX}${sha256}`;
  const entry = `users.${source.format}`;
  const stack = Stack.of(scope);
  const stage = Stage.of(stack);
  if (!stage) throw new PropertyValidationError(scope, 'usersFile: a stack with a users file must be in an App or a Stage (its asset is staged in the cloud assembly)');
  const dir = path.join(stage.assetOutdir, `asset.${sourceHash}`);
  if (!fs.existsSync(path.join(dir, entry))) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, entry), text, 'utf8');
  }
  const location = stack.synthesizer.addFileAsset({ fileName: path.relative(stage.outdir, dir), packaging: FileAssetPackaging.ZIP_DIRECTORY, sourceHash });
  const keys = location.objectKey.includes(sha256) ? location.objectKey.replace(sha256, '*') : location.objectKey;
  WickrChimeProvider.of(scope).grant(['s3:GetObject'], [stack.formatArn({ service: 's3', region: '', account: '', resource: location.bucketName, resourceName: keys })]);
  return {
    [UsersFileKeys.Bucket]: location.bucketName,
    [UsersFileKeys.Key]: location.objectKey,
    [UsersFileKeys.Format]: source.format,
    [UsersFileKeys.Sha256]: sha256,
    [UsersFileKeys.Archive]: entry,
  };
}
