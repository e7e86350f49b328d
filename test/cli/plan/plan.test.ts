import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isMutating } from '../../../lambda/core/calls';
import { ADOPT_CONTEXT } from '../../../lambda/core/ownership.wire';
import { planCommand } from '../../../cli/plan/cli';
import { PlanDocument } from '../../../cli/plan/report';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { DeployReport, deployLocal } from '../../../local/runner';
import { synthVersion, Version } from '../../harness/matrix-app';
import { expectSuccess, providerChanges } from '../../harness/stack-workspace';

/**
 * `plan` against the emulator, each case then deployed: the plan names what the deploy does
 * to each resource, and the changing calls it announces are exactly the calls the deploy
 * makes (per resource, from the provider's log, and in total, from the emulator's call log).
 * The plan itself changes nothing.
 */

let running: RunningEmulator<DefaultServices>;
let dir: string;
const stateFile = () => path.join(dir, 'run', 'state.json');
beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 43 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
});
afterAll(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const assemblies = new Map<string, string>();
function assembly(version: Version, context: Record<string, string> = {}): string {
  const key = `${version} ${JSON.stringify(context)}`;
  if (!assemblies.has(key)) {
    const into = fs.mkdtempSync(path.join(dir, `${version}-`));
    assemblies.set(key, synthVersion(into, version, context));
  }
  return assemblies.get(key)!;
}

async function plan(version: Version, context: Record<string, string> = {}): Promise<{ code: number; doc: PlanDocument; out: string; err: string }> {
  let out = '';
  let err = '';
  running.emulator.clearCalls();
  const args = ['--endpoint', running.url, '--app', assembly(version, context), '--json', ...Object.entries(context).flatMap(([k, v]) => ['--context', `${k}=${v}`])];
  const code = await planCommand(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  // A plan reads only: no call it sent changed anything.
  expect(running.emulator.calls().filter((c) => isMutating(c.operation)).map((c) => c.operation)).toEqual([]);
  return { code, doc: code === 2 && !out ? ({ stacks: [], reads: 0, exitCode: 2 } as PlanDocument) : (JSON.parse(out) as PlanDocument), out, err };
}

/** How many changing calls the services received from the provider. */
const changesReceived = () => running.emulator.calls().filter((c) => c.authorization?.principal && c.service !== 'cloudformation' && c.service !== 'lambda' && isMutating(c.operation)).length;

async function deploy(version: Version, context: Record<string, string> = {}): Promise<DeployReport> {
  running.emulator.clearCalls();
  const report = await deployLocal({ assemblyDir: assembly(version, context), stateFile: stateFile(), emulator: running, out: () => undefined, err: () => undefined });
  return expectSuccess(report);
}

/**
 * Each resource's planned calls against the deploy's, and the totals. A resource the plan
 * could not count (it waits for what the deploy makes) must say so, and is left out.
 */
function expectPlanMatches(doc: PlanDocument, report: DeployReport): void {
  const byResource = providerChanges(report);
  const total = changesReceived();
  const entries = doc.stacks.flatMap((s) => s.entries);
  const uncounted = entries.filter((e) => e.calls === undefined);
  for (const e of uncounted) expect([e.logicalId, e.reason]).toEqual([e.logicalId, expect.stringMatching(/known after/)]);
  const counted = entries.filter((e) => e.calls !== undefined);
  const planned = Object.fromEntries(counted.map((e) => [e.logicalId, e.calls!.map((c) => c.operation).sort()]));
  const made = Object.fromEntries(counted.map((e) => [e.logicalId, byResource[e.logicalId] ?? []]));
  expect(planned).toEqual(made);
  if (uncounted.length === 0) expect(entries.reduce((sum, e) => sum + e.calls!.length, 0)).toBe(total);
}

const actions = (doc: PlanDocument) => Object.fromEntries(doc.stacks.flatMap((s) => s.entries).map((e) => [e.logicalId.replace(/[0-9A-F]{8}$/, ''), e.action]));

test('a new stack: every resource CREATE, with the calls its create makes', async () => {
  const { code, doc } = await plan('v1');
  expect(code).toBe(1);
  expect(new Set(Object.values(actions(doc)))).toEqual(new Set(['CREATE']));
  expect(doc.stacks[0].entries.every((e) => e.calls !== undefined)).toBe(true);
  expectPlanMatches(doc, await deploy('v1'));
});

test('deployed and unchanged: NO CHANGE everywhere, exit 0, and the deploy makes no call', async () => {
  const { code, doc } = await plan('v1');
  expect(code).toBe(0);
  expect(new Set(Object.values(actions(doc)))).toEqual(new Set(['NO CHANGE']));
  expectPlanMatches(doc, await deploy('v1'));
});

test('every resource changed in place: UPDATE with the changed properties, live -> declared', async () => {
  const { code, doc } = await plan('v2');
  expect(code).toBe(1);
  const entries = doc.stacks[0].entries;
  const analysts = entries.find((e) => e.logicalId.startsWith('Analysts'))!;
  expect(analysts.action).toBe('UPDATE');
  expect(analysts.changes).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'Name', actual: 'analysts', expected: 'analysts-eu' })]));
  const staff = entries.find((e) => e.logicalId.startsWith('Staff'))!;
  expect(staff.summary).toMatch(/users: /);
  expectPlanMatches(doc, await deploy('v2'));
  await deploy('v1');
});

