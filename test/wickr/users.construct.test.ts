import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccessLevel, UsersFile, WickrNetwork, WickrSecurityGroup, WickrUsers } from '../../lib';
import { customResources, newStack, providerActions } from '../constructs/helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'users-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

function setup(stack: Stack = newStack()) {
  const network = new WickrNetwork(stack, 'Net', { networkName: 'n', accessLevel: AccessLevel.PREMIUM });
  const ops = new WickrSecurityGroup(stack, 'Ops', { network, name: 'ops' });
  return { stack, network, ops };
}

test('inline users: groups by alias, the default group of the network, retained by default, exact IAM', () => {
  const { stack, network, ops } = setup();
  new WickrUsers(stack, 'Users', { network, users: [{ username: 'a@example.com', firstName: 'Ann', securityGroup: ops, suspended: true }, { username: 'b@example.com' }] });
  const template = Template.fromStack(stack);
  const [resource] = Object.values(customResources(template, 'Custom::WickrUsers'));
  expect(resource.DeletionPolicy).toBe('Retain');
  expect(resource.Properties).toMatchObject({
    DefaultGroup: 'default',
    Groups: { default: { Ref: expect.stringMatching(/^NetDefaultSecurityGroup/) }, group1: { Ref: expect.stringMatching(/^Ops/) } },
    Users: [{ username: 'a@example.com', firstName: 'Ann', group: 'group1', suspended: true }, { username: 'b@example.com' }],
  });
  expect(providerActions(template)).toEqual(
    expect.arrayContaining(['wickr:BatchCreateUser', 'wickr:BatchDeleteUser', 'wickr:BatchToggleUserSuspendStatus', 'wickr:UpdateUser', 'wickr:ListUsers']),
  );
});

test('a users file travels as an asset: bucket, key, format and hash in the template, no user in it; read access granted', () => {
  const { stack, network, ops } = setup();
  const csv = file('team.csv', 'username,firstName,group\nsecret-person@example.com,Zed,ops\n');
  new WickrUsers(stack, 'Users', { network, usersFile: UsersFile.fromCsv(csv), securityGroups: { ops } });
  const template = Template.fromStack(stack);
  const [resource] = Object.values(customResources(template, 'Custom::WickrUsers'));
  expect(resource.Properties.UsersFile).toMatchObject({ Format: 'csv', Sha256: expect.stringMatching(/^[0-9a-f]{64}$/), Bucket: expect.anything(), Key: expect.anything() });
  expect(resource.Properties.Users).toBeUndefined();
  expect(JSON.stringify(template.toJSON())).not.toContain('secret-person');
  expect(providerActions(template)).toEqual(expect.arrayContaining(['s3:GetObject*']));
});

test('10,000 users from a file: synth succeeds and the template stays far under 1 MB', () => {
  const rows = ['username,firstName,lastName,group'];
  for (let i = 0; i < 10_000; i++) rows.push(`user${i}@example.com,First${i},Last${i},${i % 2 ? 'ops' : ''}`);
  const app = new App({ outdir: path.join(dir, 'out') });
  const { stack, network, ops } = setup(new Stack(app, 'Big', { env: { account: '123456789012', region: 'us-east-1' } }));
  new WickrUsers(stack, 'Users', { network, usersFile: UsersFile.fromCsv(file('big.csv', rows.join('\n'))), securityGroups: { ops } });
  const assembly = app.synth();
  const bytes = fs.statSync(path.join(assembly.directory, 'Big.template.json')).size;
  expect(bytes).toBeLessThan(1_000_000);
  expect(Object.keys(JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Big.template.json'), 'utf8')).Resources).length).toBeLessThan(500);
});

const cases: Array<[string, (s: ReturnType<typeof setup>) => void, string]> = [
  ['neither users nor file', ({ stack, network }) => new WickrUsers(stack, 'U', { network }), '[Test/U] users: give exactly one of users and usersFile (received "neither")'],
  ['both users and file', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [], usersFile: UsersFile.fromCsv(file('x.csv', 'username\n')) }), 'give exactly one of users and usersFile (received "both")'],
  ['inline duplicate ignoring case', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [{ username: 'a@x.com' }, { username: 'A@x.com' }] }), '[Test/U] users: users[1]: username "A@x.com" appears twice (also users[0])'],
  ['inline empty username', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [{ username: '' }] }), 'users[0]: username is required'],
  ['inline username with a space', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: [{ username: 'a b@x.com' }] }), 'username must not contain spaces (received "a b@x.com")'],
  ['more than 1,000 inline', ({ stack, network }) => new WickrUsers(stack, 'U', { network, users: Array.from({ length: 1001 }, (_, i) => ({ username: `u${i}` })) }), 'users: at most 1000 inline; give more as a usersFile'],
  ['CSV unknown column', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(file('c1.csv', 'username,email\na,b\n')) }), '[Test/U] usersFile: line 1: unknown column "email"'],
  ['CSV without username column', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(file('c2.csv', 'firstName\nAnn\n')) }), 'line 1: the header must name a "username" column'],
  ['CSV wrong field count', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(file('c3.csv', 'username,firstName\na@x.com\n')) }), 'line 2: 1 field(s), the header has 2'],
  ['CSV bad suspended', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(file('c4.csv', 'username,suspended\na@x.com,yes\n')) }), 'line 2: column suspended must be true or false (received "yes")'],
  ['CSV duplicate on line 4', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(file('c5.csv', 'username\na@x.com\nb@x.com\nA@X.com\n')) }), 'line 4: username "A@X.com" appears twice (also line 2)'],
  ['CSV unknown group', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(file('c6.csv', 'username,group\na@x.com,admins\n')) }), 'usersFile: line 2: group "admins" is not a key of securityGroups (default) (received "c6.csv")'],
  ['CSV unclosed quote', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(file('c7.csv', 'username\n"a@x.com\n')) }), 'a quoted field is not closed'],
  ['JSON not an array', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromJson(file('j1.json', '{}')) }), 'usersFile: must be a JSON array of users'],
  ['JSON bad type', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromJson(file('j2.json', '[{"username":"a@x.com","suspended":"no"}]')) }), 'item 0: suspended must be true or false (received "no")'],
  ['missing file', ({ stack, network }) => new WickrUsers(stack, 'U', { network, usersFile: UsersFile.fromCsv(path.join(dir, 'missing.csv')) }), '[Test/U] usersFile: ENOENT'],
  ['reserved group key', ({ stack, network, ops }) => new WickrUsers(stack, 'U', { network, users: [], securityGroups: { default: ops } }), 'securityGroups: the key "default" is reserved'],
];

test.each(cases)('synth refuses: %s', (_name, build, message) => {
  expect(() => build(setup())).toThrow(message);
});
