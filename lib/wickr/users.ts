import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { PropertyValidationError } from '../core/errors';
import { WickrChimeProvider } from '../core/provider';
import { checkUsers, parseUsersFile, UserRecord, USERS_TYPE, UsersFileError, UsersKeys } from '../../lambda/wickr/users.wire';
import { networkGrantArn } from './arns';
import type { IWickrNetwork } from './network';
import type { IWickrSecurityGroup } from './security-group';

/** One user of `WickrUsers`. */
export interface WickrUser {
  /** The username (usually an email address); unique in the network, ignoring case. */
  readonly username: string;
  /** @default - none */
  readonly firstName?: string;
  /** @default - none */
  readonly lastName?: string;
  /**
   * The user's security group (a user belongs to exactly one).
   * @default - the `defaultSecurityGroup` of the `WickrUsers`
   */
  readonly securityGroup?: IWickrSecurityGroup;
  /** @default false */
  readonly suspended?: boolean;
}

/**
 * A file of users that travels as an S3 asset, so that thousands of users fit one stack.
 * CSV: a header row naming some of `username,firstName,lastName,group,suspended`
 * (`username` required; `group` is a key of `WickrUsersProps.securityGroups`). JSON: an
 * array of objects with the same keys. The file is checked at synth time.
 */
export class UsersFile {
  /** A CSV file. */
  public static fromCsv(filePath: string): UsersFile {
    return new UsersFile(filePath, 'csv');
  }

  /** A JSON file. */
  public static fromJson(filePath: string): UsersFile {
    return new UsersFile(filePath, 'json');
  }

  private constructor(
    /** The file's path. */
    public readonly filePath: string,
    /** `csv` or `json`. */
    public readonly format: 'csv' | 'json',
  ) {}
}

export interface WickrUsersProps {
  /** The network the users belong to. */
  readonly network: IWickrNetwork;
  /**
   * The users, inline (up to 1,000; use `usersFile` beyond that).
   * @default - none; give `users` or `usersFile`
   */
  readonly users?: WickrUser[];
  /**
   * The users, from a file uploaded as an asset.
   * @default - none; give `users` or `usersFile`
   */
  readonly usersFile?: UsersFile;
  /**
   * Security groups the file's `group` column names, by key.
   * @default - none
   */
  readonly securityGroups?: Record<string, IWickrSecurityGroup>;
  /**
   * The group of users that name none.
   * @default - the network's default security group
   */
  readonly defaultSecurityGroup?: IWickrSecurityGroup;
  /**
   * What happens to the users when this construct leaves the stack. Users hold messages,
   * so they are kept unless `DESTROY` is chosen. (A user removed from the list while the
   * construct stays is deleted: that is an explicit change.)
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

const INLINE_MAX = 1000;
const DEFAULT_ALIAS = 'default';

/**
 * Many Wickr users in one resource. Created with `BatchCreateUser`, 50 per call with a
 * client token per batch; updated by difference (new users created, changed ones updated,
 * suspensions toggled, removed ones deleted last); a batch that partly fails ends the
 * deployment FAILED with each user's reason, and a failed create deletes the users it
 * made. The response carries no user data whatever the count.
 */
export class WickrUsers extends ProviderBackedResource {
  constructor(scope: Construct, id: string, props: WickrUsersProps) {
    super(scope, id);
    if ((props.users === undefined) === (props.usersFile === undefined)) {
      throw new PropertyValidationError(this, 'users', props.users === undefined ? 'neither' : 'both', 'give exactly one of users and usersFile');
    }
    const groups: Record<string, string> = {};
    const aliasOf = new Map<IWickrSecurityGroup, string>();
    const addGroup = (alias: string, group: IWickrSecurityGroup) => {
      groups[alias] = group.securityGroupId;
      aliasOf.set(group, alias);
    };
    addGroup(DEFAULT_ALIAS, props.defaultSecurityGroup ?? props.network.defaultSecurityGroup);
    for (const [alias, group] of Object.entries(props.securityGroups ?? {})) {
      if (alias === DEFAULT_ALIAS) throw new PropertyValidationError(this, 'securityGroups', alias, `the key "${DEFAULT_ALIAS}" is reserved for defaultSecurityGroup`);
      addGroup(alias, group);
    }

    let users: UserRecord[] | undefined;
    let file: Record<string, string> | undefined;
    if (props.users) {
      if (props.users.length > INLINE_MAX) {
        throw new PropertyValidationError(this, 'users', `${props.users.length} users`, `at most ${INLINE_MAX} inline; give more as a usersFile (an S3 asset)`);
      }
      users = props.users.map((u) => {
        if (u.securityGroup && !aliasOf.has(u.securityGroup)) addGroup(`group${aliasOf.size}`, u.securityGroup);
        return { username: u.username, firstName: u.firstName, lastName: u.lastName, group: u.securityGroup ? aliasOf.get(u.securityGroup) : undefined, suspended: u.suspended };
      });
      this.check('users', 'users', () => checkUsers(users!, (i) => `users[${i}]`));
    } else {
      const source = props.usersFile!;
      const text = this.check('usersFile', source.filePath, () => fs.readFileSync(source.filePath, 'utf8'));
      const parsed = this.check('usersFile', source.filePath, () => parseUsersFile(text, source.format));
      parsed.forEach((u, i) => {
        if (u.group !== undefined && groups[u.group] === undefined) {
          const where = source.format === 'csv' ? `line ${i + 2}` : `item ${i}`;
          throw new PropertyValidationError(this, 'usersFile', path.basename(source.filePath),
            `${where}: group "${u.group}" is not a key of securityGroups (${Object.keys(groups).join(', ')})`);
        }
      });
      const asset = new s3assets.Asset(this, 'File', { path: source.filePath });
      asset.grantRead(WickrChimeProvider.of(this).function);
      file = { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey, Format: source.format, Sha256: createHash('sha256').update(text).digest('hex') };
    }

    this.createResource({
      resourceType: USERS_TYPE,
      properties: {
        [UsersKeys.NetworkId]: props.network.networkId,
        [UsersKeys.Groups]: groups,
        [UsersKeys.DefaultGroup]: DEFAULT_ALIAS,
        [UsersKeys.Users]: users?.map((u) => Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined))),
        [UsersKeys.UsersFile]: file,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      grants: [
        {
          actions: ['wickr:BatchCreateUser', 'wickr:BatchDeleteUser', 'wickr:BatchToggleUserSuspendStatus', 'wickr:UpdateUser', 'wickr:ListUsers'],
          resources: [networkGrantArn(this, props.network.networkId)],
        },
      ],
    });
  }

  /** Runs a check; a users-file error becomes a synth error naming this construct and prop. */
  private check<T>(prop: string, value: string, run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (err instanceof UsersFileError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new PropertyValidationError(this, prop, prop === 'usersFile' ? path.basename(value) : value, (err as Error).message);
      }
      throw err;
    }
  }
}
