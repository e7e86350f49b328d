import * as fs from 'fs';
import * as path from 'path';
import { EmulatorApi } from './aws';
import { Recorder } from './report';
import { StackArtifact, substitutePlaceholders } from '../../cli/synth';
import { zipDirectory } from '../../cli/zip';
import { USERS_FILE_ASSET_PREFIX } from '../../lambda/wickr/users.wire';

/** A users file staged by `WickrUsers` (a directory `asset.wickr-users-<hash>`). */
function isUsersFileAsset(dir: string): boolean {
  return path.basename(dir).startsWith(`asset.${USERS_FILE_ASSET_PREFIX}`);
}

/**
 * The CDK CLI's asset publishing, for file assets and the directory assets this library makes
 * (a users file, zipped as the CLI zips a directory); function code directories are not
 * uploaded (the runner runs the handler from its directory).
 */
export async function publishAssets(stack: StackArtifact, recorder: Recorder, requireApi: (purpose: string) => EmulatorApi): Promise<void> {
  for (const asset of stack.assets) {
    if (path.resolve(asset.sourcePath) === path.resolve(stack.templateFile) || !fs.existsSync(asset.sourcePath)) continue;
    const zipped = asset.packaging === 'zip' && fs.statSync(asset.sourcePath).isDirectory() && isUsersFileAsset(asset.sourcePath);
    if (!zipped && (asset.packaging !== 'file' || !fs.statSync(asset.sourcePath).isFile())) continue;
    if (asset.sourcePath.endsWith('.template.json')) continue; // another stack's template
    for (const destination of asset.destinations) {
      const bucket = substitutePlaceholders(destination.bucketName, stack.account, stack.region);
      const key = substitutePlaceholders(destination.objectKey, stack.account, stack.region);
      const api = requireApi(`publishing the file asset ${asset.id}`);
      const region = destination.region ? substitutePlaceholders(destination.region, stack.account, stack.region) : stack.region;
      if (await api.objectExists(region, bucket, key)) continue;
      await api.putObject(region, bucket, key, zipped ? zipDirectory(asset.sourcePath) : fs.readFileSync(asset.sourcePath), zipped ? 'application/zip' : contentType(asset.sourcePath));
      recorder.publishedAssets.push(`s3://${bucket}/${key}`);
      recorder.line(`  asset ${path.basename(asset.sourcePath)} -> s3://${bucket}/${key}`);
    }
  }
}

function contentType(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return ({ '.json': 'application/json', '.csv': 'text/csv', '.txt': 'text/plain', '.zip': 'application/zip', '.yaml': 'application/yaml', '.yml': 'application/yaml' } as Record<string, string>)[ext] ?? 'application/octet-stream';
}
