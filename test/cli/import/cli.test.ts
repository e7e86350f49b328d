import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { driftCommand } from '../../../cli/drift/cli';
import { ADOPT_CONTEXT } from '../../../lambda/core/ownership.wire';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { deployLocal } from '../../../local/runner';
import { parseArgs } from '../../../local/runner/cli';
import { expectSuccess } from '../../harness/stack-workspace';
import { compileGenerated, deployLocalArgs, importCli, Made, makeByHand, serviceChanges, synthGenerated } from './fixture';

/**
 * The take-over round trip through the CLI: what was made through the services' APIs alone
 * is imported; the code compiles and synthesizes; the printed deploy adopts everything
 * without one call that changes anything, and drift finds it in sync; one setting changed in
 * the generated file costs exactly that one call.
 */
let running: RunningEmulator<DefaultServices>;
let dir: string;
let made: Made;
const NAME = 'Acme';

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 151 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-'));
  made = await makeByHand(running);
});
afterAll(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const importArgs = (out: string) => ['--endpoint', running.url, '--network-id', made.networkId, '--app-instance-arn', made.instanceArn, '--out', out, '--name', NAME];

test('import, compile, synthesize, deploy with the printed adoption: no change; drift in sync; one edited setting is one call', async () => {
  const out = path.join(dir, 'imported');
  running.emulator.clearCalls();
  const run = await importCli(importArgs(out));
  expect(run.err).not.toMatch(/^import:/m);
  expect(run.code).toBe(0);
  // reads only
  expect(serviceChanges(running)).toEqual([]);
  expect(run.err).toMatch(/users: 150 read/);
  expect(run.err).toMatch(/app instance acme-chat: users: 10 read/);
  expect(fs.readdirSync(out).sort()).toEqual([`${NAME}-app.ts`, `${NAME}-users.csv`, `${NAME}.ts`]);
  const csv = fs.readFileSync(path.join(out, `${NAME}-users.csv`), 'utf8').trim().split('\n');
  expect(csv).toHaveLength(151);
  const code = fs.readFileSync(path.join(out, `${NAME}.ts`), 'utf8');
  // settings at the service default are not written; the ones changed by hand are
  expect(code).toMatch(/lockoutThreshold: 8/);
  expect(code).toMatch(/federationMode: FederationMode\.RESTRICTED/);
  expect(code).toMatch(/retention: Duration\.days\(365\)/);
  expect(code).toMatch(/expiration: Duration\.days\(30\)/);
  expect(code).not.toMatch(/checkForUpdates|enableCrashReports/);
  expect(code).toMatch(/TODO: create secret "Acme\/Alertsbot\/challenge"/);

  expect(await compileGenerated(out, [`${NAME}.ts`, `${NAME}-app.ts`])).toBe('');

  // the printed command, as deploy-local parses it
  const parsed = parseArgs(deployLocalArgs(run.out));
  if (!('options' in parsed)) throw new Error(`the printed command does not parse: ${JSON.stringify(parsed)}`);
  expect(parsed.options).toMatchObject({ endpoint: running.url, stacks: [NAME] });
  const adopt = parsed.options.context?.[ADOPT_CONTEXT] ?? '';
  const assembly = synthGenerated(out, NAME, path.join(dir, 'cdk.out.1'), parsed.options.context);
  const template = JSON.parse(fs.readFileSync(path.join(assembly, `${NAME}.template.json`), 'utf8'));
  const custom = Object.entries(template.Resources as Record<string, { Type: string }>).filter(([, r]) => r.Type.startsWith('Custom::')).map(([id]) => id).sort();
  // the adoption context names exactly the custom resources of the stack
  expect(adopt.split(',')).toEqual(custom);
  expect(custom.length).toBeGreaterThanOrEqual(20);

  running.emulator.clearCalls();
  const stateFile = path.join(dir, 'state.json');
  const adopted = expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: assembly, stacks: [NAME] }));
  expect(serviceChanges(running)).toEqual([]);
  expect(adopted.rows.filter((r) => r.type.startsWith('Custom::')).every((r) => r.action === 'adopted')).toBe(true);
  expect(await driftCommand(['--endpoint', running.url, '--stack', NAME], { out: () => undefined, err: () => undefined })).toBe(0);

  // one setting changed in the generated file: exactly that one call
  fs.writeFileSync(path.join(out, `${NAME}.ts`), code.replace('lockoutThreshold: 8', 'lockoutThreshold: 9'));
  running.emulator.clearCalls();
  expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: synthGenerated(out, NAME, path.join(dir, 'cdk.out.2')), stacks: [NAME] }));
  expect(serviceChanges(running)).toEqual(['UpdateSecurityGroup']);
}, 300_000);
