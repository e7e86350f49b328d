import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  ChimeSDKIdentityClient,
  CreateAppInstanceAdminCommand,
  CreateAppInstanceBotCommand,
  CreateAppInstanceCommand,
  CreateAppInstanceUserCommand,
  PutAppInstanceRetentionSettingsCommand,
  PutAppInstanceUserExpirationSettingsCommand,
  TagResourceCommand,
} from '@aws-sdk/client-chime-sdk-identity';
import { runImport } from '../../../cli/import/cli';
import { isMutating } from '../../../lambda/core/calls';
import { WickrClient } from '../../../lambda/wickr/client';
import {
  BatchCreateUserCommand,
  CreateBotCommand,
  CreateDataRetentionBotChallengeCommand,
  CreateDataRetentionBotCommand,
  CreateNetworkCommand,
  CreateSecurityGroupCommand,
  ListSecurityGroupsCommand,
  RegisterOidcConfigCommand,
  UpdateDataRetentionCommand,
  UpdateNetworkSettingsCommand,
  UpdateSecurityGroupCommand,
} from '../../../lambda/wickr/model.generated';
import { DefaultServices, RunningEmulator, TEST_CREDENTIALS } from '../../../local/emulator';

/**
 * The steps of the take-over round trip, each a function, so a test composes them (and
 * `plan` steps slot in between): make live resources through the service APIs only, run
 * `import` in process, compile and synthesize what it wrote, read the emulator's changes.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

/** What was made by hand, and every secret value it used (none may appear in what import writes or prints). */
export interface Made {
  readonly networkId: string;
  readonly instanceArn: string;
  readonly secretValues: string[];
}

export const USERNAMES = Array.from({ length: 150 }, (_, i) => `member${String(i).padStart(3, '0')}@example.com`);
export const CHIME_USERS = Array.from({ length: 10 }, (_, i) => `agent-${i}`);
export const BOT_CHALLENGE = 'a-challenge-the-bot-software-holds';
export const OIDC_CLIENT_SECRET = 'an-oidc-client-secret-never-given-back';

/**
 * A network with settings, two groups with non-default settings, a bot, the data retention
 * bot, OIDC configuration and 150 users; an app instance with retention, tags, 10 users (two
 * expiring), an admin and a bot: made through the services' APIs, as a team made them by hand.
 */
