import { decodeProperties } from '../../lambda/core/schema';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { usersHandler } from '../../lambda/wickr/users';
import { AccessLevel, UsersFile, WickrNetwork, WickrSecurityGroup, WickrUsers } from '../../lib';
import { customResources, newStack, providerActions, thrown } from '../constructs/helpers';
import { cfnStringify } from '../harness/handler-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (name: string, text: string) => {
  const p = path.join(dir, `${++files}-${name}`);
  fs.writeFileSync(p, text);
  return p;
};

function setup(stack: Stack = newStack()) {
  const network = new WickrNetwork(stack, 'Net', { networkName: 'n', accessLevel: AccessLevel.PREMIUM });
  const ops = new WickrSecurityGroup(stack, 'Ops', { network, name: 'ops' });
  return { stack, network, ops };
}
const usersResource = (stack: Stack) => Object.values(customResources(Template.fromStack(stack), 'Custom::WickrUsers'))[0];
const USER_ACTIONS = ['wickr:BatchCreateUser', 'wickr:BatchDeleteUser', 'wickr:BatchToggleUserSuspendStatus', 'wickr:UpdateUser', 'wickr:ListUsers'];

describe('inline users', () => {
  test('template contract: groups by alias, users without undefined keys, the default group omitted, retained by default', () => {
    const { stack, network, ops } = setup();
    const users = new WickrUsers(stack, 'Users', {
      network,
      users: [
        { username: 'a@example.com', firstName: 'Ann', securityGroup: ops, suspended: true },
        { username: 'b@example.com', lastName: 'Bee', suspended: false },
        { username: 'c@example.com', securityGroup: network.defaultSecurityGroup },
        { username: 'd@example.com', securityGroup: ops },
      ],
    });
    expect(users.userCount).toBe(4);
    const resource = usersResource(stack);
    expect(resource.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(resource.Properties).toEqual({
      ServiceToken: expect.anything(),
      ServiceTimeout: expect.anything(),
      NetworkId: { Ref: expect.stringMatching(/^Net[A-Z0-9]+$/) },
      Groups: { default: { Ref: expect.stringMatching(/^NetDefaultSecurityGroup/) }, Ops: { Ref: expect.stringMatching(/^Ops/) } },
      DefaultGroup: 'default',
      Users: [
        { username: 'a@example.com', firstName: 'Ann', group: 'Ops', suspended: true },
        { username: 'b@example.com', lastName: 'Bee', suspended: false },
        { username: 'c@example.com' },
        { username: 'd@example.com', group: 'Ops' },
      ],
    });
  });

  test('what the template carries decodes to what the handler needs: "true"/"false" as booleans', () => {
    const { stack, network, ops } = setup();
    new WickrUsers(stack, 'Users', { network, users: [{ username: 'a@example.com', securityGroup: ops, suspended: true }, { username: 'b@example.com', suspended: false }] });
    const props = { ...usersResource(stack).Properties, NetworkId: '12345678', Groups: { default: 'g-default', Ops: 'g-ops' } } as Record<string, unknown>;
    delete props.ServiceToken;
    delete props.ServiceTimeout;
    expect(decodeProperties(usersHandler.schema, cfnStringify(props))).toEqual({
      NetworkId: '12345678',
      Groups: { default: 'g-default', Ops: 'g-ops' },
      DefaultGroup: 'default',
      Users: [
        { username: 'a@example.com', group: 'Ops', suspended: true },
        { username: 'b@example.com', suspended: false },
      ],
    });
  });

  test('imported groups, a securityGroups key reused for inline users, a chosen default group', () => {
    const { stack, network, ops } = setup();
    const analysts = WickrSecurityGroup.fromSecurityGroupId(stack, 'Analysts', network, 'sg-analysts');
    new WickrUsers(stack, 'Users', {
      network,
      defaultSecurityGroup: ops,
      securityGroups: { analysts },
      users: [
        { username: 'a@x.com', securityGroup: WickrSecurityGroup.fromSecurityGroupId(stack, 'AnalystsAgain', network, 'sg-analysts') },
        { username: 'b@x.com', securityGroup: WickrSecurityGroup.fromSecurityGroupId(stack, 'sg-other', network, 'sg-other') },
        { username: 'c@x.com', securityGroup: ops },
      ],
    });
    expect(usersResource(stack).Properties).toMatchObject({
      Groups: { default: { Ref: expect.stringMatching(/^Ops/) }, analysts: 'sg-analysts', 'sg-other': 'sg-other' },
      Users: [{ username: 'a@x.com', group: 'analysts' }, { username: 'b@x.com', group: 'sg-other' }, { username: 'c@x.com' }],
    });
  });

  test('IAM: exactly the user actions, on every network of the account and region (a move deletes in the old network after the policy changed)', () => {
    const { stack, network } = setup();
    new WickrUsers(stack, 'Users', { network, users: [{ username: 'a@x.com' }] });
    const imported = WickrNetwork.fromNetworkId(stack, 'Imported', '12345678');
    new WickrUsers(stack, 'More', { network: imported, users: [{ username: 'b@x.com' }] });
    const template = Template.fromStack(stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const mine = statements.filter((s: any) => ([] as string[]).concat(s.Action).includes('wickr:BatchCreateUser'));
    expect(mine).toHaveLength(1);
    for (const s of mine) expect(([] as string[]).concat(s.Action).sort()).toEqual([...USER_ACTIONS].sort());
    const resources = JSON.stringify(mine.map((s: any) => s.Resource));
    // every network, even the one named at synth time: a move between networks deletes in the old one after the policy changed
    expect(resources).toContain(':network/*');
    expect(resources).not.toContain(':network/12345678');
    expect(providerActions(template).filter((a) => a.startsWith('s3:'))).toEqual([]);
  });

  test('removalPolicy DESTROY deletes the users with the construct', () => {
    const { stack, network } = setup();
    new WickrUsers(stack, 'Users', { network, users: [], removalPolicy: RemovalPolicy.DESTROY });
    expect(usersResource(stack).DeletionPolicy).toBe('Delete');
  });

  test('a security group of retained users is retained with them (a group with members cannot be deleted); with DESTROY users it is not', () => {
    const policyOf = (stack: Stack, name: string) => Object.values(customResources(Template.fromStack(stack), 'Custom::WickrSecurityGroup')).find((r) => r.Properties.Name === name)!;
    const kept = setup();
    new WickrSecurityGroup(kept.stack, 'Other', { network: kept.network, name: 'other' });
    new WickrUsers(kept.stack, 'Users', { network: kept.network, users: [{ username: 'a@example.com', securityGroup: kept.ops }] });
    expect(policyOf(kept.stack, 'ops')).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    expect(policyOf(kept.stack, 'other').DeletionPolicy).toBe('Delete');

    const destroyed = setup();
    new WickrUsers(destroyed.stack, 'Users', { network: destroyed.network, users: [{ username: 'a@example.com', securityGroup: destroyed.ops }], removalPolicy: RemovalPolicy.DESTROY });
    expect(policyOf(destroyed.stack, 'ops').DeletionPolicy).toBe('Delete');

    // a policy chosen for the group stands
    const chosen = setup();
    chosen.ops.applyRemovalPolicy(RemovalPolicy.DESTROY);
    new WickrUsers(chosen.stack, 'Users', { network: chosen.network, users: [], securityGroups: { ops: chosen.ops } });
    expect(policyOf(chosen.stack, 'ops').DeletionPolicy).toBe('Delete');
  });

  test('tokens pass synth: a username known only at deploy time is not checked', () => {
    const { stack, network } = setup();
    const late = Lazy.string({ produce: () => ' ' });
    expect(() => new WickrUsers(stack, 'Users', { network, users: [{ username: late }, { username: 'a@x.com' }] })).not.toThrow();
  });
});

describe('users file', () => {
  test('travels as an asset: bucket, key, format and hash in the template, no user; the provider may read it', () => {
    const { stack, network, ops } = setup();
    const text = 'username,firstName,group\nsecret-person@example.com,Zed,ops\nother@example.com,,\n';
    const users = new WickrUsers(stack, 'Users', { network, usersFile: UsersFile.fromCsv(file('team.csv', text)), securityGroups: { ops } });
    expect(users.userCount).toBe(2);
    const template = Template.fromStack(stack);
    const resource = usersResource(stack);
    expect(resource.Properties.UsersFile).toEqual({
      Bucket: expect.stringContaining('assets'),
      Key: `wickr-users-${createHash('sha256').update(text).digest('hex')}.zip`,
      Format: 'csv',
      Sha256: createHash('sha256').update(text).digest('hex'),
      Archive: 'users.csv',
    });
    expect(resource.Properties.Users).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/secret-person|Zed/);
    expect(providerActions(template)).toEqual(expect.arrayContaining(['s3:GetObject', ...USER_ACTIONS]));
    // s3:GetObject on the assets bucket's users files (an update reads the old file too), nothing else of S3
    const s3 = (Object.values(template.findResources('AWS::IAM::Policy')) as any[]).flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: any) => [].concat(st.Action).some((a: string) => a.startsWith('s3:')));
    expect(s3).toEqual([{ Action: 's3:GetObject', Effect: 'Allow', Resource: expect.objectContaining({ 'Fn::Join': ['', expect.arrayContaining([':s3:::cdk-hnb659fds-assets-123456789012-us-east-1/wickr-users-*.zip'])] }) }]);
  });

  test('a changed file changes the key and the hash (so CloudFormation sends an update); the same content does not', () => {
    const hashOf = (text: string) => {
      const { stack, network } = setup();
      new WickrUsers(stack, 'Users', { network, usersFile: UsersFile.fromFile(file('u.csv', text)) });
      const { Key, Sha256 } = usersResource(stack).Properties.UsersFile as Record<string, string>;
      return `${Key}/${Sha256}`;
    };
    expect(hashOf('username\na@x.com\n')).toBe(hashOf('username\na@x.com\n'));
    expect(hashOf('username\na@x.com\n')).not.toBe(hashOf('username\nb@x.com\n'));
  });

  test('JSON, and UsersFile.fromFile tells the format by extension', () => {
    const { stack, network } = setup();
    new WickrUsers(stack, 'Users', { network, usersFile: UsersFile.fromFile(file('team.JSON', '[{"username":"a@x.com","suspended":true}]')) });
    expect(usersResource(stack).Properties.UsersFile).toMatchObject({ Format: 'json', Key: expect.stringMatching(/^wickr-users-[0-9a-f]{64}\.zip$/), Archive: 'users.json' });
    expect(() => UsersFile.fromFile('users.txt')).toThrow(/cannot tell the format of "users.txt"/);
  });

  test('10,000 users from a file: one custom resource, the template far under 1 MB and the stack under 500 resources', () => {
    const rows = ['username,firstName,lastName,group,suspended'];
    for (let i = 0; i < 10_000; i++) rows.push(`user${i}@example.com,First${i},Last${i},${i % 2 ? 'ops' : ''},${i % 100 === 0}`);
    const app = new App({ outdir: path.join(dir, 'out') });
    const { stack, network, ops } = setup(new Stack(app, 'Big', { env: { account: '123456789012', region: 'us-east-1' } }));
    const users = new WickrUsers(stack, 'Users', { network, usersFile: UsersFile.fromCsv(file('big.csv', rows.join('\n'))), securityGroups: { ops } });
    expect(users.userCount).toBe(10_000);
    const assembly = app.synth();
    const templatePath = path.join(assembly.directory, 'Big.template.json');
    expect(fs.statSync(templatePath).size).toBeLessThan(50_000);
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
    expect(Object.keys(template.Resources).length).toBeLessThan(500);
    expect(Object.values(template.Resources).filter((r: any) => r.Type === 'Custom::WickrUsers')).toHaveLength(1);
  });
});

