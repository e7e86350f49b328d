import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { reportViolation } from '../core/errors';
import { checkRange, wholeUnits } from '../core/validate';
import { RETENTION_TYPE, RetentionKeys } from '../../lambda/chime/retention.wire';
import { RETENTION_DAYS_MAX, RETENTION_DAYS_MIN } from '../../lambda/chime/rules';
import { ChimeAppInstance, IChimeAppInstance } from './app-instance';
import { anyAppInstanceArn } from './arns';
import { operationGrants } from '../core/iam';
import { checkProps, A_DURATION, AN_APP_INSTANCE } from '../core/props';

export interface ChimeAppInstanceRetentionProps {
  /**
   * The app instance: an import (`fromAppInstanceArn`) or an adopted native
   * `CfnAppInstance` (`fromCfnAppInstance`). A `ChimeAppInstance` takes `retention` itself.
   */
  readonly appInstance: IChimeAppInstance;
  /** How long channel messages are kept: whole days from 1 to 5475. Changes in place. */
  readonly retention: Duration;
}

/**
 * The channel message retention of an app instance this library did not create (the
 * native `AWS::Chime::AppInstance` has no retention property), set with
 * `PutAppInstanceRetentionSettings`. Deleting the construct clears the setting: messages
 * are then kept until deleted; nothing is deleted.
 *
 * The settings the instance had are read first (`GetAppInstanceRetentionSettings`); a
 * deployment whose put fails puts them back before it reports the failure (the reason says
 * so, or that it could not), so a failed create or a failed move to another instance leaves
 * no retention behind, and its rollback never clears a retention set outside the stack.
 */
export class ChimeAppInstanceRetention extends ProviderBackedResource {
  constructor(scope: Construct, id: string, props: ChimeAppInstanceRetentionProps) {
    super(scope, id);
    checkProps(this, props, { appInstance: AN_APP_INSTANCE, retention: A_DURATION });
    if (props.appInstance instanceof ChimeAppInstance) {
      reportViolation(this, 'appInstance', props.appInstance.node.path,
        'a ChimeAppInstance manages its retention itself: give its retention prop instead');
    }
    const days = wholeUnits(this, 'retention', props.retention, 'days');
    checkRange(this, 'retention', days, RETENTION_DAYS_MIN, RETENTION_DAYS_MAX);
    this._createResource({
      resourceType: RETENTION_TYPE,
      properties: { [RetentionKeys.AppInstanceArn]: props.appInstance.appInstanceArn, [RetentionKeys.RetentionDays]: days },
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants('chime-sdk-identity', ['PutAppInstanceRetentionSettings', 'GetAppInstanceRetentionSettings'], [anyAppInstanceArn(this)]),
    });
  }
}
