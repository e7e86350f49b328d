import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceBotCommand,
  CreateAppInstanceCommand,
  CreateAppInstanceUserCommand,
  Configuration,
  DescribeAppInstanceCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { ADOPT_CONTEXT } from '../../../lambda/core/ownership.wire';
import { DefaultServices, RunningEmulator, startEmulator, TEST_CREDENTIALS } from '../../../local/emulator';
import { deployLocal } from '../../../local/runner';
import { parseArgs } from '../../../local/runner/cli';
import { compileGenerated, deployLocalArgs, importCli, serviceChanges, synthGenerated } from './fixture';

/**
 * Chime names are not identities (two app instances, or two bots, of one name): `import` of
 * one of them by ARN, then the printed deploy adopts that one, as it is, with no change (and
 * not the other), because the adoption context gives their ARNs.
 */
let running: RunningEmulator<DefaultServices>;
let dir: string;
let chime: ChimeSDKIdentityClient;
beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 153 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-review-'));
  chime = new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: running.url, credentials: TEST_CREDENTIALS });
});
afterAll(async () => {
  chime.destroy();
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const lexConfig = (aliasSuffix: string, standard: 'ALL' | 'MENTIONS'): Configuration => ({
  Lex: { LexBotAliasArn: `arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/${aliasSuffix}`, LocaleId: 'en_US', InvokedBy: { StandardMessages: standard, TargetedMessages: 'ALL' } },
});

async function roundTrip(name: string, instanceArn: string) {
  const out = path.join(dir, name);
  const run = await importCli(['--endpoint', running.url, '--app-instance-arn', instanceArn, '--out', out, '--name', name]);
  expect(run.err).not.toMatch(/^import:/m);
  expect(run.code).toBe(0);
  const code = fs.readFileSync(path.join(out, `${name}.ts`), 'utf8');
  expect(await compileGenerated(out, [`${name}.ts`, `${name}-app.ts`])).toBe('');
  const parsed = parseArgs(deployLocalArgs(run.out));
  if (!('options' in parsed)) throw new Error('the printed command does not parse');
  const assembly = synthGenerated(out, name, path.join(dir, `cdk.out.${name}`), parsed.options.context);
  running.emulator.clearCalls();
  const report = await deployLocal({ stateFile: path.join(dir, `${name}.state.json`), emulator: running, assemblyDir: assembly, stacks: [name], out: () => undefined, err: () => undefined });
  return { run, code, report, changes: serviceChanges(running), adopt: parsed.options.context?.[ADOPT_CONTEXT] };
}

test('two app instances of one name: import the second by ARN; the printed deploy adopts that one, not the first, with no change', async () => {
  const first = (await chime.send(new CreateAppInstanceCommand({ Name: 'twin-chat', Metadata: 'first', ClientRequestToken: 'twin-1' }))).AppInstanceArn!;
  const second = (await chime.send(new CreateAppInstanceCommand({ Name: 'twin-chat', Metadata: 'second', ClientRequestToken: 'twin-2' }))).AppInstanceArn!;
  await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: second, AppInstanceUserId: 'only-in-second', Name: 'Second user', ClientRequestToken: 'twin-u' }));
  const { report, changes, adopt } = await roundTrip('Twins', second);
  expect(adopt).toContain(`=${second}`);
  expect(report.success).toBe(true);
  expect(changes).toEqual([]);
  const instanceRow = report.rows.find((r) => r.type === 'Custom::ChimeAppInstance')!;
  expect(instanceRow.physicalId).toBe(second);
  // the first one is untouched
  expect((await chime.send(new DescribeAppInstanceCommand({ AppInstanceArn: first }))).AppInstance?.Metadata).toBe('first');
}, 300_000);

test('two bots of one name in one app instance, configured differently: the printed deploy adopts each as it is', async () => {
  const arn = (await chime.send(new CreateAppInstanceCommand({ Name: 'bots-chat', ClientRequestToken: 'bots-chat' }))).AppInstanceArn!;
  await chime.send(new CreateAppInstanceBotCommand({ AppInstanceArn: arn, Name: 'helper', Metadata: 'A', ClientRequestToken: 'bot-a', Configuration: lexConfig('AAAAAAAAAA', 'MENTIONS') }));
  await chime.send(new CreateAppInstanceBotCommand({ AppInstanceArn: arn, Name: 'helper', Metadata: 'B', ClientRequestToken: 'bot-b', Configuration: lexConfig('BBBBBBBBBB', 'ALL') }));
  const { report, changes } = await roundTrip('Bots', arn);
  expect(report.success).toBe(true);
  expect(changes).toEqual([]);
  const bots = report.rows.filter((r) => r.type === 'Custom::ChimeAppInstanceBot').map((r) => r.physicalId);
  expect(new Set(bots).size).toBe(2);
}, 300_000);