export async function makeByHand(running: RunningEmulator<DefaultServices>, users = USERNAMES): Promise<Made> {
  const wickr = new WickrClient({ region: REGION, endpoint: running.url, credentials: TEST_CREDENTIALS });
  const chime = new ChimeSDKIdentityClient({ region: REGION, endpoint: running.url, credentials: TEST_CREDENTIALS });
  try {
    const { networkId } = await wickr.send(new CreateNetworkCommand({ networkName: 'acme-org', accessLevel: 'PREMIUM' }));
    const id = networkId!;
    await wickr.send(new UpdateNetworkSettingsCommand({ networkId: id, settings: { enableClientMetrics: false, readReceiptConfig: { status: 'FORCE_ENABLED' } } }));
    const group = async (name: string, create: Record<string, unknown>, settings: Record<string, unknown>) => {
      const groupId = (await wickr.send(new CreateSecurityGroupCommand({ networkId: id, name, securityGroupSettings: create, clientToken: `make-${name}` }))).securityGroup.id!;
      await wickr.send(new UpdateSecurityGroupCommand({ networkId: id, groupId, securityGroupSettings: settings }));
      return groupId;
    };
    const defaultGroup = (await wickr.send(new ListSecurityGroupsCommand({ networkId: id }))).securityGroups?.find((g) => g.isDefault)?.id as string;
    const analysts = await group('analysts', { federationMode: 2, permittedNetworks: ['11112222'], lockoutThreshold: 8 }, { shredder: { intensity: 60 }, maxTtl: 86400 * 30 });
    const oncall = await group('oncall', { lockoutThreshold: 5 }, { enableFileDownload: false, calling: { canVideoCall: false } });
    // The bot software's copy of its challenge, as a team keeps it: a value the emulator's Secrets Manager holds.
    running.emulator.secrets.createSecret({ name: 'alerts-challenge', secretString: BOT_CHALLENGE });
    await wickr.send(new CreateBotCommand({ networkId: id, username: 'alertsbot', displayName: 'Alerts', groupId: oncall, challenge: BOT_CHALLENGE }));
    await wickr.send(new CreateDataRetentionBotCommand({ networkId: id }));
    const { challenge: retentionChallenge } = await wickr.send(new CreateDataRetentionBotChallengeCommand({ networkId: id }));
    await wickr.send(new UpdateDataRetentionCommand({ networkId: id, actionType: 'ENABLE' }));
    await wickr.send(new RegisterOidcConfigCommand({ networkId: id, issuer: 'https://login.example.com/realms/acme', companyId: 'acme', scopes: 'openid email', secret: OIDC_CLIENT_SECRET }));
    for (let i = 0; i < users.length; i += 50) {
      const batch = users.slice(i, i + 50).map((username, j) => ({ username, firstName: `Member${i + j}`, securityGroupIds: [[analysts, oncall, defaultGroup][(i + j) % 3]] }));
      await wickr.send(new BatchCreateUserCommand({ networkId: id, users: batch }));
    }

    const instanceArn = (await chime.send(new CreateAppInstanceCommand({ Name: 'acme-chat', ClientRequestToken: 'make-acme-chat' }))).AppInstanceArn!;
    await chime.send(new PutAppInstanceRetentionSettingsCommand({ AppInstanceArn: instanceArn, AppInstanceRetentionSettings: { ChannelRetentionSettings: { RetentionDays: 365 } } }));
    await chime.send(new TagResourceCommand({ ResourceARN: instanceArn, Tags: [{ Key: 'team', Value: 'support' }, { Key: 'cost-center', Value: '42' }] }));
    for (const user of CHIME_USERS) await chime.send(new CreateAppInstanceUserCommand({ AppInstanceArn: instanceArn, AppInstanceUserId: user, Name: `Agent ${user}`, ClientRequestToken: `make-${user}` }));
    for (const user of CHIME_USERS.slice(8)) {
      await chime.send(new PutAppInstanceUserExpirationSettingsCommand({ AppInstanceUserArn: `${instanceArn}/user/${user}`, ExpirationSettings: { ExpirationDays: 30, ExpirationCriterion: 'CREATED_TIMESTAMP' } }));
    }
    await chime.send(new CreateAppInstanceAdminCommand({ AppInstanceArn: instanceArn, AppInstanceAdminArn: `${instanceArn}/user/agent-0` }));
    await chime.send(
      new CreateAppInstanceBotCommand({
        AppInstanceArn: instanceArn,
        Name: 'helper',
        ClientRequestToken: 'make-helper',
        Configuration: { Lex: { LexBotAliasArn: 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST', LocaleId: 'en_US', InvokedBy: { StandardMessages: 'MENTIONS', TargetedMessages: 'ALL' } } },
      }),
    );
    return { networkId: id, instanceArn, secretValues: [BOT_CHALLENGE, OIDC_CLIENT_SECRET, ...(retentionChallenge ? [retentionChallenge] : [])] };
  } finally {
    chime.destroy();
  }
}

export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly calls?: ReadonlyMap<string, number>;
  readonly logicalIds?: readonly string[];
}

/** `cdk-wickr-chime import ARGS`, in process, with its stdout and stderr. */
export async function importCli(args: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const run = await runImport(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { ...run, out, err };
}

/** The deploy command's arguments after `npx cdk-wickr-chime deploy-local`, split as a POSIX shell would (single quotes). */
export function deployLocalArgs(printed: string): string[] {
  const line = printed.split('\n').find((l) => l.includes('cdk-wickr-chime deploy-local'));
  if (!line) throw new Error(`import printed no deploy-local command:\n${printed}`);
  const words: string[] = [];
  for (const m of line.trim().matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return words.slice(words.indexOf('deploy-local') + 1);
}

/**
 * `tsc --noEmit` over the generated files with the repository's compiler options (strict,
 * no unused locals), `cdk-wickr-chime` mapped to the repository's `lib`: the compiler's
 * output, empty when it compiles.
 */
export function compileGenerated(dir: string, files: string[]): Promise<string> {
  const tsconfig = path.join(path.dirname(dir), `tsconfig.${path.basename(dir)}.json`);
  fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        baseUrl: ROOT,
        paths: { 'cdk-wickr-chime': ['lib/index.ts'], '*': ['node_modules/*', 'node_modules/@types/*'] },
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        types: ['node'],
        noEmit: true,
      },
      include: [],
      files: files.map((f) => path.join(dir, f)),
    }),
  );
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: dir, timeout: 240_000 }, (_error, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/**
 * Synthesizes the generated app as `cdk` would run it (`CDK_OUTDIR`, `CDK_CONTEXT_JSON`), in
 * this process: a copy whose package imports point at this checkout (the real files stay as
 * written). Returns the cloud assembly directory.
 */
export function synthGenerated(dir: string, name: string, outdir: string, context: Record<string, string> = {}): string {
  const copy = fs.mkdtempSync(path.join(dir, '..', 'synth-'));
  for (const f of fs.readdirSync(dir)) {
    if (!/\.(ts|csv)$/.test(f) || f.startsWith('tsconfig')) continue;
    let text = fs.readFileSync(path.join(dir, f), 'utf8');
    if (f.endsWith('.ts')) {
      text = text.replace(/from '([^'.][^']*)'/g, (whole, spec: string) => {
        if (spec === 'path') return whole;
        const target = spec === 'cdk-wickr-chime' ? path.join(ROOT, 'lib') : require.resolve(spec, { paths: [ROOT] });
        return `from ${JSON.stringify(target)}`;
      });
    }
    fs.writeFileSync(path.join(copy, f), text);
  }
  const saved = { ...process.env };
  Object.assign(process.env, { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_DEFAULT_ACCOUNT: ACCOUNT, CDK_DEFAULT_REGION: REGION });
  try {
    jest.isolateModules(() => require(path.join(copy, `${name}-app.ts`)));
  } finally {
    process.env = saved;
  }
  return outdir;
}

/** The mutating Wickr and Chime calls the emulator saw since it last cleared its log. */
export function serviceChanges(running: RunningEmulator<DefaultServices>): string[] {
  return running.emulator
    .calls()
    .filter((c) => (c.service === 'wickr' || c.service === 'chime') && isMutating(c.operation))
    .map((c) => c.operation);
}

/** Every file under `dir`, as text. */
export function readAll(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}
