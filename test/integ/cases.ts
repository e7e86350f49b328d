import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The integration test cases (`test/integ/integ.*.ts`) and their snapshots, as
 * `integ-runner` finds, synthesizes and compares them: the discovery, the app command and
 * the test regex come from `integ.config.json`; the synth context is integ-runner's
 * (its recommended feature flags, no version reporting, no path or asset metadata); the
 * snapshot of `integ.NAME.ts` is the cloud assembly in `integ.NAME.ts.snapshot/`; and the
 * templates are compared with asset hashes normalized (integ-runner's default,
 * `diffAssets: false`), so a handler change alone does not make a snapshot stale. One
 * difference: integ-runner compares the case stacks only; here the assertion stack is
 * compared too (without its per-synthesis `salt`), so that a changed assertion is not left
 * out of the committed snapshot that integ-runner's update workflow deploys first.
 *
 * Used by `integ.test.ts` (the check in `npm test`) and by `update-snapshots.ts`
 * (`npm run integ:snapshot`, which writes the snapshots without an AWS account).
 */

export const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG_FILE = path.join(ROOT, 'integ.config.json');
const UPDATE_HINT = 'Update it with `npm run integ:snapshot` (no AWS account needed) and commit test/integ/*.snapshot/.';

interface IntegConfig {
  readonly directory: string;
  readonly app: string;
  readonly testRegex: readonly string[];
}

export function integConfig(): IntegConfig {
  return JSON.parse(fs.readFileSync(CONFIG_FILE, 'utf8')) as IntegConfig;
}

export interface IntegCase {
  /** `integ.wickr-network` */
  readonly name: string;
  /** Absolute path of the case file. */
  readonly file: string;
  /** Absolute path of its committed snapshot directory. */
  readonly snapshotDir: string;
}

/** The case files of `integ.config.json`'s directory that its test regex selects (as integ-runner discovers them). */
export function discoverCases(): IntegCase[] {
  const config = integConfig();
  const patterns = config.testRegex.map((p) => new RegExp(p));
  const found: IntegCase[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && patterns.some((re) => re.test(entry.name))) {
        found.push({ name: entry.name.replace(/\.ts$/, ''), file: full, snapshotDir: `${full}.snapshot` });
      }
    }
  };
  walk(path.join(ROOT, config.directory));
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Snapshot directories whose case file is gone. */
export function orphanSnapshots(cases: readonly IntegCase[]): string[] {
  const dir = path.join(ROOT, integConfig().directory);
  return fs.readdirSync(dir)
    .filter((name) => name.endsWith('.snapshot') && !cases.some((c) => path.basename(c.snapshotDir) === name))
    .map((name) => path.join(dir, name));
}

/**
 * The context integ-runner synthesizes with: its recommended feature flags (from the
 * installed integ-runner), no version reporting, bundling for every stack. Plus no stack
 * traces in the metadata: they hold absolute paths of the machine (they are metadata only,
 * not in any template).
 */
export function synthContext(): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const flags = require('@aws-cdk/integ-runner/lib/recommended-feature-flags.json') as Record<string, unknown>;
  return {
    ...flags,
    'aws:cdk:disable-version-reporting': true,
    'aws:cdk:bundling-stacks': ['**'],
    'aws:cdk:disable-stack-trace': true,
    'aws:cdk:disable-creation-stack-traces': true,
  };
}

/** The environment integ-runner gives the app (its `DEFAULT_SYNTH_OPTIONS.env`). */
const INTEG_ENV: Record<string, string> = {
  CDK_INTEG_ACCOUNT: '12345678',
  CDK_INTEG_REGION: 'test-region',
  CDK_INTEG_HOSTED_ZONE_ID: 'Z23ABC4XYZL05B',
  CDK_INTEG_HOSTED_ZONE_NAME: 'example.com',
  CDK_INTEG_DOMAIN_NAME: '*.example.com',
  CDK_INTEG_CERT_ARN: 'arn:aws:acm:test-region:12345678:certificate/86468209-a272-595d-b831-0efb6421265z',
  CDK_INTEG_SUBNET_ID: 'subnet-0dff1a399d8f6f92c',
};

/**
 * Synthesizes a case with `integ.config.json`'s app command (as integ-runner runs it) into
 * `outdir`. Rejects with the app's output when it fails.
 */
export function synthCase(testCase: IntegCase, outdir: string): Promise<void> {
  const command = integConfig().app.replace('{filePath}', JSON.stringify(path.relative(ROOT, testCase.file)));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...INTEG_ENV,
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify(synthContext()),
    // The built-in CloudFormation validation adds seconds per synth and nothing to a template.
    CDK_VALIDATION: 'false',
  };
  delete env.CDK_DEFAULT_ACCOUNT;
  delete env.CDK_DEFAULT_REGION;
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd: ROOT, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${testCase.name} does not synthesize (\`${command}\` exited ${code}):\n${output}`));
    });
  });
}

