import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as chime from 'aws-cdk-lib/aws-chime';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wickr from 'aws-cdk-lib/aws-wickr';
import { DefaultServices, RunningEmulator, startEmulator } from '../../../local/emulator';
import { expectSuccess, requestsOf, rowOf, RunnerWorkspace } from '../../fixtures/runner/harness';
import { Toy } from '../../fixtures/runner/toy-app';

/**
 * The native resources the runner emulates in the emulator (Secrets Manager secrets,
 * Wickr networks, Chime SDK Identity app instances, users and bots), and asset publishing.
 */

let emulator: RunningEmulator<DefaultServices>;
let ws: RunnerWorkspace;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.emulator.reset();
  ws = new RunnerWorkspace(emulator);
});
afterEach(() => ws.remove());

/** The state of the resource whose logical id starts with `prefix` (CDK appends a hash). */
function stateOf(prefix: string): { logicalId: string; physicalId: string; [key: string]: unknown } {
  const resources = ws.state().stacks.ToyStack.resources as Record<string, { physicalId: string }>;
  const logicalId = Object.keys(resources).find((id) => id.startsWith(prefix));
  if (!logicalId) throw new Error(`no resource ${prefix}* in ${Object.keys(resources).join(', ')}`);
  return { logicalId, ...resources[logicalId] };
}

describe('AWS::SecretsManager::Secret', () => {
  const app = (removalPolicy: RemovalPolicy) => (toy: Toy) => {
    const generated = new secretsmanager.Secret(toy.stack, 'Generated', {
      generateSecretString: { secretStringTemplate: JSON.stringify({ user: 'bot' }), generateStringKey: 'password', passwordLength: 20, excludePunctuation: true },
      removalPolicy,
    });
    const literal = new secretsmanager.Secret(toy.stack, 'Literal', { secretStringValue: SecretValue.unsafePlainText('s3cr3t'), removalPolicy });
    toy.resource('A', { GeneratedArn: generated.secretArn, LiteralArn: literal.secretArn });
  };

  test('creates the secret in the emulator (GenerateSecretString honoured); Ref is its ARN; destroy deletes it', async () => {
    const report = expectSuccess(await ws.deploy(app(RemovalPolicy.DESTROY)));

    const generatedArn = stateOf('Generated').physicalId as string;
    expect(generatedArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:Generated[0-9A-F]{8}-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$/);
    const value = JSON.parse(emulator.emulator.secrets.getSecretString(generatedArn) as string);
    expect(value.user).toBe('bot');
    expect(value.password).toMatch(/^[A-Za-z0-9]{20}$/);
    const literalArn = stateOf('Literal').physicalId as string;
    expect(emulator.emulator.secrets.getSecretString(literalArn)).toBe('s3cr3t');
    expect(ws.toy().events[0].ResourceProperties).toMatchObject({ GeneratedArn: generatedArn, LiteralArn: literalArn });
    // The secret value never appears in what the runner reports.
    expect(JSON.stringify(report)).not.toContain(value.password);
    expect(ws.stateText()).not.toContain(value.password);

    expectSuccess(await ws.destroy());
    expect(emulator.emulator.secrets.getSecretString(generatedArn)).toBeUndefined();
    expect(emulator.emulator.secrets.getSecretString(literalArn)).toBeUndefined();
  });

  test('DeletionPolicy Retain keeps the secret on destroy', async () => {
    expectSuccess(await ws.deploy(app(RemovalPolicy.RETAIN)));
    const { logicalId, physicalId: arn } = stateOf('Literal');
    const report = expectSuccess(await ws.destroy());
    expect(rowOf(report, logicalId).action).toBe('retained');
    expect(emulator.emulator.secrets.getSecretString(arn)).toBe('s3cr3t');
  });

  test('a changed value is put as a new version (same ARN); a new name replaces it', async () => {
    const build = (value: string, name?: string) => (toy: Toy) => {
      const secret = new secretsmanager.Secret(toy.stack, 'S', { secretName: name, secretStringValue: SecretValue.unsafePlainText(value), removalPolicy: RemovalPolicy.DESTROY });
      toy.resource('A', { Arn: secret.secretArn });
    };
    expectSuccess(await ws.deploy(build('one')));
    const { logicalId, physicalId: arn } = stateOf('S');

    const updated = expectSuccess(await ws.deploy(build('two')));
    expect(rowOf(updated, logicalId)).toMatchObject({ action: 'updated', physicalId: arn });
    expect(emulator.emulator.secrets.getSecretString(arn)).toBe('two');
    expect(updated.invocations).toEqual([]);

    const replaced = expectSuccess(await ws.deploy(build('two', 'renamed')));
    const newArn = stateOf('S').physicalId;
    expect(newArn).toMatch(/:secret:renamed-/);
    expect(rowOf(replaced, logicalId)).toMatchObject({ action: 'replaced', physicalId: newArn });
    expect(requestsOf(replaced)).toEqual(['Update A']);
    expect(replaced.invocations[0].event.ResourceProperties).toMatchObject({ Arn: newArn });
    expect(emulator.emulator.secrets.getSecretString(arn)).toBeUndefined();
    expect(emulator.emulator.secrets.getSecretString(newArn)).toBe('two');
  });
});

