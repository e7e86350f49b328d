import * as fs from 'fs';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { PropertyValidationError, report, reportViolation, show } from '../core/errors';
import {
  CSV_COLUMNS,
  SHOWN_PROBLEMS,
  userProblems,
  UserRecord,
  USERS_TYPE,
  UsersFileError,
  UsersKeys,
} from '../../lambda/wickr/users.wire';
import { anyNetworkArn } from './arns';
import type { IWickrNetwork } from './network';
import { checkSameNetwork, IWickrSecurityGroup, WickrSecurityGroup } from './security-group';
import { operationGrants } from '../core/iam';
import { readUsersFile } from '../../lambda/wickr/users-file.wire';
import { UsersFile } from './users-file';
import { stageUsersFile } from './users-asset';
import { claimUsernames } from './network-parts';
import { checkProps, A_BOOLEAN, A_LIST, A_NETWORK, A_SECURITY_GROUP, A_STRING, aStructure, Expected } from '../core/props';

/** One user of `WickrUsers`. */
export interface WickrUserSpec {
  /**
   * The username, usually the user's email address. Required, unique in the network
   * ignoring case (among users and bots), without surrounding whitespace. A different
   * username is a different user (the old one is deleted, the new one invited).
   */
  readonly username: string;
  /** @default - none */
  readonly firstName?: string;
  /** @default - none */
  readonly lastName?: string;
  /**
   * The user's security group (a user belongs to exactly one), of the same network: a
   * group of this app, or one imported with `WickrSecurityGroup.fromSecurityGroupId`.
   * @default - the `defaultSecurityGroup` of the `WickrUsers`
   */
  readonly securityGroup?: IWickrSecurityGroup;
  /**
   * The user is suspended (keeps their data, cannot sign in).
   * @default false
   */
  readonly suspended?: boolean;
}

const A_USERS_FILE: Expected = { description: 'a UsersFile (UsersFile.fromCsv(path) or UsersFile.fromJson(path), not a path)', ok: (v) => v instanceof UsersFile };

export interface WickrUsersProps {
  /** The network the users belong to. */
  readonly network: IWickrNetwork;
  /**
   * The users, inline in the template: at most `WickrUsers.MAX_INLINE_USERS` users and
   * `WickrUsers.MAX_INLINE_BYTES` bytes; more go in a `usersFile`. Give `users` or
   * `usersFile`.
   * @default - none
   */
  readonly users?: WickrUserSpec[];
  /**
   * The users, from a CSV or JSON file uploaded as an S3 asset (any number; the template
   * carries only the file's location and hash). Give `users` or `usersFile`.
   * @default - none
   */
  readonly usersFile?: UsersFile;
  /**
   * Security groups that the `group` column of a `usersFile` names, by key (1 to 64 of
   * letters, digits and `._:@-`; `default` is reserved for `defaultSecurityGroup`): groups
   * of this app, or imported with `WickrSecurityGroup.fromSecurityGroupId`.
   * @default - none: every user of the file is in the default group
   */
  readonly securityGroups?: Record<string, IWickrSecurityGroup>;
  /**
   * The group of users that name none.
   * @default - the network's default security group
   */
  readonly defaultSecurityGroup?: IWickrSecurityGroup;
  /**
   * What happens to the users when this construct leaves the stack (or moves them to a
   * new network): `RETAIN` leaves them in the network, `DESTROY` deletes them. A user
   * removed from the list while the construct stays is deleted: that removal is the
   * explicit opt-in (it shows in `cdk diff` for inline users; for a file, only its hash
   * changes, so review the file's own history). While the users are retained, the
   * security groups of this stack that they belong to are retained too (unless those set
   * a removal policy of their own): a group with members cannot be deleted.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE - users hold messages: they are kept
   * when the construct leaves the stack, and deleted only when the deployment that created
   * them fails and rolls back
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DEFAULT_ALIAS = 'default';
const ALIAS_PATTERN = /^[A-Za-z0-9._:@-]{1,64}$/;

/**
 * Many Wickr users of one network in one resource, given inline or as a CSV/JSON file
 * that travels as an S3 asset, so 10,000 users fit one stack (one CloudFormation resource,
 * a template of a few KB).
 *
 * - Create: `BatchCreateUser`, 50 users per call with a client token per batch (1,000
 *   users: 20 calls), then the suspended users are suspended (one call per 50).
 * - Update, by difference of the old and new lists: new users are created, changed ones
 *   updated (`UpdateUser`), suspensions toggled, and removed users deleted, last. One
 *   changed user costs 2 calls (a `ListUsers` lookup of its user id, then `UpdateUser`): the
 *   user ids are not kept anywhere, since a response's `Data` must stay small. An update
 *   that changes nothing makes no call. A new `network` creates the users there
 *   (replacement; the old users follow `removalPolicy`). Moving many users to another
 *   group costs one `UpdateUser` each.
 * - A batch that partly fails ends the deployment FAILED with each user's reason (as many
 *   as fit the CloudFormation reason; all in the provider's log, never with first or last
 *   names); a failed create deletes the users it made.
 * - Only the listed usernames are managed; other users of the network are never touched.
 *   A username belongs to one `WickrUsers`: to move users between two of them, remove them
 *   from one in a deployment, then add them to the other.
 * - A rollback after users were deleted creates them again, empty: deleted users' data
 *   cannot come back.
 */
export class WickrUsers extends ProviderBackedResource {
  /** The most users `users` takes inline; use a `usersFile` beyond. */
  public static readonly MAX_INLINE_USERS = 1000;
  /**
   * The most bytes inline users take in the template. CloudFormation sends old and new
   * properties in one Lambda event (at most 256 KB), and the template itself is capped.
   */
  public static readonly MAX_INLINE_BYTES = 100_000;