type Build = (s: ReturnType<typeof setup>) => unknown;
const csv = (text: string) => ({ usersFile: UsersFile.fromCsv(file('f.csv', text)) });
const json = (text: string) => ({ usersFile: UsersFile.fromJson(file('f.json', text)) });

const cases: Array<[string, Build, string]> = [
  ['neither users nor file', ({ stack, network }) => new WickrUsers(stack, 'U', { network }), '[Test/U] users: give exactly one of users and usersFile (received "neither")'],
  ['both users and file', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [], ...csv('username\n') }), '[Test/U] users: give exactly one of users and usersFile (received "both")'],
  ['inline duplicate ignoring case', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [{ username: 'a@x.com' }, { username: 'A@x.com' }] }),
    '[Test/U] users: users[1], username: "A@x.com" appears twice (also users[0]); usernames are unique in a network, ignoring case (received "A@x.com")'],
  ['inline empty username', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [{ username: '' }] }), '[Test/U] users: users[0], username: is required (received "")'],
  ['inline username with surrounding spaces', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [{ username: ' a@x.com' }] }),
    'users[0], username: must not start or end with whitespace (received " a@x.com")'],
  ['more than 1,000 inline', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: Array.from({ length: 1001 }, (_, i) => ({ username: `u${i}` })) }),
    '[Test/U] users: at most 1000 users inline; give them as a usersFile (UsersFile.fromCsv), which travels as an S3 asset (received "1001 users")'],
  ['more than 100 KB inline', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: Array.from({ length: 600 }, (_, i) => ({ username: `u${i}@x.com`, firstName: 'x'.repeat(200) })) }),
    'users: at most 100000 bytes of users inline; give them as a usersFile'],
  ['reserved group key', ({ stack, network, ops }) => new WickrUsers(stack, 'U', { network, users: [], securityGroups: { default: ops } }),
    '[Test/U] securityGroups: the key "default" is reserved for defaultSecurityGroup (received "default")'],
  ['group key with a space', ({ stack, network, ops }) => new WickrUsers(stack, 'U', { network, users: [], securityGroups: { 'my group': ops } }),
    'securityGroups: keys must be 1 to 64 of letters, digits and ._:@- (received "my group")'],
  ['group id with whitespace', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [{ username: 'a@x.com', securityGroup: WickrSecurityGroup.fromSecurityGroupId(stack, 'G1', network, 'sg 1') }] }),
    '[Test/U] users[0].securityGroup: a security group id is one or more characters without whitespace (received "sg 1")'],
  ['group of another network (both made here)', ({ stack, network }) => {
    const other = new WickrNetwork(stack, 'Other', { networkName: 'o', accessLevel: AccessLevel.STANDARD });
    return new WickrUsers(stack, 'U', { network, users: [{ username: 'a@x.com', securityGroup: new WickrSecurityGroup(stack, 'OtherOps', { network: other, name: 'x' }) }] });
  }, '[Test/U] users[0].securityGroup: the security group belongs to another network (Test/Other) than the users (Test/Net) (received "Test/OtherOps")'],
  ['group of another network (both imported)', ({ stack }) => {
    const a = WickrNetwork.fromNetworkId(stack, 'A', '11111111');
    const b = WickrNetwork.fromNetworkId(stack, 'B', '22222222');
    return new WickrUsers(stack, 'U', { network: a, users: [], defaultSecurityGroup: b.defaultSecurityGroup });
  }, '[Test/U] defaultSecurityGroup: the security group belongs to another network (Test/B) than the users (Test/A)'],
  ['CSV empty', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('\n\n') }), '[Test/U] usersFile: line 1: the header row is missing'],
  ['CSV unknown column', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username,email\na,b\n') }),
    '[Test/U] usersFile: line 1, column 2: unknown column "email" (columns: username, firstName, lastName, group, suspended; names are case-sensitive)'],
  ['CSV column twice', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username,group,group\na,b,c\n') }), 'line 1, column 3: column "group" appears twice'],
  ['CSV without a username column', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('firstName\nAnn\n') }), 'line 1: the header must name a "username" column'],
  ['CSV wrong field count, after a blank line', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username,firstName\n\na@x.com\n') }),
    'usersFile: line 3: 1 field(s), the header has 2 (username,firstName); quote fields that contain commas'],
  ['CSV bad suspended', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username,suspended\na@x.com,yes\n') }),
    '[Test/U] usersFile: line 2, column suspended: must be true or false (received "yes")'],
  ['CSV duplicate, lines counted across a quoted line break', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username,lastName\na@x.com,"two\nlines"\nb@x.com,\nA@X.com,\n') }),
    'usersFile: line 5, username: "A@X.com" appears twice (also line 2)'],
  ['CSV blank username', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username,firstName\n,Ann\n') }), 'usersFile: line 2, username: is required'],
  ['CSV unknown group', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username,group\na@x.com,admins\n') }),
    'usersFile: line 2, group: "admins" is not a known group (known: default); name one of securityGroups, or leave it empty for the default group'],
  ['CSV unclosed quote', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...csv('username\nb@x.com\n"a@x.com\n') }), 'usersFile: line 3: a quoted field is not closed'],
  ['JSON invalid', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...json('[{"username": }]') }), '[Test/U] usersFile: not valid JSON'],
  ['JSON not an array', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...json('{}') }), 'usersFile: must be a JSON array of users'],
  ['JSON unknown key', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...json('[{"username":"a@x.com","email":"x"}]') }), 'usersFile: item 0, key email: unknown key'],
  ['JSON bad suspended', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...json('[{"username":"a@x.com"},{"username":"b@x.com","suspended":"no"}]') }),
    'item 1, key suspended: must be true or false (received "no")'],
  ['JSON name not a string, value not echoed', ({ stack, network }) => new WickrUsers(stack, 'U', { network, ...json('[{"username":"a@x.com","firstName":42}]') }),
    'item 0, key firstName: must be a string (received a number)'],
  ['missing file', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(path.join(dir, 'missing.csv')) }),
    '[Test/U] usersFile: the file does not exist'],
];

