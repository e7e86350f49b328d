import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { S3ObjectReader } from '../../lambda/core/s3';
import { readZip } from '../../lambda/core/zip';
import { AccessLevel, ChimeAppInstance, UsersFile, WickrNetwork, WickrUsers } from '../../lib';
import { DefaultServices, RunningEmulator, startEmulator } from '../../local/emulator';
import { expectSuccess, StackWorkspace } from '../harness/stack-workspace';

/**
 * The provider reads the users files of the assets bucket, nothing else there (the bucket
 * holds every stack's assets), and that is enough for an update and for a rollback, which
 * read the old file as well as the new one. Proven with the emulator's IAM enforcement: the
 * runner registers the provider's synthesized policy, and a principal with exactly that
 * policy reads the objects.
 */
const BUCKET = 'cdk-hnb659fds-assets-123456789012-us-east-1';
let running: RunningEmulator<DefaultServices>;
let ws: StackWorkspace;

beforeAll(async () => {
  running = await startEmulator({ port: 0, seed: 23 });
  ws = new StackWorkspace(running, 'UsersGrant');
});
afterAll(async () => {
  ws.remove();
  await running.close();
});

function app(csv: string, metadata = 'v1') {
  const file = path.join(ws.dir, `users-${metadata}.csv`);
  fs.writeFileSync(file, csv);
  return (stack: Stack) => {
    const network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.STANDARD });
    const users = new WickrUsers(stack, 'Staff', { network, usersFile: UsersFile.fromCsv(file) });
    // Updated after the users: its failure rolls the users back.
    new ChimeAppInstance(stack, 'Chat', { name: 'chat', metadata }).node.addDependency(users);
  };
}

const usernames = () =>
  Object.values(running.emulator.services.wickr.store.state.networks).flatMap((n) => Object.values(n.users).map((u) => u.username)).sort();

test('the policy reaches the users files only: a read of another object of the assets bucket is refused', async () => {
  const report = expectSuccess(await ws.deploy(app('username\nann@example.com\nbob@example.com\n')));
  const staff = report.invocations.find((i) => i.logicalId.startsWith('Staff'))!;
  const { Key: key, Archive: entry } = (staff.event.ResourceProperties as { UsersFile: { Key: string; Archive: string } }).UsersFile;
  expect(key).toMatch(/^wickr-users-[0-9a-f]{64}\.zip$/);

  // A principal with exactly the provider's policy.
  const provider = running.emulator.listPrincipals().find((p) => JSON.stringify(p.statements).includes('s3:GetObject'))!;
  running.emulator.registerPrincipal('AKIDUSERSFILEGRANT', { secretAccessKey: 'grant-test-secret', arn: provider.arn, statements: provider.statements });
  const reader = new S3ObjectReader({ region: 'us-east-1', endpoint: running.url, credentials: { accessKeyId: 'AKIDUSERSFILEGRANT', secretAccessKey: 'grant-test-secret' } });

  expect(readZip(await reader.getObject(BUCKET, key)).get(entry)!.toString('utf8')).toBe('username\nann@example.com\nbob@example.com\n');
  running.emulator.s3.putObject(BUCKET, `${'a'.repeat(64)}.json`, '{"another":"stack template"}');
  running.emulator.s3.putObject(BUCKET, `${'b'.repeat(64)}.zip`, 'another stack code');
  await expect(reader.getObject(BUCKET, `${'a'.repeat(64)}.json`)).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  await expect(reader.getObject(BUCKET, `${'b'.repeat(64)}.zip`)).rejects.toMatchObject({ name: 'AccessDenied' });
});

test('an update to a new users file reads the old one too: it converges', async () => {
  expectSuccess(await ws.deploy(app('username\nann@example.com\ncai@example.com\n', 'v2')));
  expect(usernames()).toEqual(['ann@example.com', 'cai@example.com']);
});

test('a rollback reads both files again under the new policy: the users come back as they were', async () => {
  running.emulator.addFault({ operation: 'UpdateAppInstance', kind: 'error', count: 100 });
  const report = await ws.deploy(app('username\nann@example.com\ndee@example.com\neve@example.com\n', 'v3'));
  running.emulator.clearFaults();
  expect(report.success).toBe(false);
  expect(usernames()).toEqual(['ann@example.com', 'cai@example.com']);
  const rollback = report.invocations.filter((i) => i.phase === 'rollback' && i.logicalId.startsWith('Staff'));
  expect(rollback.map((i) => i.status)).toEqual(['SUCCESS']);
  const update = report.invocations.find((i) => i.phase !== 'rollback' && i.logicalId.startsWith('Staff'))!;
  expect(update.status).toBe('SUCCESS');
});
