/**
 * A user or bot of an app instance, as `ChimeAppInstanceAdmin` names it. Users and bots
 * made or imported with this library are members; `ChimeAppInstanceMember.fromArn` names
 * one by ARN.
 */
export interface IChimeAppInstanceMember {
  /**
   * The ARN of the user or bot: `arn:aws:chime:<region>:<account>:app-instance/<id>/user/<user id>`
   * or `.../bot/<bot id>`.
   */
  readonly appInstanceMemberArn: string;
}

/** Names a user or bot of an app instance that is not a construct of this app. */
export class ChimeAppInstanceMember {
  /**
   * A user or bot by ARN. The ARN is checked (at synth time, when it is not a token) by the
   * construct it is given to.
   */
  public static fromArn(appInstanceMemberArn: string): IChimeAppInstanceMember {
    return new MemberArn(appInstanceMemberArn);
  }

  private constructor() {}
}

class MemberArn implements IChimeAppInstanceMember {
  constructor(public readonly appInstanceMemberArn: string) {}
}