test.each(cases)('synth refuses: %s', (_name, build, message) => {
  const context = setup();
  expect(() => {
    build(context);
    Template.fromStack(context.stack);
  }).toThrow(message);
});

test('every bad row of a file in one synth, with the other violations of the app, no stack trace', () => {
  const { stack, network } = setup();
  const rows = ['username,group,suspended', 'ok@x.com,,', 'a@x.com,marketing,', 'b@x.com,,yes', ',,', 'OK@X.com,,', 'c@x.com,sales,', 'd@x.com,,'];
  new WickrUsers(stack, 'U', { network, ...csv(`${rows.join('\n')}\n`) });
  new WickrNetwork(stack, 'Other', { networkName: 'x'.repeat(21), accessLevel: AccessLevel.STANDARD });
  const message = thrown(() => Template.fromStack(stack));
  expect(message.split('\n').filter((l) => l.includes('[Test/U] usersFile'))).toEqual([
    '  [Test/U] usersFile: line 3, group: "marketing" is not a known group (known: default); name one of securityGroups, or leave it empty for the default group (received "marketing")',
    '  [Test/U] usersFile: line 4, column suspended: must be true or false (received "yes")',
    '  [Test/U] usersFile: line 5, username: is required (received "")',
    '  [Test/U] usersFile: line 6, username: "OK@X.com" appears twice (also line 2); usernames are unique in a network, ignoring case (received "OK@X.com")',
    '  [Test/U] usersFile: line 7, group: "sales" is not a known group (known: default); name one of securityGroups, or leave it empty for the default group (received "sales")',
  ]);
  expect(message).toContain('[Test/Other] networkName');
  expect(message).not.toMatch(/\n\s+at /);
});

