import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from '../lambda/core/template';

/**
 * Synthesis and the cloud assembly, the way the CDK CLI does them: the app command runs
 * with `CDK_OUTDIR` (and `CDK_CONTEXT_JSON`, `CDK_DEFAULT_ACCOUNT`, `CDK_DEFAULT_REGION`),
 * then `manifest.json` names the stacks, their templates and their asset manifests.
 */

export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';

export interface FileAsset {
  readonly id: string;
  /** Absolute path of the staged asset (a file or a directory). */
  readonly sourcePath: string;
  readonly packaging: string;
  readonly destinations: ReadonlyArray<{ readonly bucketName: string; readonly objectKey: string; readonly region?: string }>;
}

export interface StackArtifact {
  readonly artifactId: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: Template;
  readonly templateFile: string;
  /** Stack names this stack depends on (deployed first). */
  readonly dependencies: readonly string[];
  /** The file assets of this stack's asset manifests. */
  readonly assets: readonly FileAsset[];
  /** The assembly directory the stack came from. */
  readonly assemblyDir: string;
}

export interface Assembly {
  readonly dir: string;
  /** In deployment order (dependencies first). */
  readonly stacks: readonly StackArtifact[];
}

export interface SynthOptions {
  /** The app command (`cdk.json`'s `app` by default). An existing directory is used as the cloud assembly. */
  readonly app?: string;
  readonly cwd?: string;
  /** Receives the app's output lines (by default it is discarded unless synthesis fails). */
  readonly onOutput?: (line: string) => void;
  /** Context values, over those of `cdk.json` (as `cdk -c KEY=VALUE`). */
  readonly context?: Readonly<Record<string, string>>;
}

