import * as fs from 'fs';
import * as path from 'path';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import type { PolicyStatement } from '../../local/emulator';
import { deployLocal, destroyLocal } from '../../local/runner';
import type { Template } from '../../local/runner/intrinsics';
import type { StateFile } from '../../local/runner/state';
import { expectSuccess } from '../harness/stack-workspace';
import { CallTarget, evaluate, failures, lambdaModules, sdkCallAssertions } from './assertions';
import {
  assetIdsOf,
  compareWithSnapshot,
  discoverCases,
  IntegCase,
  machinePathsIn,
  orphanSnapshots,
  readTemplate,
  snapshotView,
  stacksOf,
  stagedAssets,
  writeSnapshot,
  synthCase,
  tempDir,
} from './cases';

/**
 * The integration test cases (`test/integ/integ.*.ts`, run against an account with
 * `npm run integ`) in CI, without an account:
 *
 * - each case synthesizes, with integ-runner's app command and context, to what its
 *   committed snapshot holds (its stacks' and its assertion stack's templates, asset hashes
 *   normalized), and the snapshot is whole and holds no path of this machine;
 * - each case's stacks deploy through the local lifecycle runner into the emulator, every
 *   `integ.assertions.awsApiCall(...).expect(...)` of its assertion stack holds against the
 *   emulator (called with the assertion function's IAM statements), and `destroy-local`
 *   leaves nothing behind (the cases clean up an account).
 */
const cases = discoverCases();
const work = tempDir('integ-');
const synthesized = new Map<string, Promise<string>>();
let running: RunningEmulator<DefaultServices>;

/** The case synthesized once (both synths start at once: they are separate processes). */
function assemblyOf(testCase: IntegCase): Promise<string> {
  let pending = synthesized.get(testCase.name);
  if (!pending) {
    const outdir = path.join(work, testCase.name, 'cdk.out');
    pending = synthCase(testCase, outdir).then(() => outdir);
    synthesized.set(testCase.name, pending);
  }
  return pending;
}

