import * as fs from 'fs';
import * as path from 'path';
import { EmulatorApi } from './aws';
import { Recorder } from './report';
import { StackArtifact, substitutePlaceholders } from './synth';

/** The CDK CLI's asset publishing, for plain file assets (a users CSV); directories (function code) are not uploaded. */
export async function publishAssets(stack: StackArtifact, recorder: Recorder, requireApi: (purpose: string) => EmulatorApi): Promise<void> {
  for (const asset of stack.assets) {
    if (asset.packaging !== 'file' || path.resolve(asset.sourcePath) === path.resolve(stack.templateFile)) continue;
    if (!fs.existsSync(asset.sourcePath) || !fs.statSync(asset.sourcePath).isFile()) continue;
    if (asset.sourcePath.endsWith('.template.json')) continue; // another stack's template
    for (const destination of asset.destinations) {
      const bucket = substitutePlaceholders(destination.bucketName, stack.account, stack.region);
      const key = substitutePlaceholders(destination.objectKey, stack.account, stack.region);
      const api = requireApi(`publishing the file asset ${asset.id}`);
      const region = destination.region ? substitutePlaceholders(destination.region, stack.account, stack.region) : stack.region;
      if (await api.objectExists(region, bucket, key)) continue;
      await api.putObject(region, bucket, key, fs.readFileSync(asset.sourcePath), contentType(asset.sourcePath));
      recorder.publishedAssets.push(`s3://${bucket}/${key}`);
      recorder.line(`  asset ${path.basename(asset.sourcePath)} -> s3://${bucket}/${key}`);
    }
  }
}

function contentType(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return ({ '.json': 'application/json', '.csv': 'text/csv', '.txt': 'text/plain', '.zip': 'application/zip', '.yaml': 'application/yaml', '.yml': 'application/yaml' } as Record<string, string>)[ext] ?? 'application/octet-stream';
}