/** A fresh temporary directory (outside the repository: integ-runner would discover cases in it). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// ---------------------------------------------------------------------------------------
// Reading an assembly

type Json = Record<string, unknown>;

export interface IntegManifest {
  readonly testCases: Record<string, { readonly stacks: string[]; readonly assertionStack?: string; readonly assertionStackName?: string }>;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

export function readIntegManifest(assemblyDir: string): IntegManifest {
  return readJson<IntegManifest>(path.join(assemblyDir, 'integ.json'));
}

/** The stacks under test (integ-runner compares these) and the assertion stacks of an assembly. */
export function stacksOf(assemblyDir: string): { readonly caseStacks: string[]; readonly assertionStacks: string[] } {
  const testCases = Object.values(readIntegManifest(assemblyDir).testCases);
  return {
    caseStacks: [...new Set(testCases.flatMap((t) => t.stacks))],
    assertionStacks: [...new Set(testCases.flatMap((t) => (t.assertionStackName ? [t.assertionStackName] : [])))],
  };
}

interface Manifest {
  readonly artifacts?: Record<string, { readonly type: string; readonly properties?: { readonly templateFile?: string; readonly stackName?: string } }>;
}

/** The template of a stack, by artifact id or stack name. */
export function readTemplate(assemblyDir: string, stackName: string): Json {
  const manifest = readJson<Manifest>(path.join(assemblyDir, 'manifest.json'));
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const artifact = (stacks.find(([id]) => id === stackName) ?? stacks.find(([, a]) => a.properties?.stackName === stackName))?.[1];
  const templateFile = artifact?.properties?.templateFile;
  if (!templateFile) throw new Error(`${assemblyDir} has no stack ${stackName}`);
  return readJson<Json>(path.join(assemblyDir, templateFile));
}

/** The ids of the file assets of a stack (`<stack>.assets.json`) that are staged directories or files (`asset.*`). */
export function assetIdsOf(assemblyDir: string, stackName: string): string[] {
  const file = path.join(assemblyDir, `${stackName}.assets.json`);
  if (!fs.existsSync(file)) return [];
  const assets = readJson<{ files?: Record<string, { source?: { path?: string } }>; dockerImages?: Record<string, { source?: { directory?: string } }> }>(file);
  return [
    ...Object.entries(assets.files ?? {}).filter(([, a]) => a.source?.path?.startsWith('asset.')).map(([id]) => id),
    ...Object.entries(assets.dockerImages ?? {}).filter(([, a]) => a.source?.directory?.startsWith('asset.')).map(([id]) => id),
  ];
}

/** A template with each asset hash replaced by `Asset1`, `Asset2`, ... in the order of the stack's asset manifest (integ-runner's `canonicalizeTemplate`). */
export function canonicalizeTemplate(template: unknown, assetIds: readonly string[]): unknown {
  const substitute = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(substitute);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [sub(k), substitute(v)]));
    return typeof value === 'string' ? sub(value) : value;
  };
  const sub = (text: string): string => assetIds.reduce((out, id, i) => out.split(id).join(`Asset${i + 1}`), text);
  return substitute(template);
}

// ---------------------------------------------------------------------------------------
// Comparing with the snapshot

/**
 * The templates of an assembly's case and assertion stacks, by stack name, canonicalized:
 * asset hashes normalized, and the `salt` of each assertion resource (the synthesis time,
 * which makes integ-tests run the assertions at every deployment) left out.
 */
export function snapshotView(assemblyDir: string): Record<string, unknown> {
  const { caseStacks, assertionStacks } = stacksOf(assemblyDir);
  return Object.fromEntries([...caseStacks, ...assertionStacks].map((stack) => {
    const template = readTemplate(assemblyDir, stack);
    for (const resource of Object.values((template.Resources ?? {}) as Record<string, { Type: string; Properties?: Json }>)) {
      if (resource.Type.startsWith('Custom::DeployAssert@')) delete resource.Properties?.salt;
    }
    return [stack, canonicalizeTemplate(template, assetIdsOf(assemblyDir, stack))];
  }));
}

/** What differs between two canonical views, one line per JSON path (at most `limit`). */
export function differences(expected: unknown, actual: unknown, limit = 40): string[] {
  const out: string[] = [];
  const show = (v: unknown) => {
    const text = JSON.stringify(v);
    return text === undefined ? 'undefined' : text.length > 160 ? `${text.slice(0, 157)}...` : text;
  };
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (out.length >= limit) return;
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const isObj = (v: unknown) => v !== null && typeof v === 'object';
    if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
      const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
      for (const key of keys) {
        const sub = Array.isArray(a) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
        const has = (o: unknown) => Object.prototype.hasOwnProperty.call(o, key);
        if (!has(a)) out.push(`[+] ${sub}: ${show((b as Json)[key])}`);
        else if (!has(b)) out.push(`[-] ${sub}: ${show((a as Json)[key])}`);
        else walk((a as Json)[key], (b as Json)[key], sub);
        if (out.length >= limit) return;
      }
      return;
    }
    out.push(`[~] ${at}: ${show(a)} -> ${show(b)}`);
  };
  walk(expected, actual, '');
  return out;
}

