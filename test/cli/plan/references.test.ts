import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { planCommand } from '../../../cli/plan/cli';
import { PlanDocument } from '../../../cli/plan/report';
import { isMutating } from '../../../lambda/core/calls';
import { WickrClient } from '../../../lambda/wickr/client';
import { CreateNetworkCommand, CreateSecurityGroupCommand, ListNetworksCommand } from '../../../lambda/wickr/model.generated';
import { AccessLevel, WickrNetwork, WickrSecurityGroup } from '../../../lib';
import { DefaultServices, RunningEmulator, startEmulator, TEST_CREDENTIALS } from '../../../local/emulator';
import { DeployReport, deployLocal } from '../../../local/runner';
import { providerChanges } from '../../harness/stack-workspace';

/**
 * `plan` of properties that name a template parameter or another stack's export
 * (`Fn::ImportValue`, what a cross-stack reference synthesizes to): they resolve as the deploy
 * will resolve them (a parameter given with --parameter, else its deployed value, else its
 * default; an export from CloudFormation's `ListExports`), so the handler's own code plans them.
 * Each case is deployed afterwards and compared.
 */
const ENV = { account: '123456789012', region: 'us-east-1' };
let running: RunningEmulator<DefaultServices>;
let wickr: WickrClient;
let dir: string;
let n = 0;
beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 9 });
  wickr = new WickrClient({ region: ENV.region, endpoint: running.url, credentials: TEST_CREDENTIALS });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-refs-'));
});
afterAll(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function synth(build: (app: App) => void): string {
  const outdir = path.join(dir, `cdk.out.${++n}`);
  const app = new App({ outdir });
  build(app);
  app.synth();
  return outdir;
}

async function plan(assembly: string, extra: string[] = []): Promise<{ code: number; doc: PlanDocument }> {
  let out = '';
  running.emulator.clearCalls();
  const code = await planCommand(['--endpoint', running.url, '--app', assembly, '--json', ...extra], { out: (s) => void (out += s), err: () => undefined });
  expect(running.emulator.calls().filter((c) => isMutating(c.operation))).toEqual([]);
  return { code, doc: JSON.parse(out) as PlanDocument };
}

function deploy(assembly: string, parameters?: Record<string, string>): Promise<DeployReport> {
  running.emulator.clearCalls();
  return deployLocal({ assemblyDir: assembly, stateFile: path.join(dir, 'state.json'), emulator: running, out: () => undefined, err: () => undefined, parameters });
}

/** The changing calls of each resource the plan announced (the deploy's: `providerChanges`). */
const planned = (doc: PlanDocument) => Object.fromEntries(doc.stacks.flatMap((s) => s.entries).filter((e) => e.calls?.length).map((e) => [e.logicalId, e.calls!.map((c) => c.operation).sort()]));
const actions = (doc: PlanDocument) => doc.stacks.flatMap((s) => s.entries).map((e) => `${e.logicalId.replace(/[0-9A-F]{8}$/, '')} ${e.action}`);

async function handMadeNetwork(name: string, group?: string): Promise<string> {
  const { networkId } = await wickr.send(new CreateNetworkCommand({ networkName: name, accessLevel: 'PREMIUM' }));
  if (group) await wickr.send(new CreateSecurityGroupCommand({ networkId: networkId!, name: group, securityGroupSettings: {}, clientToken: `hand-${name}` }));
  return networkId!;
}

test('a new stack whose network id is a parameter with a default: planned with the default, BLOCKED where the deploy is refused (the group exists)', async () => {
  const networkId = await handMadeNetwork('param-net', 'taken');
  const assembly = synth((app) => {
    const stack = new Stack(app, 'ParamStack', { env: ENV });
    const id = new CfnParameter(stack, 'NetworkIdParam', { type: 'String', default: networkId });
    new WickrSecurityGroup(stack, 'Taken', { network: WickrNetwork.fromNetworkId(stack, 'Net', id.valueAsString), name: 'taken' });
  });
  const { code, doc } = await plan(assembly);
  expect([code, actions(doc)]).toEqual([2, ['Taken BLOCKED']]);
  expect((await deploy(assembly)).success).toBe(false);
});

test('--parameter: the value the deploy is given; without it, the deployed value', async () => {
  const networkId = await handMadeNetwork('param-net-2');
  const assembly = synth((app) => {
    const stack = new Stack(app, 'ParamStack2', { env: ENV });
    const name = new CfnParameter(stack, 'GroupName', { type: 'String', default: 'ops' });
    new WickrSecurityGroup(stack, 'Ops', { network: WickrNetwork.fromNetworkId(stack, 'Net', networkId), name: name.valueAsString });
  });
  expect((await deploy(assembly, { GroupName: 'ops-1' })).success).toBe(true);
  expect((await plan(assembly, ['--stack', 'ParamStack2'])).code).toBe(0);
  const given = await plan(assembly, ['--parameter', 'GroupName=ops-2']);
  expect([given.code, actions(given.doc)]).toEqual([1, ['Ops UPDATE']]);
  const report = await deploy(assembly, { GroupName: 'ops-2' });
  expect(report.success).toBe(true);
  expect(planned(given.doc)).toEqual(providerChanges(report));
});

test('a group on the network of another stack (Fn::ImportValue): renamed, an UPDATE with its one call; a new one whose name is taken, BLOCKED', async () => {
  const app = (groups: string[]) =>
    synth((a) => {
      const network = new WickrNetwork(new Stack(a, 'Base', { env: ENV }), 'Net', { networkName: 'export-net', accessLevel: AccessLevel.PREMIUM });
      const consumer = new Stack(a, 'Consumer', { env: ENV });
      groups.forEach((name, i) => new WickrSecurityGroup(consumer, `Group${i}`, { network, name }));
    });
  expect((await deploy(app(['analysts']))).success).toBe(true);
  const renamed = app(['analysts-eu']);
  const rename = await plan(renamed, ['--stack', 'Consumer']);
  expect([rename.code, actions(rename.doc)]).toEqual([1, ['Group0 UPDATE']]);
  const report = await deploy(renamed);
  expect(report.success).toBe(true);
  expect(planned(rename.doc)).toEqual(providerChanges(report));

  const { networks } = await wickr.send(new ListNetworksCommand({}));
  const networkId = networks!.find((x) => x.networkName === 'export-net')!.networkId!;
  await wickr.send(new CreateSecurityGroupCommand({ networkId, name: 'oncall', securityGroupSettings: {}, clientToken: 'hand-oncall' }));
  const added = app(['analysts-eu', 'oncall']);
  const add = await plan(added, ['--stack', 'Consumer']);
  expect([add.code, actions(add.doc)]).toEqual([2, ['Group0 NO CHANGE', 'Group1 BLOCKED']]);
  expect((await deploy(added)).success).toBe(false);
});

test('a name given up by an update and taken by a create of the same deploy: BLOCKED, saying that the two are not ordered unless one depends on the other', async () => {
  const app = (v: 1 | 2) =>
    synth((a) => {
      const stack = new Stack(a, 'Names', { env: ENV });
      const network = new WickrNetwork(stack, 'Net', { networkName: 'names', accessLevel: AccessLevel.PREMIUM });
      new WickrSecurityGroup(stack, 'GroupA', { network, name: v === 1 ? 'oncall' : 'oncall-old' });
      if (v === 2) new WickrSecurityGroup(stack, 'GroupB', { network, name: 'oncall' });
    });
  expect((await deploy(app(1))).success).toBe(true);
  const { code, doc } = await plan(app(2), ['--stack', 'Names']);
  expect([code, actions(doc)]).toEqual([2, ['Net NO CHANGE', 'GroupA UPDATE', 'GroupB BLOCKED']]);
  const blocked = doc.stacks[0].entries.find((e) => e.action === 'BLOCKED')!;
  expect(blocked.reason).toMatch(/GroupA\w+ is updated in this deploy and may give it up, .* CloudFormation runs the two in either order unless GroupB\w+ depends on GroupA\w+/);
});