test('a JSON file too: every bad item in one synth', () => {
  const { stack, network } = setup();
  new WickrUsers(stack, 'U', { network, ...json('[{"username":"a@x.com","suspended":"no"},{"username":"b@x.com"},{"email":"c@x.com"},{"username":"B@X.com"}]') });
  expect(thrown(() => Template.fromStack(stack)).split('\n').filter((l) => l.includes('[Test/U] usersFile'))).toEqual([
    '  [Test/U] usersFile: item 0, key suspended: must be true or false (received "no")',
    '  [Test/U] usersFile: item 2, key email: unknown key (keys: username, firstName, lastName, group, suspended)',
    '  [Test/U] usersFile: item 3, username: "B@X.com" appears twice (also item 1); usernames are unique in a network, ignoring case (received "B@X.com")',
  ]);
});

test('many bad rows: the first 20, then how many more', () => {
  const { stack, network } = setup();
  new WickrUsers(stack, 'U', { network, ...csv(`username,suspended\n${Array.from({ length: 35 }, (_, i) => `u${i}@x.com,maybe`).join('\n')}\n`) });
  const lines = thrown(() => Template.fromStack(stack)).split('\n').filter((l) => l.includes('[Test/U] usersFile'));
  expect(lines).toHaveLength(21);
  expect(lines[0]).toContain('line 2, column suspended');
  expect(lines[20]).toBe('  [Test/U] usersFile: and 15 more problem(s) like these');
});

