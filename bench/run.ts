/**
 * `npm run bench`: prints the figures the targets are about. Nothing here asserts; the
 * targets (README, "Benchmarks") are read against the printed numbers.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { AccessLevel, ChimeAppInstance, WickrNetwork } from '../lib';
import { startHarness } from '../test/harness/handler-harness';

const ROOT = path.join(__dirname, '..');
const HANDLER = path.join(ROOT, 'assets', 'handler', 'index.js');

type Row = [string, string | number];
const rows: Row[] = [];
function print(name: string, value: string | number): void {
  rows.push([name, value]);
  console.log(`${name.padEnd(64)} ${value}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function handlerAsset(): void {
  const code = fs.readFileSync(HANDLER);
  print('handler bundle, minified (KB)', (code.length / 1024).toFixed(1));
  print('handler bundle, gzip (KB)  [target <= 120]', (gzipSync(code).length / 1024).toFixed(1));
  // A fresh process per sample: the cost a cold Lambda pays to load the module.
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(HANDLER)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples = Array.from({ length: 7 }, () => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })));
  print('handler import time, median of 7 (ms)  [target <= 60]', median(samples).toFixed(1));
}

function synthFigures(): void {
  for (const count of [1, 10, 100]) {
    const started = process.hrtime.bigint();
    const app = new App({ outdir: fs.mkdtempSync(path.join(require('os').tmpdir(), 'bench-synth-')) });
    const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'us-east-1' } });
    for (let i = 0; i < count; i++) {
      if (i % 2 === 0) new WickrNetwork(stack, `Net${i}`, { networkName: `net-${i}`, accessLevel: AccessLevel.STANDARD });
      else new ChimeAppInstance(stack, `Chat${i}`, { name: `chat-${i}` });
    }
    const assembly = app.synth();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const bytes = fs.statSync(path.join(assembly.directory, 'Bench.template.json')).size;
    print(`synth ${count} resource(s): time (ms)`, ms.toFixed(0));
    print(`synth ${count} resource(s): template (bytes)`, bytes);
    fs.rmSync(assembly.directory, { recursive: true, force: true });
  }
}

async function apiCalls(): Promise<void> {
  const h = await startHarness({ seed: 1 });
  const count = async (label: string, run: () => Promise<{ Status: string; PhysicalResourceId?: string }>) => {
    h.clearCalls();
    const response = await run();
    if (response.Status !== 'SUCCESS') throw new Error(`${label} failed`);
    print(`API calls: ${label}`, h.calls().length);
    return response.PhysicalResourceId!;
  };
  try {
    const net = { type: 'Custom::WickrNetwork', props: { NetworkName: 'bench', AccessLevel: 'STANDARD' } };
    const networkId = await count('WickrNetwork create  [target 1; see README]', () => h.create(net));
    await count('WickrNetwork update, nothing changed  [target 0]', () => h.update({ ...net, physicalId: networkId, oldProps: net.props }));
    const renamed = { ...net, props: { ...net.props, NetworkName: 'bench2' } };
    await count('WickrNetwork rename', () => h.update({ ...renamed, physicalId: networkId, oldProps: net.props }));
    await count('WickrNetwork delete', () => h.remove({ ...renamed, physicalId: networkId }));

    const chat = { type: 'Custom::ChimeAppInstance', props: { Name: 'bench', Metadata: 'v1' } };
    const arn = await count('ChimeAppInstance create', () => h.create(chat));
    await count('ChimeAppInstance update, nothing changed  [target 0]', () => h.update({ ...chat, physicalId: arn, oldProps: chat.props }));
    const changed = { ...chat, props: { ...chat.props, Metadata: 'v2' } };
    await count('ChimeAppInstance metadata change', () => h.update({ ...changed, physicalId: arn, oldProps: chat.props }));
    await count('ChimeAppInstance delete', () => h.remove({ ...changed, physicalId: arn }));
  } finally {
    await h.close();
  }
}

async function optional(file: string, exportName: string): Promise<void> {
  const full = path.join(__dirname, `${file}.ts`);
  if (!fs.existsSync(full)) return;
  const mod = await import(full);
  const figures: Record<string, string | number> = await mod[exportName]();
  for (const [name, value] of Object.entries(figures)) print(name, value);
}

async function main(): Promise<void> {
  process.env.CDK_VALIDATION = 'false';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log(`cdk-wickr-chime benchmarks (node ${process.version}, ${require('os').cpus().length} cpus)\n`);
  handlerAsset();
  synthFigures();
  await apiCalls();
  await optional('users', 'benchUsers');
  await optional('drift', 'benchDrift');
  await optional('import', 'benchImport');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