describe('AWS::Wickr::Network', () => {
  const app = (name: string, accessLevel = 'STANDARD') => (toy: Toy) => {
    const network = new wickr.CfnNetwork(toy.stack, 'Native', { networkName: name, accessLevel });
    network.applyRemovalPolicy(RemovalPolicy.DESTROY);
    toy.resource('Adopter', { NetworkId: network.attrNetworkId, NetworkArn: network.ref });
  };
  const networks = () => emulator.emulator.services.wickr.store.state.networks;

  test('is created in the emulator and adopted by a custom resource (NetworkId attribute; Ref = ARN); renamed in place; destroyed', async () => {
    expectSuccess(await ws.deploy(app('native-net')));
    const event = ws.toy().events[0];
    const networkId = event.ResourceProperties.NetworkId as string;
    expect(networkId).toMatch(/^[1-9]\d{7}$/);
    expect(networks()[networkId]).toMatchObject({ networkName: 'native-net', accessLevel: 'STANDARD' });
    expect(event.ResourceProperties.NetworkArn).toBe(`arn:aws:wickr:us-east-1:123456789012:network/${networkId}`);
    expect(emulator.emulator.calls().map((c) => `${c.service} ${c.operation}`)).toEqual(['wickr CreateNetwork', 'wickr GetNetwork']);

    const renamed = expectSuccess(await ws.deploy(app('renamed')));
    expect(rowOf(renamed, 'Native')).toMatchObject({ action: 'updated' });
    expect(networks()[networkId].networkName).toBe('renamed');
    expect(renamed.invocations).toEqual([]);

    expectSuccess(await ws.destroy());
    expect(networks()).toEqual({});
  });

  test('a new access level replaces the network: the adopter follows, the old network is deleted in the cleanup', async () => {
    expectSuccess(await ws.deploy(app('net')));
    const oldId = ws.toy().events[0].ResourceProperties.NetworkId as string;

    const report = expectSuccess(await ws.deploy(app('net', 'PREMIUM')));

    const newId = ws.toy().events[1].ResourceProperties.NetworkId as string;
    expect(newId).not.toBe(oldId);
    expect(rowOf(report, 'Native').action).toBe('replaced');
    expect(requestsOf(report)).toEqual(['Update Adopter']);
    expect(Object.keys(networks())).toEqual([newId]);
    expect(networks()[newId].accessLevel).toBe('PREMIUM');
  });
});