  /** The network the users belong to. */
  public readonly network: IWickrNetwork;
  /** How many users this construct declares (known at synth time). */
  public readonly userCount: number;

  private readonly groups: Record<string, string> = {};
  /** The security groups of this app the users belong to (imports and ids excluded). */
  private readonly memberGroups = new Set<WickrSecurityGroup>();
  private readonly aliasOfId = new Map<string, string>();

  constructor(scope: Construct, id: string, props: WickrUsersProps) {
    super(scope, id);
    checkProps(this, props, { network: A_NETWORK }, {
      defaultSecurityGroup: A_SECURITY_GROUP, users: A_LIST, usersFile: A_USERS_FILE, securityGroups: aStructure('security groups by key'),
    });
    const groups = props.securityGroups ?? {};
    checkProps(this, groups, {}, Object.fromEntries(Object.keys(groups).map((key) => [key, A_SECURITY_GROUP])), 'securityGroups.');
    for (const [i, user] of (props.users ?? []).entries()) {
      checkProps(this, user, { username: A_STRING }, { firstName: A_STRING, lastName: A_STRING, securityGroup: A_SECURITY_GROUP, suspended: A_BOOLEAN }, `users[${i}].`);
    }
    this.network = props.network;
    if ((props.users === undefined) === (props.usersFile === undefined)) {
      throw new PropertyValidationError(this, 'users', props.users === undefined ? 'neither' : 'both', 'give exactly one of users and usersFile');
    }
    this.addGroup('defaultSecurityGroup', DEFAULT_ALIAS, props.defaultSecurityGroup ?? props.network.defaultSecurityGroup);
    for (const [key, group] of Object.entries(props.securityGroups ?? {})) {
      if (key === DEFAULT_ALIAS) reportViolation(this, 'securityGroups', key, `the key "${DEFAULT_ALIAS}" is reserved for defaultSecurityGroup`);
      else if (!ALIAS_PATTERN.test(key)) reportViolation(this, 'securityGroups', key, 'keys must be 1 to 64 of letters, digits and ._:@-');
      else this.addGroup(`securityGroups.${key}`, key, group);
    }

    let users: UserRecord[] | undefined;
    let file: Record<string, string> | undefined;
    let declared: readonly UserRecord[];
    if (props.users) {
      users = this.inlineUsers(props.users);
      declared = users;
    } else {
      const source = props.usersFile!;
      const text = this.readFile(source.filePath);
      // A file that cannot be read was reported: synth fails, and there is nothing to check or upload.
      const reading = text === undefined ? { users: [], problems: [] } : readUsersFile(text, source.format, { groups: Object.keys(this.groups) });
      this.reportProblems('usersFile', reading.problems);
      declared = reading.users;
      if (text !== undefined) file = stageUsersFile(this, source, text);
    }
    this.userCount = declared.length;
    claimUsernames(this, props.network, declared.map((u, i) => ({ username: u.username, prop: props.users ? `users[${i}].username` : 'usersFile' })));
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    // Retained users keep their groups non-empty: those groups must stay too, or destroying the stack would fail on them.
    if (removalPolicy !== RemovalPolicy.DESTROY) for (const group of this.memberGroups) group._retainForMembers(this);
    this._createResource({
      resourceType: USERS_TYPE,
      properties: {
        [UsersKeys.NetworkId]: props.network.networkId,
        [UsersKeys.Groups]: this.groups,
        [UsersKeys.DefaultGroup]: DEFAULT_ALIAS,
        [UsersKeys.Users]: users,
        [UsersKeys.UsersFile]: file,
      },
      removalPolicy,
      grants: operationGrants('wickr', ['BatchCreateUser', 'BatchDeleteUser', 'BatchToggleUserSuspendStatus', 'UpdateUser', 'ListUsers'], [anyNetworkArn(this)]),
    });
  }

