/**
 * `import` figures for `npm run bench` (bench/run.ts prints what `benchImport` returns).
 * Nothing here asserts: the targets (issue 15) are read against the printed numbers.
 *
 * A network with 10,000 users and 50 groups is imported through the emulator with 50 ms of
 * latency per call (a latency fault): the list calls (at most ceil(10,000 / page size) for the
 * users), the wall time, and the size of the template the generated app synthesizes (the
 * users live in the CSV, so it stays small).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { driftCommand } from '../cli/drift/cli';
import { runImport } from '../cli/import/cli';
import { planCommand } from '../cli/plan/cli';
import { ADOPT_CONTEXT } from '../lambda/core/ownership.wire';
import { deployLocal } from '../local/runner';
import { BatchCreateUserCommand, CreateNetworkCommand, CreateSecurityGroupCommand, WickrClient } from '../lambda/wickr/client';
import { startEmulator, TEST_CREDENTIALS } from '../local/emulator';

const USERS = 10_000;
const GROUPS = 50;
const PAGE_SIZE = 100;
const ROOT = path.join(__dirname, '..');

/** Imports the network and synthesizes what import wrote; the figures. */
export async function benchImport(): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  const running = await startEmulator({ port: 0, seed: 15 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
  const wickr = new WickrClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
  try {
    const { networkId } = await wickr.send(new CreateNetworkCommand({ networkName: 'bench-org', accessLevel: 'PREMIUM' }));
    const groups: string[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const created = await wickr.send(new CreateSecurityGroupCommand({ networkId: networkId!, name: `group-${g}`, securityGroupSettings: { lockoutThreshold: 5 + (g % 5) }, clientToken: `bench-${g}` }));
      groups.push(created.securityGroup.id!);
    }
    for (let i = 0; i < USERS; i += 50) {
      const users = Array.from({ length: 50 }, (_, j) => ({ username: `user${i + j}@example.com`, firstName: `User${i + j}`, securityGroupIds: [groups[(i + j) % GROUPS]] }));
      await wickr.send(new BatchCreateUserCommand({ networkId: networkId!, users }));
    }
    running.emulator.addFault({ operation: '*', kind: 'latency', ms: 50 });
    const outDir = path.join(dir, 'imported');
    const started = process.hrtime.bigint();
    const run = await runImport(['--endpoint', running.url, '--network-id', networkId!, '--out', outDir, '--name', 'Bench'], { out: () => undefined, err: () => undefined });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    running.emulator.clearFaults();
    if (run.code !== 0) throw new Error(`import of the bench network answered ${run.code}`);
    const calls = run.calls ?? new Map<string, number>();
    const lists = [...calls].filter(([op]) => op.startsWith('List')).map(([op, n]) => `${op} ${n}`).join(', ');
    out[`import, ${USERS.toLocaleString('en-US')} users and ${GROUPS} groups: ListUsers calls  [target <= ${Math.ceil(USERS / PAGE_SIZE)}]`] = calls.get('ListUsers') ?? 0;
    out[`import, ${USERS.toLocaleString('en-US')} users and ${GROUPS} groups: list calls`] = lists;
    out[`import, ${USERS.toLocaleString('en-US')} users and ${GROUPS} groups: read calls in all`] = [...calls.values()].reduce((a, b) => a + b, 0);
    out[`import, ${USERS.toLocaleString('en-US')} users and ${GROUPS} groups: wall time, 50 ms latency per call (ms)`] = ms.toFixed(0);
    out[`import, ${USERS.toLocaleString('en-US')} users and ${GROUPS} groups: generated template (bytes)`] = synthesizedTemplateBytes(outDir, 'Bench', path.join(dir, 'cdk.out'), { [ADOPT_CONTEXT]: (run.adopt ?? []).join(',') });
    out[`import, ${USERS.toLocaleString('en-US')} users and ${GROUPS} groups: users CSV (bytes)`] = fs.statSync(path.join(outDir, 'Bench-users.csv')).size;
    Object.assign(out, await planAndDriftReads(running, path.join(dir, 'cdk.out')));
  } finally {
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * What `plan` and `drift` read of the imported stack: `plan` before the adopting deploy (every
 * resource ADOPT), then, deployed, `plan` (nothing to do) and `drift` (issue 15's target: plan
 * reads no more than drift). Reads are the calls the emulator answered.
 */
async function planAndDriftReads(running: Awaited<ReturnType<typeof startEmulator>>, assembly: string): Promise<Record<string, number>> {
  const quiet = { out: () => undefined, err: () => undefined };
  const reads = async (work: () => Promise<unknown>) => {
    running.emulator.clearCalls();
    await work();
    return running.emulator.calls().length;
  };
  const label = `import, ${USERS.toLocaleString('en-US')} users and ${GROUPS} groups`;
  const stateFile = path.join(path.dirname(assembly), 'state.json');
  const figures: Record<string, number> = {};
  // Before the deploy, each thing taken over costs one ownership lookup (CloudFormation: who claims it), as in the deploy.
  figures[`${label}: plan reads, before the adopting deploy`] = await reads(() => planCommand(['--endpoint', running.url, '--app', assembly, '--json'], quiet));
  const deployed = await deployLocal({ assemblyDir: assembly, stateFile, emulator: running, out: () => undefined, err: () => undefined });
  if (!deployed.success) throw new Error(`the adopting deploy failed: ${deployed.reason}`);
  figures[`${label}: plan reads, deployed (no change)`] = await reads(() => planCommand(['--endpoint', running.url, '--app', assembly, '--json'], quiet));
  figures[`${label}: drift reads  [plan reads <= this]`] = await reads(() => driftCommand(['--endpoint', running.url], quiet));
  return figures;
}

/** Runs the generated app (its package imports pointed at this checkout) as `cdk synth` would; the template's size. */
function synthesizedTemplateBytes(outDir: string, name: string, cdkOut: string, context: Record<string, string>): number {
  for (const f of fs.readdirSync(outDir)) {
    if (!f.endsWith('.ts')) continue;
    const text = fs.readFileSync(path.join(outDir, f), 'utf8').replace(/from '([^'.][^']*)'/g, (whole, spec: string) => {
      if (spec === 'path') return whole;
      return `from ${JSON.stringify(spec === 'cdk-wickr-chime' ? path.join(ROOT, 'lib') : require.resolve(spec, { paths: [ROOT] }))}`;
    });
    fs.writeFileSync(path.join(outDir, f), text);
  }
  Object.assign(process.env, { CDK_OUTDIR: cdkOut, CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'us-east-1', CDK_CONTEXT_JSON: JSON.stringify(context) });
  require(path.join(outDir, `${name}-app.ts`));
  delete process.env.CDK_OUTDIR;
  delete process.env.CDK_CONTEXT_JSON;
  return fs.statSync(path.join(cdkOut, `${name}.template.json`)).size;
}
