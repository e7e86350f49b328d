import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { APP_INSTANCE_ADMIN_TYPE, AppInstanceAdminKeys } from '../../lambda/chime/admin.wire';
import { IChimeAppInstance } from './app-instance';
import { anyAppInstanceArn } from './arns';
import { ChimeAppInstanceBot } from './bot';
import { IChimeAppInstanceMember } from './member';
import { checkMemberArn, checkSameInstance } from './members';
import { ChimeAppInstanceUser } from './user';
import { operationGrants } from '../core/iam';
import { aReference, checkProps, AN_APP_INSTANCE } from '../core/props';

const A_MEMBER = aReference('a user or bot of the app instance', 'appInstanceMemberArn', 'a ChimeAppInstanceUser or ChimeAppInstanceBot, or ChimeAppInstanceMember.fromArn(arn)');

export interface ChimeAppInstanceAdminProps {
  /** The app instance the admin administers. */
  readonly appInstance: IChimeAppInstance;
  /**
   * Who is promoted: a user or bot of the same app instance (a construct, an import, or
   * `ChimeAppInstanceMember.fromArn(arn)`). Another admin means another resource (the new
   * one is promoted, then the old one demoted).
   */
  readonly admin: IChimeAppInstanceMember;
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
    checkProps(this, props, { appInstance: AN_APP_INSTANCE, admin: A_MEMBER });
    const admin = props.admin;
    this.adminArn = admin.appInstanceMemberArn;
    this.appInstance = props.appInstance;
    checkMemberArn(this, 'admin', this.adminArn);
    checkSameInstance(this, 'admin', this.adminArn, props.appInstance, admin instanceof ChimeAppInstanceUser || admin instanceof ChimeAppInstanceBot ? admin.appInstance : undefined);

    this._createResource({
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
