import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { driftCommand } from '../../../cli/drift/cli';
import { planCommand } from '../../../cli/plan/cli';
import { PlanDocument } from '../../../cli/plan/report';
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

/** `plan` of the assembly against the emulator, as JSON; it changes nothing. */
async function plan(assembly: string): Promise<{ code: number; doc: PlanDocument; calls: number }> {
  let out = '';
  running.emulator.clearCalls();
  const code = await planCommand(['--endpoint', running.url, '--app', assembly, '--stack', NAME, '--json'], { out: (s) => void (out += s), err: () => undefined });
  expect(serviceChanges(running)).toEqual([]);
  return { code, doc: JSON.parse(out) as PlanDocument, calls: running.emulator.calls().length };
}

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
  // the adoption context names exactly the custom resources of the stack, app instances and Chime bots with their ARNs (a name is not an identity)
  expect(adopt.split(',').map((entry) => entry.split('=')[0])).toEqual(custom);
  expect(adopt.split(',').filter((entry) => entry.includes('=')).map((entry) => entry.split('=')[1])).toEqual(expect.arrayContaining([made.instanceArn]));
  expect(custom.length).toBeGreaterThanOrEqual(20);

  // plan: every resource taken over as it is, no call, exit 0
  const before = await plan(assembly);
  const entries = before.doc.stacks[0].entries;
  expect(entries.map((e) => e.logicalId).sort()).toEqual(custom);
  expect(entries.filter((e) => e.action !== 'ADOPT' || e.changes.length > 0 || e.calls?.length !== 0).map((e) => `${e.logicalId} ${e.action} ${e.reason ?? ''}`)).toEqual([]);
  expect(before.code).toBe(0);

  running.emulator.clearCalls();
  const stateFile = path.join(dir, 'state.json');
  const adopted = expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: assembly, stacks: [NAME] }));
  expect(serviceChanges(running)).toEqual([]);
  expect(adopted.rows.filter((r) => r.type.startsWith('Custom::')).every((r) => r.action === 'adopted')).toBe(true);
  running.emulator.clearCalls();
  expect(await driftCommand(['--endpoint', running.url, '--stack', NAME], { out: () => undefined, err: () => undefined })).toBe(0);
  const driftCalls = running.emulator.calls().length;

  // one setting changed in the generated file: exactly that one call
  fs.writeFileSync(path.join(out, `${NAME}.ts`), code.replace('lockoutThreshold: 8', 'lockoutThreshold: 9'));
  const changed = synthGenerated(out, NAME, path.join(dir, 'cdk.out.2'));
  // plan: exactly that change, on one resource, with its one call; it reads no more than drift
  const after = await plan(changed);
  const updates = after.doc.stacks[0].entries.filter((e) => e.action !== 'NO CHANGE');
  expect(updates.map((e) => [e.action, e.changes.map((c) => `${c.path}: ${JSON.stringify(c.actual)} -> ${JSON.stringify(c.expected)}`), e.calls?.map((c) => c.operation)])).toEqual([
    ['UPDATE', [expect.stringMatching(/[Ll]ockoutThreshold: 8 -> 9$/)], ['UpdateSecurityGroup']],
  ]);
  expect(after.code).toBe(1);
  expect(after.calls).toBeLessThanOrEqual(driftCalls);
  running.emulator.clearCalls();
  expectSuccess(await deployLocal({ stateFile, emulator: running, assemblyDir: changed, stacks: [NAME] }));
  expect(serviceChanges(running)).toEqual(['UpdateSecurityGroup']);
}, 300_000);
