import { IResource, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnNetwork } from 'aws-cdk-lib/aws-wickr';
import { Construct, IConstruct } from 'constructs';
import { adoptOnce, ProviderBackedResource } from '../core/base';
import { WickrChimeProvider } from '../core/provider';
import { reportViolation } from '../core/errors';
import { checkLength, checkOneOf, checkPattern, checkRule } from '../core/validate';
import { ACCESS_LEVELS, NETWORK_NAME_MAX, NETWORK_TYPE, NetworkKeys } from '../../lambda/wickr/network.wire';
import { anyNetworkArn, networkArn } from './arns';
import { NetworkSettings, validateNetworkSettings, WickrNetworkSettings } from './network-settings';
import { DefaultSecurityGroupOptions, IWickrSecurityGroup, WickrDefaultSecurityGroup } from './security-group';
import { operationGrants } from '../core/iam';
import { checkProps, A_BOOLEAN, A_KEY, A_STRING, anEnum, aStructure } from '../core/props';

/** The features a Wickr network offers. */
export enum AccessLevel {
  /** Standard features. */
  STANDARD = 'STANDARD',
  /** Premium features (or a premium free trial). */
  PREMIUM = 'PREMIUM',
}

/** A Wickr network, created here or imported. */
export interface IWickrNetwork extends IResource {
  /**
   * The network's id (8 digits).
   * @attribute
   */
  readonly networkId: string;
  /**
   * The network's ARN.
   * @attribute
   */
  readonly networkArn: string;
  /** The network's default security group (made with the network; cannot be deleted). */
  readonly defaultSecurityGroup: IWickrSecurityGroup;
}

/** Attributes of an existing network to import. */
export interface WickrNetworkAttributes {
  /** The network's id (8 digits). */
  readonly networkId: string;
  /**
   * The network's ARN.
   * @default - derived from the id, the stack's account and region
   */
  readonly networkArn?: string;
}

export interface WickrNetworkProps {
  /** The network's name, 1 to 20 characters. Can be changed in place. */
  readonly networkName: string;
  /**
   * The network's access level. It cannot be changed in place: a change needs a new
   * network, which the handler refuses unless `allowReplacement` is true.
   */
  readonly accessLevel: AccessLevel;
  /**
   * A customer managed KMS key that encrypts the network's sensitive data. Can be
   * changed in place to another key, but not removed.
   * @default - Wickr's own encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Starts a premium network with a free trial. Only applies when the network is created.
   * @default false
   */
  readonly enablePremiumFreeTrial?: boolean;
  /**
   * Network-wide settings, applied with `UpdateNetworkSettings` (a `WickrNetworkSettings`
   * child).
   * @default - the service's defaults
   */
  readonly settings?: NetworkSettings;
  /**
   * Allows a change that needs a new network (a new access level). Replacement creates a
   * second network; the old one, with its users, groups, bots and messages, is then
   * deleted unless the removal policy retains it (the default does).
   * @default false - such a change fails the deployment with the reason, and nothing changes
   */
  readonly allowReplacement?: boolean;
  /**
   * What happens to the network when it leaves the stack or is replaced.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE - a network holds users and messages:
   * it is kept when it leaves the stack or is replaced, and deleted only when the deployment
   * that created it fails and rolls back (then it holds nothing yet)
   */
  readonly removalPolicy?: RemovalPolicy;
}

const DEFAULT_GROUP_ID = 'DefaultSecurityGroup';

/** The networks of an app by where they go (a stack of no fixed environment, or an account and region) and name. */
const NAMED = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Network names are unique in an account and region: a second network of one name in the
 * same place would be refused when it is created. Checked within a stack, and across the
 * app's stacks with the same account and region.
 */
function checkUniqueName(network: WickrNetwork, name: string): void {
  if (Token.isUnresolved(name)) return;
  const stack = Stack.of(network);
  const place = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region) ? `stack ${stack.node.path}` : `account ${stack.account}, region ${stack.region}`;
  const root = network.node.root;
  const names = NAMED.get(root) ?? new Map<string, string>();
  NAMED.set(root, names);
  const key = `${place}\n${name}`;
  const first = names.get(key);
  if (first === undefined) names.set(key, network.node.path);
  else reportViolation(network, 'networkName', name, `is also the name of ${first} (${place}): Wickr network names are unique in an account and region, so the second create would be refused. Give each network its own name`);
}

/** The network's default group, found (and configurable) through a child resource made on first use. */
function defaultGroupOf(network: IWickrNetwork & Construct): IWickrSecurityGroup {
  return (network.node.tryFindChild(DEFAULT_GROUP_ID) as WickrDefaultSecurityGroup | undefined) ??
    new WickrDefaultSecurityGroup(network, DEFAULT_GROUP_ID, { network });
}

abstract class WickrNetworkBase extends Resource implements IWickrNetwork {
  public abstract readonly networkId: string;
  public abstract readonly networkArn: string;
  public get defaultSecurityGroup(): IWickrSecurityGroup {
    return defaultGroupOf(this);
  }
}

