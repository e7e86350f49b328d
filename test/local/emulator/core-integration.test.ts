import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChimeSDKIdentityClient, CreateAppInstanceCommand, DescribeAppInstanceCommand } from '@aws-sdk/client-chime-sdk-identity';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3ObjectReader } from '../../../lambda/core/s3';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator/index';
import { wickr } from './core-fakes';

/**
 * The core with the real Wickr and Chime implementations behind it: one server for all
 * four services, faults, and state carried across a restart through the state file.
 */

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
let dir: string;
let running: RunningEmulator<DefaultServices>;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-integration-'));
  running = await startEmulator({ port: 0, seed: 21, stateFile: path.join(dir, 'state.json') });
});
afterEach(async () => {
  await running.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const chime = (url: string, maxAttempts = 1) => new ChimeSDKIdentityClient({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS, maxAttempts });

test('all four services on one server; the state survives a restart through the state file', async () => {
  const network = await wickr(running.url, 'POST', '/networks', { networkName: 'ops', accessLevel: 'PREMIUM' });
  expect(network.status).toBe(200);
  const { AppInstanceArn } = await chime(running.url).send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-chat' }));
  const secretArn = running.emulator.secrets.createSecret({ name: 'bot-password', secretString: 'pw' });
  running.emulator.s3.putObject('assets', 'users.json', '[]');
  running.emulator.saveState();
  await running.close();

  running = await startEmulator({ port: 0, stateFile: path.join(dir, 'state.json') });
  const got = await wickr(running.url, 'GET', `/networks/${network.json.networkId}`);
  expect(got.json).toMatchObject({ networkName: 'ops', accessLevel: 'PREMIUM' });
  expect((await chime(running.url).send(new DescribeAppInstanceCommand({ AppInstanceArn }))).AppInstance?.Name).toBe('chat');
  // The stored client token still replays after the restart.
  const again = await chime(running.url).send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-chat' }));
  expect(again.AppInstanceArn).toBe(AppInstanceArn);
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: running.url, credentials: CREDENTIALS, maxAttempts: 1 });
  expect((await sm.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString).toBe('pw');
  const reader = new S3ObjectReader({ region: 'us-east-1', credentials: CREDENTIALS, endpoint: running.url });
  expect(await reader.getObjectText('assets', 'users.json')).toBe('[]');
});

test('drop-after-commit on the real Chime service: the SDK retry is answered from the client token, one instance exists', async () => {
  running.emulator.addFault({ operation: 'CreateAppInstance', kind: 'drop-after-commit', count: 1 });
  const out = await chime(running.url, 3).send(new CreateAppInstanceCommand({ Name: 'chat', ClientRequestToken: 'tok-chat' }));
  expect(out.$metadata.attempts).toBe(2);
  expect(running.emulator.calls().map((c) => [c.operation, c.dropped, c.replayed])).toEqual([
    ['CreateAppInstance', true, undefined],
    ['CreateAppInstance', undefined, true],
  ]);
  expect((await chime(running.url).send(new DescribeAppInstanceCommand({ AppInstanceArn: out.AppInstanceArn }))).AppInstance?.Name).toBe('chat');
});

test('real Wickr validation passes through the core: model constraints first, then the prose rules', async () => {
  const model = await wickr(running.url, 'POST', '/networks', { networkName: 'ops', accessLevel: 'GOLD' });
  expect(model).toMatchObject({ status: 422, json: { reasons: [{ field: 'accessLevel', reason: 'Member must satisfy enum value set: [STANDARD, PREMIUM]' }] } });
  const prose = await wickr(running.url, 'POST', '/networks', { networkName: 'x'.repeat(21), accessLevel: 'STANDARD' });
  expect(prose).toMatchObject({ status: 422, json: { reasons: [{ field: 'networkName' }] } });
});
