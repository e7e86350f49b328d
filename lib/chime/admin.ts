import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { APP_INSTANCE_ADMIN_TYPE, AppInstanceAdminKeys } from '../../lambda/chime/admin.wire';
import { IChimeAppInstance } from './app-instance';
import { anyAppInstanceArn } from './arns';
import { ChimeAppInstanceBot, IChimeAppInstanceBot } from './bot';
import { checkMemberArn, checkSameInstance } from './members';
import { ChimeAppInstanceUser, IChimeAppInstanceUser } from './user';
import { operationGrants } from '../core/iam';

export interface ChimeAppInstanceAdminProps {
  /** The app instance the admin administers. */
  readonly appInstance: IChimeAppInstance;
  /**
   * Who is promoted: a user or bot of the same app instance, or the ARN of one.
   * Another admin means another resource (the new one is promoted, then the old one demoted).
   */
  readonly admin: IChimeAppInstanceUser | IChimeAppInstanceBot | string;
}

/**
 * Promotes a user (or bot) of an Amazon Chime SDK app instance to app instance admin.
 *
 * Deleting the construct demotes the admin back to a plain user; it never deletes the
 * user. Someone who is already an admin (promoted by hand, or by a request whose answer
 * was lost) is taken over rather than refused, and is demoted when the construct goes.
 */
export class ChimeAppInstanceAdmin extends ProviderBackedResource {
  /** The ARN of the promoted user or bot. */
  public readonly adminArn: string;
  /** The app instance. */
  public readonly appInstance: IChimeAppInstance;

  constructor(scope: Construct, id: string, props: ChimeAppInstanceAdminProps) {
    super(scope, id);
    const admin = props.admin;
    this.adminArn = typeof admin === 'string' ? admin : 'appInstanceUserArn' in admin ? admin.appInstanceUserArn : admin.appInstanceBotArn;
    this.appInstance = props.appInstance;
    if (typeof admin === 'string') checkMemberArn(this, 'admin', admin);
    checkSameInstance(this, 'admin', this.adminArn, props.appInstance, admin instanceof ChimeAppInstanceUser || admin instanceof ChimeAppInstanceBot ? admin.appInstance : undefined);

    this.createResource({
      resourceType: APP_INSTANCE_ADMIN_TYPE,
      properties: {
        [AppInstanceAdminKeys.AppInstanceArn]: props.appInstance.appInstanceArn,
        [AppInstanceAdminKeys.AdminArn]: this.adminArn,
      },
      // Delete demotes: nothing is lost, so the resource follows the stack.
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants('chime-sdk-identity', ['CreateAppInstanceAdmin', 'DeleteAppInstanceAdmin', 'DescribeAppInstanceAdmin'], [anyAppInstanceArn(this)]),
    });
  }
}