/**
 * An AWS Wickr network.
 *
 * Unlike the native `AWS::Wickr::Network`, it takes a KMS key and a premium free trial,
 * guards against accidental replacement, and anchors the rest of this library's Wickr
 * resources (settings, security groups, bots, users).
 */
export class WickrNetwork extends ProviderBackedResource implements IWickrNetwork {
  /** Imports a network by id. */
  public static fromNetworkId(scope: Construct, id: string, networkId: string): IWickrNetwork {
    return WickrNetwork.fromNetworkAttributes(scope, id, { networkId });
  }

  /** Imports a network from its attributes. */
  public static fromNetworkAttributes(scope: Construct, id: string, attrs: WickrNetworkAttributes): IWickrNetwork {
    class Import extends WickrNetworkBase {
      public readonly networkId = attrs.networkId;
      public readonly networkArn = attrs.networkArn ?? networkArn(this, attrs.networkId);
    }
    const imported = new Import(scope, id);
    checkPattern(imported, 'networkId', attrs.networkId, /^[0-9]{8}$/, 'an 8-digit network id');
    return imported;
  }

  /**
   * Adopts a network created with the native `AWS::Wickr::Network` (`aws_wickr.CfnNetwork`),
   * so this library's settings, security groups, bots and users can attach to it.
   */
  public static fromCfnNetwork(cfnNetwork: CfnNetwork): IWickrNetwork {
    return adoptOnce(cfnNetwork, '@FromCfnNetwork', (scope, id) =>
      WickrNetwork.fromNetworkAttributes(scope, id, { networkId: cfnNetwork.attrNetworkId, networkArn: cfnNetwork.attrNetworkArn }));
  }

  public readonly networkId: string;
  public readonly networkArn: string;

  constructor(scope: Construct, id: string, props: WickrNetworkProps) {
    super(scope, id);
    checkProps(this, props, { networkName: A_STRING, accessLevel: anEnum('AccessLevel', AccessLevel) }, {
      encryptionKey: A_KEY, enablePremiumFreeTrial: A_BOOLEAN, settings: aStructure('the network settings (NetworkSettings)'), allowReplacement: A_BOOLEAN,
    });
    checkLength(this, 'networkName', props.networkName, 1, NETWORK_NAME_MAX);
    checkRule(this, 'networkName', props.networkName, Token.isUnresolved(props.networkName) || !/^pending-[0-9a-f]{12}$/.test(props.networkName),
      'must not look like "pending-" and 12 hex digits: the handler reserves such names for networks it is still creating');
    checkPattern(this, 'encryptionKey', props.encryptionKey?.keyArn, /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/,
      'the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>), such as kms.Key.fromKeyArn(...) takes');
    checkOneOf(this, 'accessLevel', props.accessLevel, ACCESS_LEVELS, { name: 'AccessLevel', members: AccessLevel });
    if (typeof props.networkName === 'string') checkUniqueName(this, props.networkName);

    const provider = WickrChimeProvider.of(this);
    props.encryptionKey?.grant(provider.function, 'kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey');

    const resource = this._createResource({
      resourceType: NETWORK_TYPE,
      properties: {
        [NetworkKeys.NetworkName]: props.networkName,
        [NetworkKeys.AccessLevel]: props.accessLevel,
        [NetworkKeys.EncryptionKeyArn]: props.encryptionKey?.keyArn,
        [NetworkKeys.EnablePremiumFreeTrial]: props.enablePremiumFreeTrial,
        [NetworkKeys.AllowReplacement]: props.allowReplacement,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      // The network's own id is not known before it exists: every network of the account and region.
      grants: operationGrants('wickr', ['ListNetworks', 'CreateNetwork', 'UpdateNetwork', 'DeleteNetwork', 'GetNetwork'], [anyNetworkArn(this)]),
    });
    this.networkId = resource.ref;
    this.networkArn = networkArn(this, this.networkId);
    validateNetworkSettings(this, props.settings);
    if (props.settings) new WickrNetworkSettings(this, 'Settings', { network: this, settings: props.settings });
  }

  /**
   * The network's default security group, with attribute `securityGroupId`. Made on first
   * use; to change its settings, use `configureDefaultSecurityGroup`.
   */
  public get defaultSecurityGroup(): IWickrSecurityGroup {
    return defaultGroupOf(this);
  }

  /** The id of the network's default security group. */
  public get defaultSecurityGroupId(): string {
    return this.defaultSecurityGroup.securityGroupId;
  }

  /** Applies a name and settings to the network's default security group (once per network). */
  public configureDefaultSecurityGroup(options: DefaultSecurityGroupOptions): IWickrSecurityGroup {
    if (this.node.tryFindChild(DEFAULT_GROUP_ID)) {
      throw new Error(`[${this.node.path}] configureDefaultSecurityGroup: the default security group is already defined; configure it once, before other constructs use it`);
    }
    return new WickrDefaultSecurityGroup(this, DEFAULT_GROUP_ID, { network: this, ...options });
  }
}