describe('AWS::Chime::AppInstance, AppInstanceUser, AppInstanceBot', () => {
  test('are created in the emulator with their ARNs as Ref; attributes resolve; destroy removes them', async () => {
    expectSuccess(
      await ws.deploy((toy) => {
        const instance = new chime.CfnAppInstance(toy.stack, 'Instance', { name: 'native-chat', metadata: 'm', tags: [{ key: 'team', value: 'platform' }] });
        instance.applyRemovalPolicy(RemovalPolicy.DESTROY);
        const user = new chime.CfnAppInstanceUser(toy.stack, 'User', { appInstanceArn: instance.attrAppInstanceArn, appInstanceUserId: 'alice', name: 'Alice' });
        user.applyRemovalPolicy(RemovalPolicy.DESTROY);
        const bot = new chime.CfnAppInstanceBot(toy.stack, 'Bot', {
          appInstanceArn: instance.ref,
          name: 'helper',
          configuration: { lex: { lexBotAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST', localeId: 'en_US', respondsTo: 'STANDARD_MESSAGES' } },
        });
        bot.applyRemovalPolicy(RemovalPolicy.DESTROY);
        toy.resource('Adopter', { AppInstanceArn: instance.ref, Created: instance.attrCreatedTimestamp, UserArn: user.ref, BotArn: bot.attrAppInstanceBotArn });
      }),
    );
    const props = ws.toy().events[0].ResourceProperties;
    expect(props.AppInstanceArn).toMatch(/^arn:aws:chime:us-east-1:123456789012:app-instance\/[0-9a-f-]{36}$/);
    expect(props.UserArn).toBe(`${props.AppInstanceArn}/user/alice`);
    expect(new Date(props.Created as string).getTime()).toBeGreaterThan(0);
    const instances = emulator.emulator.services.chime.store.state.instances;
    expect(instances[props.AppInstanceArn as string]).toMatchObject({ name: 'native-chat', tags: [{ Key: 'team', Value: 'platform' }] });
    expect(Object.keys(instances[props.AppInstanceArn as string].users)).toHaveLength(1);
    expect(props.BotArn).toMatch(new RegExp(`^${props.AppInstanceArn}/bot/`));
    expect(Object.keys(instances[props.AppInstanceArn as string].bots)).toHaveLength(1);

    const renamed = expectSuccess(
      await ws.deploy((toy) => {
        const instance = new chime.CfnAppInstance(toy.stack, 'Instance', { name: 'renamed-chat', metadata: 'm', tags: [{ key: 'team', value: 'ops' }] });
        instance.applyRemovalPolicy(RemovalPolicy.DESTROY);
        toy.resource('Adopter', { AppInstanceArn: instance.ref });
      }),
    );
    expect(rowOf(renamed, 'Instance')).toMatchObject({ action: 'updated', physicalId: props.AppInstanceArn });
    expect(rowOf(renamed, 'User').action).toBe('deleted');
    expect(rowOf(renamed, 'Bot').action).toBe('deleted');
    expect(instances[props.AppInstanceArn as string]).toMatchObject({ name: 'renamed-chat', tags: [{ Key: 'team', Value: 'ops' }], users: {}, bots: {} });

    expectSuccess(await ws.destroy());
    expect(emulator.emulator.calls().map((c) => c.operation)).toEqual(
      expect.arrayContaining(['CreateAppInstanceBot', 'UpdateAppInstance', 'TagResource', 'DeleteAppInstanceUser', 'DeleteAppInstanceBot', 'DeleteAppInstance']),
    );
  });
});

describe('file assets', () => {
  test('plain file assets are published to the emulator S3 at their destination (placeholders resolved); directories are not', async () => {
    const csv = path.join(ws.dir, 'users.csv');
    fs.writeFileSync(csv, 'email,name\nalice@example.com,Alice\n');
    const report = expectSuccess(
      await ws.deploy((toy) => {
        const asset = new s3assets.Asset(toy.stack, 'Users', { path: csv });
        toy.resource('A', { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey });
      }),
    );
    const { Bucket, Key } = ws.toy().events[0].ResourceProperties as { Bucket: string; Key: string };
    expect(Bucket).toBe('cdk-hnb659fds-assets-123456789012-us-east-1');
    expect(emulator.emulator.s3.getObject(Bucket, Key)?.toString('utf8')).toBe('email,name\nalice@example.com,Alice\n');
    expect(report.publishedAssets).toEqual([`s3://${Bucket}/${Key}`]);

    const again = expectSuccess(
      await ws.deploy((toy) => {
        const asset = new s3assets.Asset(toy.stack, 'Users', { path: csv });
        toy.resource('A', { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey });
      }),
    );
    expect(again.publishedAssets).toEqual([]);
  });
});

describe('other types', () => {
  test('are no-ops with a fake physical id and fake attributes, and one warning per type', async () => {
    const report = expectSuccess(
      await ws.deploy((toy) => {
        const topic = new CfnResource(toy.stack, 'Topic', { type: 'AWS::SNS::Topic', properties: { TopicName: 't' } });
        new CfnResource(toy.stack, 'Topic2', { type: 'AWS::SNS::Topic' });
        toy.resource('A', { TopicArn: topic.getAtt('TopicArn').toString(), TopicRef: topic.ref });
      }),
    );
    expect(report.warnings).toEqual([expect.stringContaining('AWS::SNS::Topic is not emulated by the local runner')]);
    const props = ws.toy().events[0].ResourceProperties;
    expect(props.TopicRef).toMatch(/^ToyStack-Topic-[A-Z0-9]{12}$/);
    expect(props.TopicArn).toMatch(/^arn:aws:local:us-east-1:123456789012:Topic\//);
  });

  test('GetAtt of an attribute an emulated type does not have is a template error', async () => {
    const report = await ws.deploy((toy) => {
      const network = new wickr.CfnNetwork(toy.stack, 'Native', { networkName: 'n', accessLevel: 'STANDARD' });
      toy.resource('A', { X: network.getAtt('Nope').toString() });
    });
    expect(report.success).toBe(false);
    expect(report.reason).toBe('Template error: resource Native does not support attribute type Nope in Fn::GetAtt');
    expect(emulator.emulator.calls()).toEqual([]);
  });
});