interface CdkJson {
  readonly app?: string;
  readonly context?: Record<string, unknown>;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** `cdk.json` (and `cdk.context.json`) of the working directory, when present. */
function cdkJson(cwd: string): { app?: string; context: Record<string, unknown> } {
  const file = path.join(cwd, 'cdk.json');
  const config = fs.existsSync(file) ? readJson<CdkJson>(file) : {};
  const contextFile = path.join(cwd, 'cdk.context.json');
  const saved = fs.existsSync(contextFile) ? readJson<Record<string, unknown>>(contextFile) : {};
  return { app: config.app, context: { ...saved, ...(config.context ?? {}) } };
}

/**
 * Runs the app and returns the cloud assembly directory (a fresh temporary directory the
 * caller removes), or the directory itself when `app` names an existing assembly.
 */
export async function synthesize(options: SynthOptions = {}): Promise<{ dir: string; temporary: boolean }> {
  const cwd = options.cwd ?? process.cwd();
  const config = cdkJson(cwd);
  const app = options.app ?? config.app;
  if (!app) throw new Error(`no app to synthesize: pass --app CMD or run where a cdk.json with "app" is (looked in ${cwd})`);
  const asDir = path.resolve(cwd, app);
  if (fs.existsSync(path.join(asDir, 'manifest.json'))) return { dir: asDir, temporary: false };

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-local-'));
  const context = {
    ...config.context,
    ...options.context,
    // What the CDK CLI adds by default.
    'aws:cdk:enable-path-metadata': true,
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:version-reporting': true,
    'aws:cdk:bundling-stacks': ['**'],
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify(context),
    CDK_DEFAULT_ACCOUNT: process.env.CDK_DEFAULT_ACCOUNT ?? DEFAULT_ACCOUNT,
    CDK_DEFAULT_REGION: process.env.CDK_DEFAULT_REGION ?? DEFAULT_REGION,
  };
  const output: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(app, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        output.push(line);
        options.onOutput?.(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0 || !fs.existsSync(path.join(outdir, 'manifest.json'))) {
    fs.rmSync(outdir, { recursive: true, force: true });
    // What the app said, as one readable message: an uncaught error's stack and code frame dropped, the last 30 lines.
    const tail = readableFailure(output.join('\n')).split('\n').slice(-30).join('\n');
    throw new Error(`synthesis failed: \`${app}\` exited with ${code}${code === 0 ? ' without writing a cloud assembly (does the app call app.synth() or end normally?)' : ''}${tail ? `\n${tail}` : ''}`);
  }
  return { dir: outdir, temporary: true };
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly properties?: Record<string, any>;
  readonly dependencies?: string[];
  readonly displayName?: string;
}

interface AssetManifest {
  readonly files?: Record<string, { source: { path?: string; packaging?: string; executable?: string[] }; destinations: Record<string, { bucketName: string; objectKey: string; region?: string }> }>;
}

/** Reads the stacks of a cloud assembly (nested assemblies of stages included). */
export function readAssembly(dir: string): Assembly {
  const stacks: StackArtifact[] = [];
  collectStacks(path.resolve(dir), stacks);
  const byName = new Map(stacks.map((s) => [s.stackName, s]));
  const ordered: StackArtifact[] = [];
  const visit = (stack: StackArtifact, seen: Set<string>) => {
    if (ordered.includes(stack) || seen.has(stack.stackName)) return;
    seen.add(stack.stackName);
    for (const dep of stack.dependencies) {
      const other = byName.get(dep);
      if (other) visit(other, seen);
    }
    ordered.push(stack);
  };
  for (const stack of stacks) visit(stack, new Set());
  return { dir: path.resolve(dir), stacks: ordered };
}

function collectStacks(dir: string, out: StackArtifact[]): void {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${dir} is not a cloud assembly: no manifest.json`);
  const manifest = readJson<{ artifacts?: Record<string, ManifestArtifact> }>(manifestFile);
  const artifacts = manifest.artifacts ?? {};
  const assetsOf = (ids: readonly string[]): FileAsset[] => {
    const assets: FileAsset[] = [];
    for (const id of ids) {
      const artifact = artifacts[id];
      if (artifact?.type !== 'cdk:asset-manifest' || !artifact.properties?.file) continue;
      const file = path.join(dir, artifact.properties.file as string);
      const assetManifest = readJson<AssetManifest>(file);
      for (const [assetId, asset] of Object.entries(assetManifest.files ?? {})) {
        if (!asset.source.path) continue; // built by an executable: nothing staged to read
        assets.push({
          id: assetId,
          sourcePath: path.resolve(path.dirname(file), asset.source.path),
          packaging: asset.source.packaging ?? 'file',
          destinations: Object.values(asset.destinations),
        });
      }
    }
    return assets;
  };

  const stackIdsToName = new Map<string, string>();
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'aws:cloudformation:stack') stackIdsToName.set(id, (artifact.properties?.stackName as string | undefined) ?? id);
  }
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      collectStacks(path.join(dir, artifact.properties.directoryName as string), out);
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = path.join(dir, artifact.properties?.templateFile as string);
    const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    const account = match && match[1] !== 'unknown-account' ? match[1] : (process.env.CDK_DEFAULT_ACCOUNT ?? DEFAULT_ACCOUNT);
    const region = match && match[2] !== 'unknown-region' ? match[2] : (process.env.CDK_DEFAULT_REGION ?? DEFAULT_REGION);
    out.push({
      artifactId: id,
      stackName: stackIdsToName.get(id) ?? id,
      account,
      region,
      template: readJson<Template>(templateFile),
      templateFile,
      dependencies: (artifact.dependencies ?? []).filter((d) => stackIdsToName.has(d)).map((d) => stackIdsToName.get(d) as string),
      assets: assetsOf(artifact.dependencies ?? []),
      assemblyDir: dir,
    });
  }
}

/** `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` in asset destinations. */
export function substitutePlaceholders(text: string, account: string, region: string): string {
  return text
    .replace(/\$\{AWS::AccountId\}/g, account)
    .replace(/\$\{AWS::Region\}/g, region)
    .replace(/\$\{AWS::Partition\}/g, region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');
}

/**
 * A failure reason as the console shows it: what an app printed when it failed to
 * synthesize, without the frames of an uncaught error's stack or the source line Node.js
 * shows above it, so a ValidationError reads as its message (and CDK's list of
 * construct paths it relates to).
 */
export function readableFailure(reason: string): string {
  const lines = reason.split('\n');
  const dropped = new Set<number>();
  lines.forEach((line, i) => {
    // Node.js's code frame of an uncaught error: "file:line", the source line, the caret under it.
    if (/^\s*\^+\s*$/.test(line) && i >= 2 && /:\d+$/.test(lines[i - 2])) [i - 2, i - 1, i].forEach((n) => dropped.add(n));
    // Stack frames (CDK folds some into "...new Stack in aws-cdk-lib..."), and what Node.js adds.
    if (/^\s+at\s/.test(line) || /^\s+\.\.\..*\.\.\.$/.test(line) || /^Node\.js v\d/.test(line) || /^\(Use `node --trace-/.test(line)) dropped.add(i);
  });
  return lines
    .filter((_, i) => !dropped.has(i))
    .join('\n')
    .trimEnd();
}