beforeAll(async () => {
  for (const testCase of cases) void assemblyOf(testCase).catch(() => undefined);
  running = await startEmulator({ port: 0, seed: 41 });
});
afterAll(async () => {
  await running?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('finds the two cases (not this test file), and every snapshot directory belongs to a case', () => {
  expect(cases.map((c) => c.name)).toEqual(['integ.chime-app-instance', 'integ.wickr-network']);
  expect(orphanSnapshots(cases)).toEqual([]);
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
  test('synthesizes to its committed snapshot', async () => {
    const problems = compareWithSnapshot(testCase, await assemblyOf(testCase));
    if (problems.length > 0) throw new Error(problems.join('\n'));
    // Templates and manifests only (no staged bundles, no node_modules/ in the repository), and
    // free of this machine's paths.
    expect(stagedAssets(testCase.snapshotDir)).toEqual([]);
    expect(machinePathsIn(testCase.snapshotDir)).toEqual([]);
  });

  test('deploys into the emulator, its assertions hold, and destroying it leaves nothing', async () => {
    const assemblyDir = await assemblyOf(testCase);
    const { caseStacks, assertionStacks } = stacksOf(assemblyDir);
    expect(assertionStacks).toHaveLength(1);
    running.emulator.reset();
    const stateFile = path.join(work, testCase.name, 'state.json');

    // Only the case stacks: the assertion stack's function is integ-tests' SDK-call provider,
    // evaluated below instead (see assertions.ts).
    expectSuccess(await deployLocal({ assemblyDir, stacks: caseStacks, stateFile, emulator: running }));
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as StateFile;
    const assertionTemplate = readTemplate(assemblyDir, assertionStacks[0]) as Template;
    const assertions = sdkCallAssertions(assertionTemplate, state);
    expect(assertions.length).toBeGreaterThanOrEqual(4);
    expect(assertions.every((a) => a.expected !== undefined)).toBe(true);

    const target = assertionPrincipal(assertionTemplate, state);
    const modules = lambdaModules(assemblyDir, assertionTemplate);
    const outcomes = await evaluate(assertions, target, modules);
    expect(failures(outcomes)).toEqual([]);

    // Every assertion can fail: the same call with its first expected literal changed fails;
    // and so does a call the assertion function's role does not allow.
    const tampered = await evaluate(assertions.map((a) => ({ ...a, expected: tamper(a.expected as string) })), target, modules);
    expect(tampered.map((o) => `${o.assertion.logicalId} ${o.status}`)).toEqual(assertions.map((a) => `${a.logicalId} fail`));
    const denied = await evaluate(assertions.slice(0, 1), assertionPrincipal(assertionTemplate, state, []), modules);
    expect(failures(denied)).toEqual([expect.stringMatching(/AccessDenied|Forbidden|not authorized/i)]);
    // Without the layers of the assertion function (the Lambda runtime's SDK alone), Wickr
    // assertions cannot run: the AWS SDK for JavaScript has no Wickr client.
    const runtimeOnly = await evaluate(assertions, target, lambdaModules(assemblyDir, { Resources: {} }));
    expect(runtimeOnly.map((o) => o.status)).toEqual(assertions.map((a) => (a.service === 'Wickr' ? 'fail' : 'pass')));
    expect(failures(runtimeOnly).every((f) => f.includes("client package with name '@aws-sdk/client-wickr' does not exist"))).toBe(true);

    const destroyed = expectSuccess(await destroyLocal({ stateFile, emulator: running }));
    expect(destroyed.rows.filter((r) => r.action === 'retained')).toEqual([]);
    expect(leftovers()).toEqual({ networks: [], appInstances: [], secrets: [] });
  });
});

describe('the snapshot check', () => {
  const [testCase] = cases;

  test('fails on a changed template, names the change and how to update', async () => {
    const copy = copySnapshot(testCase);
    const { caseStacks } = stacksOf(copy.snapshotDir);
    const file = path.join(copy.snapshotDir, `${caseStacks[0]}.template.json`);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const [logicalId] = Object.keys(template.Resources).filter((id) => template.Resources[id].Type.startsWith('Custom::'));
    template.Resources[logicalId].Properties.Stale = 'yes';
    fs.writeFileSync(file, JSON.stringify(template));

    const problems = compareWithSnapshot(copy, await assemblyOf(testCase)).join('\n');
    expect(problems).toContain(`${testCase.name}: snapshot changed!`);
    expect(problems).toContain(`[-] Resources.${logicalId}.Properties.Stale: "yes"`);
    expect(problems).toContain('npm run integ:snapshot');
  });

  test('fails on a missing snapshot, and on a stack the snapshot does not have', async () => {
    const actual = await assemblyOf(testCase);
    expect(compareWithSnapshot({ ...testCase, snapshotDir: path.join(work, 'none.snapshot') }, actual).join('\n')).toContain('no snapshot');

    const copy = copySnapshot(testCase);
    const integFile = path.join(copy.snapshotDir, 'integ.json');
    const integ = JSON.parse(fs.readFileSync(integFile, 'utf8'));
    for (const t of Object.values(integ.testCases) as Array<{ stacks: string[] }>) t.stacks = [];
    fs.writeFileSync(integFile, JSON.stringify(integ));
    expect(compareWithSnapshot(copy, actual).join('\n')).toMatch(/does not exist in snapshot, but does in actual/);
  });

  test('a synthesized assembly has staged assets, and writing the snapshot leaves them out', async () => {
    const assemblyDir = await assemblyOf(testCase);
    expect(stagedAssets(assemblyDir)).toEqual(expect.arrayContaining([expect.stringMatching(/^asset\.[0-9a-f]{64}/)]));
    const copy = { ...testCase, snapshotDir: path.join(fs.mkdtempSync(path.join(work, 'written-')), 'snapshot') };
    writeSnapshot(copy, assemblyDir);
    expect(stagedAssets(copy.snapshotDir)).toEqual([]);
    expect(compareWithSnapshot(copy, assemblyDir)).toEqual([]);
  });

  test('ignores asset hashes: a new handler bundle alone does not make a snapshot stale', async () => {
    const copy = copySnapshot(testCase);
    const { caseStacks } = stacksOf(copy.snapshotDir);
    const [handlerAsset] = assetIdsOf(copy.snapshotDir, caseStacks[0]);
    expect(handlerAsset).toMatch(/^[0-9a-f]{64}$/);
    const otherHash = 'f'.repeat(64);
    for (const name of fs.readdirSync(copy.snapshotDir).filter((n) => n.endsWith('.json'))) {
      const file = path.join(copy.snapshotDir, name);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(handlerAsset).join(otherHash));
    }
    expect(JSON.stringify(snapshotView(copy.snapshotDir))).not.toContain(otherHash);
    expect(compareWithSnapshot(copy, await assemblyOf(testCase))).toEqual([]);
  });
});

/** A copy of a case's snapshot (its JSON files) to spoil. */
function copySnapshot(testCase: IntegCase): IntegCase {
  const snapshotDir = fs.mkdtempSync(path.join(work, 'snapshot-'));
  for (const name of fs.readdirSync(testCase.snapshotDir).filter((n) => n.endsWith('.json') || n === 'cdk.out')) {
    fs.copyFileSync(path.join(testCase.snapshotDir, name), path.join(snapshotDir, name));
  }
  return { ...testCase, snapshotDir };
}

/**
 * Registers the assertion function's role with the emulator (its inline statements, as
 * integ-tests generates them from each call's service and API; or `only` these) and gives
 * its credentials: an assertion whose call the role does not allow fails as it would in an
 * account.
 */
function assertionPrincipal(template: Template, state: StateFile, only?: PolicyStatement[]): CallTarget {
  const roles = Object.values(template.Resources ?? {}).filter((r) => r.Type === 'AWS::IAM::Role');
  expect(roles).toHaveLength(1);
  const policies = ((roles[0].Properties ?? {}).Policies ?? []) as Array<{ PolicyDocument: { Statement: PolicyStatement[] } }>;
  const statements = only ?? policies.flatMap((p) => p.PolicyDocument.Statement);
  const [stack] = Object.values(state.stacks);
  const credentials = { accessKeyId: `ASIAINTEGASSERTIONS${only ? 'NONE' : 'ROLE'}`, secretAccessKey: 'integ-assertions-secret' };
  running.emulator.registerPrincipal(credentials.accessKeyId, {
    secretAccessKey: credentials.secretAccessKey,
    arn: `arn:aws:sts::${stack.account}:assumed-role/integ-assertions/SingletonFunction`,
    statements,
  });
  return { endpoint: running.url, region: stack.region, credentials };
}

/** The expected encoding with its first literal (a value, not a key) changed. */
function tamper(expected: string): string {
  let done = false;
  const walk = (value: unknown): unknown => {
    if (done) return value;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      done = true;
      return typeof value === 'string' ? `${value}-not-what-the-service-has` : typeof value === 'number' ? value + 1 : !value;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const changed = JSON.stringify(walk(JSON.parse(expected)));
  if (!done) throw new Error(`no literal to change in ${expected}`);
  return changed;
}

/** What the emulator still holds that a destroyed case could have made. */
function leftovers() {
  const state = running.emulator.exportState() as unknown as {
    wickr: { service: { networks: Record<string, { networkName: string }> } };
    chime: { service: { instances: Record<string, { name: string; deletion?: unknown }> } };
    secretsmanager: Array<{ name: string; deleted?: unknown }>;
  };
  return {
    networks: Object.values(state.wickr.service.networks).map((n) => n.networkName),
    appInstances: Object.values(state.chime.service.instances).filter((i) => !i.deletion).map((i) => i.name),
    secrets: state.secretsmanager.filter((s) => s.deleted === undefined).map((s) => s.name),
  };
}
