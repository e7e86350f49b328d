import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocal, destroyLocal } from '../../../local/runner';

/**
 * The runner refuses what CloudFormation refuses: deleting an export another stack imports,
 * templates over CloudFormation's quotas, and a state file it cannot read (which it leaves
 * as it is).
 */

let running: RunningEmulator<DefaultServices>;
let dir: string;
let stateFile: string;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 41 });
});
afterAll(() => running.close());
beforeEach(() => {
  running.emulator.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refusals-'));
  stateFile = path.join(dir, 'state.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const ENV = { account: '123456789012', region: 'us-east-1' };
let synths = 0;

function synth(build: (app: App) => void, context: Record<string, unknown> = {}): string {
  const outdir = path.join(dir, `cdk.out.${++synths}`);
  const app = new App({ outdir, context });
  build(app);
  app.synth();
  return outdir;
}

/** `Producer` exports its log group's name as `Shared`; `Consumer` (when asked) imports it. */
function producerConsumer(options: { consumer?: boolean; exportValue?: string } = {}) {
  return (app: App) => {
    const producer = new Stack(app, 'Producer', { env: ENV });
    const group = new CfnResource(producer, 'Group', { type: 'AWS::Logs::LogGroup', properties: { LogGroupName: 'shared-group' } });
    new CfnOutput(producer, 'GroupName', { value: options.exportValue ?? group.ref, exportName: 'Shared' });
    if (options.consumer ?? true) {
      const consumer = new Stack(app, 'Consumer', { env: ENV });
      consumer.addDependency(producer);
      new CfnResource(consumer, 'Reader', { type: 'AWS::Logs::LogGroup', properties: { LogGroupName: Fn.join('-', [Fn.importValue('Shared'), 'reader']) } });
    }
  };
}

const deploy = (build: (app: App) => void) => deployLocal({ assemblyDir: synth(build), stateFile, emulator: running });
const state = () => JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { stacks: Record<string, { exports: Record<string, string> }> };

describe('exports in use', () => {
  test('a stack whose export another stack imports is not destroyed, in CloudFormation words; the importer first, then it is', async () => {
    expect((await deploy(producerConsumer())).success).toBe(true);
    expect(state().stacks.Producer.exports).toEqual({ Shared: 'shared-group' });

    const refused = await destroyLocal({ stateFile, emulator: running, stacks: ['Producer'] });
    expect(refused.success).toBe(false);
    expect(refused.reason).toBe('Export Shared cannot be deleted as it is in use by Consumer');
    expect(refused.stacks[0].status).toBe('DELETE_FAILED');
    expect(Object.keys(state().stacks).sort()).toEqual(['Consumer', 'Producer']);
    expect(running.emulator.listStacks().find((s) => s.stackName === 'Producer')?.status).toBe('DELETE_FAILED');

    const all = await destroyLocal({ stateFile, emulator: running });
    expect(all.success).toBe(true);
    expect(all.stacks.map((s) => s.stackName)).toEqual(['Consumer', 'Producer']);
    expect(state().stacks).toEqual({});
  });

  test('an update that removes or changes an export in use rolls back', async () => {
    expect((await deploy(producerConsumer())).success).toBe(true);

    const changed = await deployLocal({ assemblyDir: synth(producerConsumer({ exportValue: 'another-name' })), stateFile, emulator: running, stacks: ['Producer'] });
    expect(changed.success).toBe(false);
    expect(changed.reason).toContain('Cannot update export Shared as it is in use by Consumer');
    expect(changed.stacks[0].status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(state().stacks.Producer.exports).toEqual({ Shared: 'shared-group' });
  });

  test('an export no stack imports is deleted with its stack', async () => {
    expect((await deploy(producerConsumer({ consumer: false }))).success).toBe(true);
    const destroyed = await destroyLocal({ stateFile, emulator: running });
    expect(destroyed.success).toBe(true);
    expect(state().stacks).toEqual({});
  });
});

describe('template quotas', () => {
  const bigStack = (metadataBytes: number) => (app: App) => {
    const stack = new Stack(app, 'Big', { env: ENV });
    new CfnResource(stack, 'Group', { type: 'AWS::Logs::LogGroup' }).addMetadata('Padding', 'x'.repeat(metadataBytes));
  };

  test('a template over 1 MB (1,048,576 bytes) is refused before any change, naming the stack and its size', async () => {
    const assemblyDir = synth(bigStack(1_100_000));
    const size = fs.statSync(path.join(assemblyDir, 'Big.template.json')).size;
    const report = await deployLocal({ assemblyDir, stateFile, emulator: running });
    expect(report.success).toBe(false);
    expect(report.reason).toContain('Template may not exceed 1048576 bytes in size');
    expect(report.reason).toContain(`the template of stack Big is ${size.toLocaleString('en-US')} bytes`);
    expect(report.stacks[0].status).toBe('FAILED');
    expect(fs.existsSync(stateFile)).toBe(false);
    expect(running.emulator.listStacks()).toEqual([]);
  });

  test('a template just under 1 MB deploys', async () => {
    const report = await deploy(bigStack(1_000_000));
    expect(report.success).toBe(true);
  });

  test('a template of more than 500 resources is refused', async () => {
    // The CDK refuses as many at synth by default; this app turned its check off.
    const assemblyDir = synth(
      (app) => {
        const stack = new Stack(app, 'Many', { env: ENV });
        for (let i = 0; i < 501; i++) new CfnResource(stack, `Group${i}`, { type: 'AWS::Logs::LogGroup' });
      },
      { '@aws-cdk/core:stackResourceLimit': 0 },
    );
    const report = await deployLocal({ assemblyDir, stateFile, emulator: running });
    expect(report.success).toBe(false);
    expect(report.reason).toBe('Template format error: Number of resources, 501, is greater than maximum allowed, 500 (stack Many); split the stack');
  });
});

describe('a corrupted state file', () => {
  test('is named in the error, and left byte for byte as it was', async () => {
    const corrupt = Buffer.from('{"version": 1, "stacks": {"Producer": \u0000 truncated');
    fs.writeFileSync(stateFile, corrupt);
    const report = await deploy(producerConsumer({ consumer: false }));
    expect(report.success).toBe(false);
    expect(report.reason).toContain(`${stateFile} is not valid JSON`);
    expect(report.reason).toContain('left untouched');
    expect(fs.readFileSync(stateFile).equals(corrupt)).toBe(true);

    const destroyed = await destroyLocal({ stateFile, emulator: running });
    expect(destroyed.reason).toContain(`${stateFile} is not valid JSON`);
    expect(fs.readFileSync(stateFile).equals(corrupt)).toBe(true);
  });

  test('a state file of another shape is named too, and left as it was', async () => {
    fs.writeFileSync(stateFile, 'null');
    const report = await deploy(producerConsumer({ consumer: false }));
    expect(report.reason).toContain(`${stateFile} is not a deploy-local state file`);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe('null');
  });
});