/** The entry of the construct `id` (its logical id is the id and a hash). */
const entry = (doc: PlanDocument, id: string) => doc.stacks.flatMap((s) => s.entries).find((e) => new RegExp(`^${id}[0-9A-F]{8}$`).test(e.logicalId))!;
const brief = (doc: PlanDocument) => doc.stacks.flatMap((s) => s.entries).map((e) => `${e.logicalId} ${e.action} ${e.reason ?? ''}`);

test('back to v1, then constructs renamed: the new logical ids ADOPT what the old ones own, which are then RETAINED (not deleted)', async () => {
  expectPlanMatches((await plan('v1')).doc, await deploy('v1'));
  const { code, doc } = await plan('v1r');
  expect(code).toBe(1);
  const renamed = doc.stacks[0].entries.filter((e) => /Renamed/.test(e.logicalId));
  expect(renamed.length).toBeGreaterThan(0);
  for (const e of renamed) {
    expect([e.logicalId, e.action]).toEqual([e.logicalId, 'ADOPT']);
    expect(e.reason).toMatch(/taken over .*of this stack/);
    const old = entry(doc, e.logicalId.replace(/Renamed[0-9A-F]{8}$/, ''));
    expect([old.logicalId, old.action]).toEqual([old.logicalId, 'RETAIN']);
  }
  expectPlanMatches(doc, await deploy('v1r'));
  expectPlanMatches((await plan('v1')).doc, await deploy('v1'));
});

test('resources leaving the stack: DELETE (the bots), with the calls of their deletes', async () => {
  const { code, doc } = await plan('v1m');
  expect(code).toBe(1);
  expect([entry(doc, 'AlertsBot').action, entry(doc, 'Helper').action]).toEqual(['DELETE', 'DELETE']);
  expect(entry(doc, 'AlertsBot').calls!.map((c) => c.operation)).toEqual(['DeleteBot']);
  expectPlanMatches(doc, await deploy('v1m'));
});

test('a stack forgotten by CloudFormation: BLOCKED (exists, not adopted) and exit 2; with the adoption context, ADOPT, and no change but where the value of a new secret is read', async () => {
  fs.rmSync(path.dirname(stateFile()), { recursive: true, force: true });
  running.emulator.removeStack('Matrix');
  const blocked = await plan('v1m');
  expect(blocked.code).toBe(2);
  expect(entry(blocked.doc, 'Ops').action).toBe('BLOCKED');
  expect(entry(blocked.doc, 'Ops').reason).toMatch(/already exists/);
  const context = { [ADOPT_CONTEXT]: '*' };
  const { code, doc } = await plan('v1m', context);
  expect(new Set(doc.stacks[0].entries.map((e) => e.action))).toEqual(new Set(['ADOPT']));
  // Counted: no change. Not counted: the endpoint, which reads the value of a secret the deploy makes anew (CloudFormation forgot the stack's secrets too).
  const counted = doc.stacks[0].entries.filter((e) => e.calls !== undefined);
  expect(counted.flatMap((e) => e.calls)).toEqual([]);
  expect(doc.stacks[0].entries.filter((e) => e.calls === undefined).map((e) => e.reason)).toEqual([
    'if it exists; its changes are known after DeviceToken29CDD929 (its value is read)',
  ]);
  expect(code).toBe(1);
  expectPlanMatches(doc, await deploy('v1m', context));
  // Deployed with the adoption: the next plan has nothing to do.
  const after = await plan('v1m');
  expect([after.code, new Set(after.doc.stacks[0].entries.map((e) => e.action))]).toEqual([0, new Set(['NO CHANGE'])]);
});

test('replacements: REPLACE with the reason, the calls of the new resource and the delete of the old one (or kept by UpdateReplacePolicy)', async () => {
  const { code, doc } = await plan('v3');
  expect(brief(doc).filter((line) => / BLOCKED /.test(line))).toEqual([]);
  expect(code).toBe(1);
  const ops = entry(doc, 'Ops');
  expect(ops.action).toBe('REPLACE');
  expect(ops.reason).toMatch(/kept \(UpdateReplacePolicy Retain\)/);
  const agent = entry(doc, 'Agent');
  expect(agent.action).toBe('REPLACE');
  expect(agent.calls!.map((c) => c.operation)).toContain('DeleteAppInstanceUser');
  expect(entry(doc, 'Analysts').reason).toMatch(/^after OpsA097D252 \(named by NetworkId\)/);
  expectPlanMatches(doc, await deploy('v3'));
});
