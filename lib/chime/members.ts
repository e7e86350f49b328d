/** Synth-time checks of app instance member (user and bot) ARNs; internal, not exported by the package. */
import { Construct } from 'constructs';
import { isUnresolved, reportViolation } from '../core/errors';
import { checkPattern } from '../core/validate';
import { ChimeAppInstance, IChimeAppInstance } from './app-instance';

const USER_ARN = /^arn:[a-z0-9-.]{1,63}:chime:[a-z0-9-]*:\d{12}:app-instance\/[^/]+\/user\/[^/]+$/;
const MEMBER_ARN = /^arn:[a-z0-9-.]{1,63}:chime:[a-z0-9-]*:\d{12}:app-instance\/[^/]+\/(user|bot)\/[^/]+$/;

/** Checks a literal app instance user ARN. */
export function checkUserArn(scope: Construct, prop: string, arn: string): void {
  checkPattern(scope, prop, arn, USER_ARN, 'an app instance user ARN (arn:aws:chime:<region>:<account>:app-instance/<id>/user/<user id>)');
}

/** Checks a literal app instance user or bot ARN. */
export function checkMemberArn(scope: Construct, prop: string, arn: string): void {
  checkPattern(scope, prop, arn, MEMBER_ARN, 'an app instance user or bot ARN (arn:aws:chime:<region>:<account>:app-instance/<id>/user/<user id> or .../bot/<bot id>)');
}

/**
 * The app instance ARN (`arn:...:app-instance/<id>`) a literal member ARN (user or bot)
 * lives in; `undefined` for a token.
 */
export function instanceOfMember(memberArn: string): string | undefined {
  if (isUnresolved(memberArn)) return undefined;
  const at = memberArn.search(/\/(user|bot)\//);
  return at < 0 ? undefined : memberArn.slice(0, at);
}

/**
 * Refuses a member (user or bot) of another app instance than `appInstance`, when both
 * sides are known at synth time: the service would answer with a 400 only at deploy time.
 */
export function checkSameInstance(scope: Construct, prop: string, memberArn: string, appInstance: IChimeAppInstance, memberInstance?: IChimeAppInstance): void {
  if (memberInstance !== undefined && memberInstance !== appInstance) {
    const made = memberInstance instanceof ChimeAppInstance && appInstance instanceof ChimeAppInstance;
    const [theirs, mine] = [memberInstance.appInstanceArn, appInstance.appInstanceArn];
    // Two instances made in this app, or two imports whose ARNs are literal and differ.
    if (made || (!isUnresolved(theirs) && !isUnresolved(mine) && theirs !== mine)) {
      return reportViolation(scope, prop, memberInstance.node.path, `must belong to the app instance ${appInstance.node.path}`);
    }
  }
  const literal = instanceOfMember(memberArn);
  if (literal !== undefined && !isUnresolved(appInstance.appInstanceArn) && literal !== appInstance.appInstanceArn) {
    reportViolation(scope, prop, memberArn, `must belong to the app instance ${appInstance.appInstanceArn}`);
  }
}