  /** Inline users as template records: groups by alias, `undefined` left out; checked. */
  private inlineUsers(specs: readonly WickrUserSpec[]): UserRecord[] {
    if (specs.length > WickrUsers.MAX_INLINE_USERS) {
      reportViolation(this, 'users', `${specs.length} users`, `at most ${WickrUsers.MAX_INLINE_USERS} users inline; give them as a usersFile (UsersFile.fromCsv), which travels as an S3 asset`);
    }
    const records = specs.map((u, i) => {
      const alias = u.securityGroup === undefined ? undefined : this.addGroup(`users[${i}].securityGroup`, undefined, u.securityGroup);
      const record: UserRecord = {
        username: u.username,
        firstName: u.firstName,
        lastName: u.lastName,
        group: alias === DEFAULT_ALIAS ? undefined : alias,
        suspended: u.suspended,
      };
      return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as unknown as UserRecord;
    });
    this.reportProblems('users', userProblems(records, (i) => `users[${i}]`, (i) => Token.isUnresolved(records[i].username)));
    const bytes = Buffer.byteLength(JSON.stringify(records));
    if (bytes > WickrUsers.MAX_INLINE_BYTES) {
      reportViolation(this, 'users', `${specs.length} users, ${bytes} bytes`,
        `at most ${WickrUsers.MAX_INLINE_BYTES} bytes of users inline; give them as a usersFile (UsersFile.fromCsv), which travels as an S3 asset`);
    }
    return records;
  }

  /**
   * Registers a group under an alias (given, or made from the group) and returns the
   * alias; one alias per group id. A group of another network is refused.
   */
  private addGroup(prop: string, given: string | undefined, group: IWickrSecurityGroup): string {
    const groupId = group.securityGroupId;
    if (!Token.isUnresolved(groupId) && !/^\S+$/.test(groupId)) {
      reportViolation(this, prop, groupId, 'a security group id is one or more characters without whitespace');
    }
    checkSameNetwork(this, prop, group, this.network, 'the users');
    if (group instanceof WickrSecurityGroup) this.memberGroups.add(group);
    const existing = this.aliasOfId.get(groupId);
    if (existing !== undefined && given === undefined) return existing;
    let alias = given ?? aliasFor(group);
    for (let n = 2; given === undefined && this.groups[alias] !== undefined; n++) alias = `${aliasFor(group)}-${n}`;
    this.groups[alias] = groupId;
    if (existing === undefined) this.aliasOfId.set(groupId, alias);
    return alias;
  }

  /**
   * Reports every problem of a users file or list with the app's other violations, each
   * naming the user (line, item) and the rule, and the value where it is not shown already;
   * at most `SHOWN_PROBLEMS`, then how many more.
   */
  private reportProblems(prop: string, problems: readonly UsersFileError[]): void {
    for (const p of problems.slice(0, SHOWN_PROBLEMS)) {
      report(this, `${prop}: ${p.message}${p.received === undefined || p.message.includes('(received ') ? '' : ` (received ${show(p.received)})`}`);
    }
    if (problems.length > SHOWN_PROBLEMS) report(this, `${prop}: and ${problems.length - SHOWN_PROBLEMS} more problem(s) like these`);
  }

  /** The users file's text; a file that cannot be read is reported (undefined). */
  private readFile(filePath: string): string | undefined {
    try {
      return fs.readFileSync(filePath, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      reportViolation(this, 'usersFile', filePath, code === 'ENOENT'
        ? `the file does not exist (a users file has columns ${CSV_COLUMNS.join(',')})`
        : `the file cannot be read (${code ?? (err as Error).message})`);
      return undefined;
    }
  }
}
/** An alias for a group given without one: the construct id. */
function aliasFor(group: IWickrSecurityGroup): string {
  const raw = group.node.id;
  const alias = raw.replace(/[^A-Za-z0-9._:@-]/g, '-').slice(0, 56);
  return alias === '' || alias === DEFAULT_ALIAS ? 'group' : alias;
}
