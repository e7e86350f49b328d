import { createHash } from 'crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { S3ObjectReader } from '../../../lambda/core/s3';
import { Emulator } from '../../../local/emulator/emulator';
import { RunningEmulator, serve } from '../../../local/emulator/server';
import { fakeChime, fakeWickr, signedRequest } from './core-fakes';

let running: RunningEmulator;
let sm: SecretsManagerClient;
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;

beforeAll(async () => {
  running = await serve(new Emulator({ wickr: fakeWickr(), chime: fakeChime() }, { seed: 11 }));
  // The endpoint override the handler relies on: the environment variable, not an `endpoint` option.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = running.url;
  sm = new SecretsManagerClient({ region: 'eu-central-1', credentials: CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
  await running.close();
});
beforeEach(() => running.emulator.reset());

describe('Secrets Manager (official client)', () => {
  test('create, get, put a new version, describe, delete', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'app/bot', SecretString: 'first' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-central-1:123456789012:secret:app\/bot-[A-Za-z0-9]{6}$/);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'app/bot' }))).SecretString).toBe('first');

    const token = '11111111-2222-4333-8444-555555555555';
    const put = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'second', ClientRequestToken: token }));
    expect(put).toMatchObject({ VersionId: token, VersionStages: ['AWSCURRENT'] });
    const current = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(current).toMatchObject({ SecretString: 'second', VersionId: token, VersionStages: ['AWSCURRENT'] });
    expect(current.CreatedDate).toBeInstanceOf(Date);
    const previous = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionStage: 'AWSPREVIOUS' }));
    expect(previous.SecretString).toBe('first');

    const described = await sm.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    expect(described.VersionIdsToStages).toEqual({ [created.VersionId!]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
    expect((await sm.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).toEqual(['app/bot']);

    await sm.send(new DeleteSecretCommand({ SecretId: created.ARN, ForceDeleteWithoutRecovery: true }));
    const gone = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN })).catch((e: unknown) => e);
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  });

  test('PutSecretValue is idempotent per ClientRequestToken; the same token with another value is refused', async () => {
    const arn = running.emulator.secrets.createSecret({ name: 's', secretString: 'v0' });
    const token = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v1', ClientRequestToken: token }));
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v1', ClientRequestToken: token }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(Object.keys(described.VersionIdsToStages ?? {})).toHaveLength(2);
    expect(running.emulator.secrets.getSecretString(arn)).toBe('v1');
    const err = await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v2', ClientRequestToken: token })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ResourceExistsException' });
  });

  test('staging labels: PutSecretValue with VersionStages moves a label; UpdateSecretVersionStage moves AWSCURRENT back (AWSPREVIOUS follows)', async () => {
    const arn = running.emulator.secrets.createSecret({ name: 'labels', secretString: 'v0' });
    const [a, b] = ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'];
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'net-1', ClientRequestToken: a, VersionStages: ['AWSCURRENT', 'net-1'] }));
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'net-2', ClientRequestToken: b, VersionStages: ['AWSCURRENT', 'net-2'] }));
    const stages = async () => (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages;
    expect(await stages()).toEqual({ [a]: ['net-1', 'AWSPREVIOUS'], [b]: ['AWSCURRENT', 'net-2'] });
    const wrong = await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: a, RemoveFromVersionId: a })).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ name: 'InvalidParameterException' });
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: a, RemoveFromVersionId: b }));
    expect(await stages()).toEqual({ [a]: ['net-1', 'AWSCURRENT'], [b]: ['net-2', 'AWSPREVIOUS'] });
    expect(running.emulator.secrets.getSecretString(arn)).toBe('net-1');
  });

  test('errors in the awsJson format: unknown secret, existing name, deletion scheduled, missing member', async () => {
    const missing = await signedRequest(running.url, {
      method: 'POST',
      path: '/',
      service: 'secretsmanager',
      headers: { 'x-amz-target': 'secretsmanager.GetSecretValue', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ SecretId: 'nope' }),
    });
    expect(missing.status).toBe(400);
    expect(missing.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(missing.json).toEqual({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });

    await sm.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'x' }));
    await expect(sm.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'x' }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
    await sm.send(new DeleteSecretCommand({ SecretId: 'dup' }));
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'dup' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'dup' }))).DeletedDate).toBeInstanceOf(Date);
    await expect(sm.send(new GetSecretValueCommand({ SecretId: undefined }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('a retried CreateSecret with the same token answers again instead of failing', async () => {
    const token = '99999999-2222-4333-8444-555555555555';
    const first = await sm.send(new CreateSecretCommand({ Name: 'once', SecretString: 'x', ClientRequestToken: token }));
    const again = await sm.send(new CreateSecretCommand({ Name: 'once', SecretString: 'x', ClientRequestToken: token }));
    expect(again.ARN).toBe(first.ARN);
  });

  test('wrong credentials: UnrecognizedClientException / InvalidSignatureException', async () => {
    const other = new SecretsManagerClient({ region: 'eu-central-1', credentials: { accessKeyId: 'AKIA', secretAccessKey: 'test' }, maxAttempts: 1 });
    await expect(other.send(new ListSecretsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    const wrong = new SecretsManagerClient({ region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'x' }, maxAttempts: 1 });
    await expect(wrong.send(new ListSecretsCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  test('secret values never reach the call log, stdout or stderr', async () => {
    const out = jest.spyOn(process.stdout, 'write');
    const err = jest.spyOn(process.stderr, 'write');
    try {
      const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'quiet', SecretString: 'TOP-SECRET-1' }));
      await sm.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: 'TOP-SECRET-2' }));
      await sm.send(new GetSecretValueCommand({ SecretId: ARN }));
      const logged = JSON.stringify(running.emulator.calls());
      expect(logged).not.toContain('TOP-SECRET');
      expect(running.emulator.calls()[0].request.body).toMatchObject({ Name: 'quiet', SecretString: '***' });
      const printed = [...out.mock.calls, ...err.mock.calls].map((c) => String(c[0])).join('');
      expect(printed).not.toContain('TOP-SECRET');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  test('direct helpers: createSecret, getSecretString, deleteSecret', () => {
    const arn = running.emulator.secrets.createSecret({ name: 'direct', secretString: 'value' });
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:direct-[A-Za-z0-9]{6}$/);
    expect(running.emulator.secrets.getSecretString(arn)).toBe('value');
    expect(running.emulator.secrets.deleteSecret(arn)).toBe(true);
    expect(running.emulator.secrets.getSecretString(arn)).toBeUndefined();
    expect(running.emulator.secrets.deleteSecret(arn)).toBe(false);
  });
});

describe('S3 (path-style)', () => {
  const s3 = (method: string, path: string, body?: string, accessKeyId?: string) =>
    signedRequest(running.url, { method, path, service: 's3', body, unsignedPayload: true, accessKeyId });

  test('put, get, head, delete; buckets come with their first object', async () => {
    expect((await s3('PUT', '/assets/dir/users%20list.csv', 'a,b\n')).status).toBe(200);
    expect(running.emulator.s3.getObject('assets', 'dir/users list.csv')?.toString()).toBe('a,b\n');
    const got = await s3('GET', '/assets/dir/users%20list.csv');
    expect(got).toMatchObject({ status: 200, text: 'a,b\n' });
    expect(got.headers.etag).toBe(`"${createHash('md5').update('a,b\n').digest('hex')}"`);
    const head = await s3('HEAD', '/assets/dir/users%20list.csv');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('4');
    expect(head.text).toBe('');
    expect((await s3('DELETE', '/assets/dir/users%20list.csv')).status).toBe(204);
    expect(running.emulator.s3.getObject('assets', 'dir/users list.csv')).toBeUndefined();
    expect(running.emulator.calls().map((c) => [c.operation, c.status])).toEqual([
      ['PutObject', 200],
      ['GetObject', 200],
      ['HeadObject', 200],
      ['DeleteObject', 204],
    ]);
  });

  test('a missing key: 404 NoSuchKey as XML; a missing bucket: NoSuchBucket; HEAD without a body', async () => {
    running.emulator.s3.putObject('assets', 'present', 'x');
    const missing = await s3('GET', '/assets/absent');
    expect(missing.status).toBe(404);
    expect(missing.text).toMatch(/<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>absent<\/Key><\/Error>$/);
    expect((await s3('GET', '/other/absent')).text).toContain('<Code>NoSuchBucket</Code>');
    const head = await s3('HEAD', '/assets/absent');
    expect(head).toMatchObject({ status: 404, text: '' });
  });

  test('the handler S3 reader (UNSIGNED-PAYLOAD, single-encoded path) reads objects and reports NoSuchKey', async () => {
    running.emulator.s3.putObject('cdk-assets', 'users/a b+c.json', '[{"username":"x"}]');
    const reader = new S3ObjectReader({ region: 'us-east-1', credentials: CREDENTIALS, endpoint: running.url });
    expect(await reader.getObjectText('cdk-assets', 'users/a b+c.json')).toBe('[{"username":"x"}]');
    await expect(reader.getObjectText('cdk-assets', 'users/none.json')).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  test('S3 signature errors: InvalidAccessKeyId and SignatureDoesNotMatch', async () => {
    running.emulator.s3.putObject('assets', 'k', 'x');
    const wrongKey = await s3('GET', '/assets/k', undefined, 'AKIA');
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.text).toContain('<Code>InvalidAccessKeyId</Code>');
    const reader = new S3ObjectReader({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' }, endpoint: running.url });
    await expect(reader.getObjectText('assets', 'k')).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
  });

  test('anything beyond the four object calls is 501 NotImplemented', async () => {
    const list = await s3('GET', '/assets');
    expect(list.status).toBe(501);
    expect(list.text).toContain('<Code>NotImplemented</Code>');
    expect((await signedRequest(running.url, { method: 'GET', path: '/assets/k', query: { tagging: '' }, service: 's3', unsignedPayload: true })).status).toBe(501);
  });
});