/**
 * Compares a fresh synthesis of a case (`actualDir`) with its committed snapshot: the
 * diagnostics integ-runner would print as "Snapshot changed!", empty when it is current.
 */
export function compareWithSnapshot(testCase: IntegCase, actualDir: string): string[] {
  const rel = path.relative(ROOT, testCase.snapshotDir);
  if (!fs.existsSync(testCase.snapshotDir)) return [`${testCase.name}: no snapshot (${rel}). ${UPDATE_HINT}`];
  const expected = snapshotView(testCase.snapshotDir);
  const actual = snapshotView(actualDir);
  const problems: string[] = [];
  for (const stack of Object.keys(expected)) if (!(stack in actual)) problems.push(`${stack} exists in snapshot, but not in actual`);
  for (const stack of Object.keys(actual)) {
    if (!(stack in expected)) {
      problems.push(`${stack} does not exist in snapshot, but does in actual`);
      continue;
    }
    const diff = differences(expected[stack], actual[stack]);
    if (diff.length > 0) problems.push(`${stack} (${rel}/${stack}.template.json, asset hashes normalized):\n  ${diff.join('\n  ')}`);
  }
  return problems.length === 0 ? [] : [`${testCase.name}: snapshot changed! ${UPDATE_HINT}`, ...problems];
}

/**
 * The staged assets (`asset.*`: bundles, some under a `node_modules/` folder) in an assembly
 * directory. A committed snapshot holds none: the comparison normalizes asset hashes, so it
 * needs the templates and manifests only, and integ-runner stages the assets again when it
 * deploys a case.
 */
export function stagedAssets(assemblyDir: string): string[] {
  return fs.readdirSync(assemblyDir).filter((name) => name.startsWith('asset.')).sort();
}

/** Absolute paths of this machine (the repository, the temporary directory, the home directory) found in a directory's text files. */
export function machinePathsIn(dir: string): string[] {
  const needles = [...new Set([ROOT, fs.realpathSync(os.tmpdir()), os.tmpdir(), os.homedir()])].filter((p) => p.length > 1).map((p) => `${p}${path.sep}`);
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json')) {
        const text = fs.readFileSync(full, 'utf8');
        for (const needle of needles) if (text.includes(needle)) found.push(`${path.relative(dir, full)} contains ${needle}`);
      }
    }
  };
  walk(dir);
  return found;
}

// ---------------------------------------------------------------------------------------
// Writing the snapshot

/**
 * Writes a case's snapshot from a fresh synthesis, laid out as integ-runner lays it out:
 * the cloud assembly's templates, manifests and `integ.json`, without the staged assets
 * (`stagedAssets`), the `.cache/` directory and with
 * no `trace` in the metadata (stack traces, with paths of the machine; integ-runner's
 * `cleanManifest`, here for the per-stack `*.metadata.json` files too).
 */
export function writeSnapshot(testCase: IntegCase, synthesizedDir: string): void {
  fs.rmSync(testCase.snapshotDir, { recursive: true, force: true });
  fs.cpSync(synthesizedDir, testCase.snapshotDir, { recursive: true });
  for (const name of ['.cache', ...stagedAssets(testCase.snapshotDir)]) fs.rmSync(path.join(testCase.snapshotDir, name), { recursive: true, force: true });
  type Entries = Array<Record<string, unknown>>;
  const stripTraces = (file: string, metadataOf: (json: Json) => Entries[]): void => {
    const json = readJson<Json>(file);
    let traces = 0;
    for (const entries of metadataOf(json)) for (const entry of entries) if ('trace' in entry && delete entry.trace) traces++;
    if (traces > 0) fs.writeFileSync(file, JSON.stringify(json, undefined, 2));
  };
  stripTraces(path.join(testCase.snapshotDir, 'manifest.json'), (manifest) =>
    Object.values((manifest.artifacts ?? {}) as Record<string, { metadata?: Record<string, Entries> }>).flatMap((a) => Object.values(a.metadata ?? {})));
  for (const name of fs.readdirSync(testCase.snapshotDir).filter((n) => n.endsWith('.metadata.json'))) {
    stripTraces(path.join(testCase.snapshotDir, name), (metadata) => Object.values(metadata as Record<string, Entries>));
  }
}
