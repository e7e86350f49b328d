import { Duration, IResource, ITaggable, Lazy, RemovalPolicy, Resource, TagManager, TagType } from 'aws-cdk-lib';
import { CfnAppInstance } from 'aws-cdk-lib/aws-chime';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { adoptOnce, ProviderBackedResource } from '../core/base';
import { checkLength, checkMaxBytes, checkRange, wholeUnits } from '../core/validate';
import { APP_INSTANCE_TYPE, AppInstanceKeys } from '../../lambda/chime/app-instance.wire';
import { METADATA_MAX, NAME_MAX, RETENTION_DAYS_MAX, RETENTION_DAYS_MIN } from '../../lambda/chime/rules';
import { anyAppInstanceArn } from './arns';
import { TAG_OPERATIONS, validateTags } from './tags';
import { operationGrants } from '../core/iam';
import { checkProps, A_DURATION, A_STRING } from '../core/props';

/** An Amazon Chime SDK app instance, created here or imported. */
export interface IChimeAppInstance extends IResource {
  /**
   * The app instance's ARN.
   * @attribute
   */
  readonly appInstanceArn: string;

  /**
   * Grants `actions` (for example `chime:SendChannelMessage`) on this app instance and
   * everything in it (users, bots, channels) to `grantee`.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;
}

export interface ChimeAppInstanceProps {
  /** The app instance's name, 1 to 256 characters. Can be changed in place. */
  readonly name: string;
  /**
   * Metadata, at most 1 KB. Can be changed in place.
   * @default - no metadata
   */
  readonly metadata?: string;
  /**
   * How long channel messages are kept, in whole days from 1 to 5475 (15 years).
   * Applied with `PutAppInstanceRetentionSettings`; can be changed in place.
   * @default - messages are kept until deleted
   */
  readonly retention?: Duration;
  /**
   * What happens to the app instance (and all its users, channels and messages) when it
   * leaves the stack.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE - kept when it leaves the stack, and
   * deleted only when the deployment that created it fails and rolls back (then it holds nothing yet)
   */
  readonly removalPolicy?: RemovalPolicy;
}

abstract class AppInstanceBase extends Resource implements IChimeAppInstance {
  public abstract readonly appInstanceArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return grantOnAppInstance(this.appInstanceArn, grantee, actions);
  }
}

function grantOnAppInstance(appInstanceArn: string, grantee: iam.IGrantable, actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [appInstanceArn, `${appInstanceArn}/*`] });
}

/**
 * An Amazon Chime SDK Identity app instance.
 *
 * Compared with the native `AWS::Chime::AppInstance`, it also manages the retention
 * settings, is retained by default, and anchors admins and user endpoints.
 *
 * Deletion is asynchronous in the service: CloudFormation reports it complete while
 * Chime still removes the instance's data in the background. A stack that deletes an
 * app instance and creates one with the same name gets a new instance with a new ARN
 * (names are not unique), so the two never collide.
 */
export class ChimeAppInstance extends ProviderBackedResource implements IChimeAppInstance, ITaggable {
  /** Imports an app instance by ARN. */
  public static fromAppInstanceArn(scope: Construct, id: string, appInstanceArn: string): IChimeAppInstance {
    class Import extends AppInstanceBase {
      public readonly appInstanceArn = appInstanceArn;
    }
    return new Import(scope, id);
  }

  /**
   * Adopts an app instance created with the native `AWS::Chime::AppInstance`
   * (`aws_chime.CfnAppInstance`), so admins, users, bots and endpoints of this library
   * can attach to it. Its retention settings can then be managed with
   * `ChimeAppInstanceRetention`.
   */
  public static fromCfnAppInstance(cfnAppInstance: CfnAppInstance): IChimeAppInstance {
    return adoptOnce(cfnAppInstance, '@FromCfnAppInstance', (scope, id) => ChimeAppInstance.fromAppInstanceArn(scope, id, cfnAppInstance.attrAppInstanceArn));
  }

  public readonly appInstanceArn: string;
  /** Tags, set with `Tags.of(...)`; changes are applied by tag/untag difference. */
  public readonly tags = new TagManager(TagType.KEY_VALUE, APP_INSTANCE_TYPE);

  constructor(scope: Construct, id: string, props: ChimeAppInstanceProps) {
    super(scope, id);
    checkProps(this, props, { name: A_STRING }, { retention: A_DURATION, metadata: A_STRING });
    checkLength(this, 'name', props.name, 1, NAME_MAX);
    checkMaxBytes(this, 'metadata', props.metadata, METADATA_MAX);
    const retentionDays = wholeUnits(this, 'retention', props.retention, 'days');
    checkRange(this, 'retention', retentionDays, RETENTION_DAYS_MIN, RETENTION_DAYS_MAX);
    this.node.addValidation({ validate: () => validateTags(this, this.tags) });

    const resource = this._createResource({
      resourceType: APP_INSTANCE_TYPE,
      properties: {
        [AppInstanceKeys.Name]: props.name,
        [AppInstanceKeys.Metadata]: props.metadata,
        [AppInstanceKeys.RetentionDays]: retentionDays,
        [AppInstanceKeys.Tags]: Lazy.any({ produce: () => this.tags.renderTags() }),
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      grants: operationGrants(
        'chime-sdk-identity',
        // ListAppInstances: a create whose stack has another app instance looks for one of its name (a construct renamed keeps its instance).
        ['ListAppInstances', 'CreateAppInstance', 'DescribeAppInstance', 'UpdateAppInstance', 'DeleteAppInstance', 'PutAppInstanceRetentionSettings', 'GetAppInstanceRetentionSettings', ...TAG_OPERATIONS],
        [anyAppInstanceArn(this)],
      ),
    });
    this.appInstanceArn = resource.ref;
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return grantOnAppInstance(this.appInstanceArn, grantee, actions);
  }
}
