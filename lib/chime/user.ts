import { Duration, IResource, ITaggable, Lazy, RemovalPolicy, Resource, TagManager, TagType } from 'aws-cdk-lib';
import { CfnAppInstanceUser } from 'aws-cdk-lib/aws-chime';
import { Construct } from 'constructs';
import { adoptOnce, ProviderBackedResource } from '../core/base';
import { checkLength, checkMaxBytes, checkPattern, checkRange, wholeUnits } from '../core/validate';
import { APP_INSTANCE_USER_ID_MAX, APP_INSTANCE_USER_ID_PATTERN, EXPIRATION_DAYS_MAX, EXPIRATION_DAYS_MIN, METADATA_MAX } from '../../lambda/chime/rules';
import { APP_INSTANCE_USER_TYPE, AppInstanceUserKeys, USER_NAME_MAX } from '../../lambda/chime/user.wire';
import { IChimeAppInstance } from './app-instance';
import { anyAppInstanceArn } from './arns';
import { IChimeAppInstanceMember } from './member';
import { checkUserArn } from './members';
import { TAG_OPERATIONS, validateTags } from './tags';
import { operationGrants } from '../core/iam';
import { checkProps, A_DURATION, A_STRING, AN_APP_INSTANCE } from '../core/props';

/** An app instance user, created here or imported. */
export interface IChimeAppInstanceUser extends IResource, IChimeAppInstanceMember {
  /**
   * The user's ARN: `arn:aws:chime:<region>:<account>:app-instance/<id>/user/<user id>`.
   * @attribute
   */
  readonly appInstanceUserArn: string;
}

export interface ChimeAppInstanceUserProps {
  /** The app instance the user belongs to. Another instance means another user (replacement). */
  readonly appInstance: IChimeAppInstance;
  /**
   * The user's id in the instance: 1 to 64 of `A-Z a-z 0-9 : - _ . @`, starting and ending
   * with a letter or digit. Another id means another user (replacement).
   */
  readonly appInstanceUserId: string;
  /** The user's name, 1 to 100 characters, not only whitespace. Changes in place. */
  readonly name: string;
  /**
   * Metadata, at most 1 KB. Changes in place.
   * @default - no metadata
   */
  readonly metadata?: string;
  /**
   * The user is deleted automatically this long after it was created: whole days from 1
   * to 5475. Changes in place (`PutAppInstanceUserExpirationSettings`).
   * @default - the user never expires
   */
  readonly expiration?: Duration;
  /**
   * What happens to the user when it leaves the stack or is replaced. Channels and their
   * messages belong to the app instance and stay either way.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A user of an Amazon Chime SDK app instance.
 *
 * Name, metadata, expiration and tags (`Tags.of(...)`, applied by difference) change in
 * place; a new `appInstanceUserId` or app instance creates the new user first, then
 * CloudFormation's cleanup deletes the old one. The create carries a `ClientRequestToken`
 * derived from the CloudFormation request, so a retried or duplicated delivery never
 * makes a second user.
 */
export class ChimeAppInstanceUser extends ProviderBackedResource implements IChimeAppInstanceUser, ITaggable {
  /** Imports a user by ARN. */
  public static fromAppInstanceUserArn(scope: Construct, id: string, appInstanceUserArn: string): IChimeAppInstanceUser {
    checkUserArn(scope, 'appInstanceUserArn', appInstanceUserArn);
    class Import extends Resource implements IChimeAppInstanceUser {
      public readonly appInstanceUserArn = appInstanceUserArn;
      public readonly appInstanceMemberArn = appInstanceUserArn;
    }
    return new Import(scope, id);
  }

  /**
   * Adopts a user created with the native `AWS::Chime::AppInstanceUser`
   * (`aws_chime.CfnAppInstanceUser`), so an admin or an endpoint of this library can
   * attach to it.
   */
  public static fromCfnAppInstanceUser(cfnUser: CfnAppInstanceUser): IChimeAppInstanceUser {
    return adoptOnce(cfnUser, '@FromCfnAppInstanceUser', (scope, id) => ChimeAppInstanceUser.fromAppInstanceUserArn(scope, id, cfnUser.attrAppInstanceUserArn));
  }

  /** The app instance the user belongs to. */
  public readonly appInstance: IChimeAppInstance;
  public readonly appInstanceUserArn: string;
  /** The user's ARN, as an app instance member (an admin names it). */
  public readonly appInstanceMemberArn: string;
  /** The user's id in the app instance. */
  public readonly appInstanceUserId: string;
  /** Tags, set with `Tags.of(...)`; changes are applied by tag/untag difference. */
  public readonly tags = new TagManager(TagType.KEY_VALUE, APP_INSTANCE_USER_TYPE);

  constructor(scope: Construct, id: string, props: ChimeAppInstanceUserProps) {
    super(scope, id);
    checkProps(this, props, { appInstance: AN_APP_INSTANCE, appInstanceUserId: A_STRING, name: A_STRING }, { expiration: A_DURATION, metadata: A_STRING });
    checkLength(this, 'appInstanceUserId', props.appInstanceUserId, 1, APP_INSTANCE_USER_ID_MAX);
    checkPattern(this, 'appInstanceUserId', props.appInstanceUserId, APP_INSTANCE_USER_ID_PATTERN,
      'letters, digits and : - _ . @, starting and ending with a letter or digit');
    checkLength(this, 'name', props.name, 1, USER_NAME_MAX);
    checkPattern(this, 'name', props.name, /\S/, 'not only whitespace');
    checkMaxBytes(this, 'metadata', props.metadata, METADATA_MAX);
    const expirationDays = wholeUnits(this, 'expiration', props.expiration, 'days');
    checkRange(this, 'expiration', expirationDays, EXPIRATION_DAYS_MIN, EXPIRATION_DAYS_MAX);
    this.node.addValidation({ validate: () => validateTags(this, this.tags) });

    this.appInstance = props.appInstance;
    this.appInstanceUserId = props.appInstanceUserId;
    const resource = this._createResource({
      resourceType: APP_INSTANCE_USER_TYPE,
      properties: {
        [AppInstanceUserKeys.AppInstanceArn]: props.appInstance.appInstanceArn,
        [AppInstanceUserKeys.AppInstanceUserId]: props.appInstanceUserId,
        [AppInstanceUserKeys.Name]: props.name,
        [AppInstanceUserKeys.Metadata]: props.metadata,
        [AppInstanceUserKeys.ExpirationDays]: expirationDays,
        [AppInstanceUserKeys.Tags]: Lazy.any({ produce: () => this.tags.renderTags() }),
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      grants: operationGrants(
        'chime-sdk-identity',
        ['CreateAppInstanceUser', 'DescribeAppInstanceUser', 'UpdateAppInstanceUser', 'DeleteAppInstanceUser', 'PutAppInstanceUserExpirationSettings', ...TAG_OPERATIONS],
        [anyAppInstanceArn(this)],
      ),
    });
    this.appInstanceUserArn = resource.ref;
    this.appInstanceMemberArn = resource.ref;
  }
}
