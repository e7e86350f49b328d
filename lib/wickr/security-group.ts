import { IResource, RemovalPolicy, Resource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { reportViolation } from '../core/errors';
import { checkLength, checkRule } from '../core/validate';
import { DEFAULT_SECURITY_GROUP_TYPE, SECURITY_GROUP_NAME_MAX, SECURITY_GROUP_TYPE, SecurityGroupKeys } from '../../lambda/wickr/security-group.wire';
import { anyNetworkArn } from './arns';
import { renderSecurityGroupSettings, SecurityGroupSettings, ssoOnlySettings, validateSecurityGroupSettings } from './security-group-settings';
import { madeInApp, requireSso } from './network-parts';
import type { IWickrNetwork } from './network';
import { operationGrants } from '../core/iam';
import { checkProps, A_NETWORK, A_STRING, aStructure } from '../core/props';

const SETTINGS = aStructure('the group settings (SecurityGroupSettings)');

/** A Wickr security group, created here, the network's default group, or imported. */
export interface IWickrSecurityGroup extends IResource {
  /**
   * The group's id.
   * @attribute
   */
  readonly securityGroupId: string;
  /** The network the group belongs to. */
  readonly network: IWickrNetwork;
}

abstract class SecurityGroupBase extends Resource implements IWickrSecurityGroup {
  public abstract readonly securityGroupId: string;
  public abstract readonly network: IWickrNetwork;
}

export interface WickrSecurityGroupProps {
  /** The network the group belongs to. */
  readonly network: IWickrNetwork;
  /** The group's name, 1 to 64 characters. Can be changed in place. */
  readonly name: string;
  /**
   * The group's settings. Changed in place; only what changed is sent.
   * @default - the service's defaults
   */
  readonly settings?: SecurityGroupSettings;
  /**
   * What happens to the group when it leaves the stack. A group with members cannot be
   * deleted: CloudFormation deletes this library's users and bots of the group before the
   * group itself, and a group whose `WickrUsers` are retained is retained with them.
   * @default RemovalPolicy.DESTROY - a group holds settings, not data; but
   * RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE when users of a `WickrUsers` that retains its
   * users belong to it
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Wickr security group with all its settings. Created with `CreateSecurityGroup` (the
 * federation settings, with a client token) and then `UpdateSecurityGroup` (the full
 * settings); if the second call fails the group is deleted, so a deployment never leaves
 * a half-configured group. A new network means a new group.
 */
export class WickrSecurityGroup extends ProviderBackedResource implements IWickrSecurityGroup {
  /** Imports an existing group of a network. */
  public static fromSecurityGroupId(scope: Construct, id: string, network: IWickrNetwork, securityGroupId: string): IWickrSecurityGroup {
    class Import extends SecurityGroupBase {
      public readonly securityGroupId = securityGroupId;
      public readonly network = network;
    }
    return new Import(scope, id);
  }

  public readonly securityGroupId: string;
  public readonly network: IWickrNetwork;
  private policyChosen: boolean;

  constructor(scope: Construct, id: string, props: WickrSecurityGroupProps) {
    super(scope, id);
    checkProps(this, props, { network: A_NETWORK, name: A_STRING }, { settings: SETTINGS });
    checkLength(this, 'name', props.name, 1, SECURITY_GROUP_NAME_MAX);
    checkRule(this, 'name', props.name, typeof props.name !== 'string' || !/^pending-[0-9a-f]{12}$/.test(props.name),
      'must not look like "pending-" and 12 hex digits: the handler names a group so while it is still creating it');
    checkRule(this, 'name', props.name, props.name === '' || /\S/.test(props.name), 'must not be only whitespace');
    validateSecurityGroupSettings(this, props.settings);
    requireSso(this, props.network, ssoOnlySettings(props.settings));
    this.network = props.network;
    const resource = this._createResource({
      resourceType: SECURITY_GROUP_TYPE,
      properties: {
        [SecurityGroupKeys.NetworkId]: props.network.networkId,
        [SecurityGroupKeys.Name]: props.name,
        [SecurityGroupKeys.Settings]: renderSecurityGroupSettings(props.settings),
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      // ListSecurityGroups: a create looks for a group of its name (one nobody owns is not taken over by accident).
      grants: operationGrants('wickr', ['ListSecurityGroups', 'CreateSecurityGroup', 'UpdateSecurityGroup', 'DeleteSecurityGroup', 'GetSecurityGroup'], [anyNetworkArn(this)]),
    });
    this.securityGroupId = resource.ref;
    this.policyChosen = props.removalPolicy !== undefined;
  }

  public applyRemovalPolicy(policy: RemovalPolicy): void {
    super.applyRemovalPolicy(policy);
    this.policyChosen = true;
  }

  /**
   * Keeps the group as long as retained members may be in it (called by `WickrUsers` whose
   * users are retained), unless a removal policy was chosen for the group.
   * @internal
   */
  public _retainForMembers(_members: Construct): void {
    if (!this.policyChosen) super.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
  }
}

/** A name and settings for a network's default security group. */
export interface DefaultSecurityGroupOptions {
  /**
   * A new name for the default group.
   * @default - the name it has
   */
  readonly name?: string;
  /**
   * Settings for the default group. Changed in place; only what changed is sent.
   * @default - left as they are
   */
  readonly settings?: SecurityGroupSettings;
}

export interface WickrDefaultSecurityGroupProps extends DefaultSecurityGroupOptions {
  /** The network whose default group this is. */
  readonly network: IWickrNetwork;
}

/**
 * The default security group every network comes with. It cannot be deleted: this
 * construct finds it (its `securityGroupId` is the group's id) and applies the name and
 * settings given. Removing the construct leaves the group, with its current name and
 * settings, in the network. Usually reached through `network.defaultSecurityGroup`.
 */
export class WickrDefaultSecurityGroup extends ProviderBackedResource implements IWickrSecurityGroup {
  public readonly securityGroupId: string;
  public readonly network: IWickrNetwork;

  constructor(scope: Construct, id: string, props: WickrDefaultSecurityGroupProps) {
    super(scope, id);
    checkProps(this, props, { network: A_NETWORK }, { name: A_STRING, settings: SETTINGS });
    checkLength(this, 'name', props.name, 1, SECURITY_GROUP_NAME_MAX);
    validateSecurityGroupSettings(this, props.settings);
    requireSso(this, props.network, ssoOnlySettings(props.settings));
    this.network = props.network;
    const resource = this._createResource({
      resourceType: DEFAULT_SECURITY_GROUP_TYPE,
      properties: {
        [SecurityGroupKeys.NetworkId]: props.network.networkId,
        [SecurityGroupKeys.Name]: props.name,
        [SecurityGroupKeys.Settings]: renderSecurityGroupSettings(props.settings),
      },
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants('wickr', ['ListSecurityGroups', 'UpdateSecurityGroup', 'GetSecurityGroup'], [anyNetworkArn(this)]),
    });
    this.securityGroupId = resource.ref;
  }
}

/**
 * Reports a group of another network than `network` (whose construct is `owner`), when that
 * is known at synth time: both network ids literal, or two networks made in this app.
 * @internal
 */
export function checkSameNetwork(scope: Construct, prop: string, group: IWickrSecurityGroup, network: IWickrNetwork, owner: string): void {
  const mine = network.networkId;
  const theirs = group.network.networkId;
  if (mine === theirs) return;
  const bothKnown = !Token.isUnresolved(mine) && !Token.isUnresolved(theirs);
  // Two networks made in this app (not imports) are two networks, tokens or not.
  const bothMade = group.network !== network && madeInApp(group.network) && madeInApp(network);
  if (bothKnown || bothMade) {
    reportViolation(scope, prop, group.node.path, `the security group belongs to another network (${group.network.node.path}) than ${owner} (${network.node.path})`);
  }
}
