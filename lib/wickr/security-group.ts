import { IResource, RemovalPolicy, Resource } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { checkLength, checkOneOf, checkRange, checkRule } from '../core/validate';
import {
  DEFAULT_SECURITY_GROUP_TYPE,
  MAX_AUTO_DOWNLOAD_SIZES,
  MAX_NON_SSO_SESSION_MINUTES,
  SECURITY_GROUP_NAME_MAX,
  SECURITY_GROUP_TYPE,
  SecurityGroupKeys,
  SHREDDER_INTENSITIES,
} from '../../lambda/wickr/security-group.wire';
import { anyNetworkArn } from './arns';
import type { IWickrNetwork } from './network';
import { operationGrants } from '../core/iam';

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

/** Who members of a group may talk to outside their network. */
export enum FederationMode {
  /** Only their own network. */
  NONE = 0,
  /** Federated: any network that federates too. */
  FEDERATED = 1,
  /** Restricted: only the networks in `permittedNetworks` and friends. */
  RESTRICTED = 2,
}

/** How thoroughly the secure shredder overwrites deleted data. */
export enum ShredderIntensity {
  OFF = 0,
  LOW = 20,
  MEDIUM = 60,
  HIGH = 100,
}

/** The largest file a client downloads on its own. */
export enum AutoDownloadSize {
  /** 500 KB. */
  SMALL = 512000,
  /** 7 MB. */
  LARGE = 7340032,
}

/** Calling permissions. */
export interface CallingSettings {
  /** Members can start 1:1 calls. @default - the service's default */
  readonly canStart11Call?: boolean;
  /** Members can make video calls (needs `canStart11Call`). @default - the service's default */
  readonly canVideoCall?: boolean;
  /** Calls always use TCP. @default - the service's default */
  readonly forceTcpCall?: boolean;
}

/** Password rules (minimum counts). */
export interface PasswordRequirements {
  /** @default - the service's default */
  readonly minLength?: number;
  /** @default - the service's default */
  readonly lowercase?: number;
  /** @default - the service's default */
  readonly uppercase?: number;
  /** @default - the service's default */
  readonly numbers?: number;
  /** @default - the service's default */
  readonly symbols?: number;
}

/** Secure shredder settings. */
export interface ShredderSettings {
  /** @default - the service's default */
  readonly intensity?: ShredderIntensity;
  /** Members can run the shredder themselves. @default - the service's default */
  readonly canProcessManually?: boolean;
}

/** Another AWS Wickr network members of a restricted group may talk to. */
export interface PermittedWickrAwsNetwork {
  /** The network's 8-digit id. */
  readonly networkId: string;
  /** The network's region. */
  readonly region: string;
}

/** A Wickr Enterprise network members of a restricted group may talk to. */
export interface PermittedWickrEnterpriseNetwork {
  /** The network's domain. */
  readonly domain: string;
  /** The network's 8-digit id. */
  readonly networkId: string;
}

/**
 * Every setting of a Wickr security group (`SecurityGroupSettings`). Names are the Wickr
 * API's, so the template shows exactly what the API receives. A setting left out keeps
 * the service's current value; removing a setting from the props does not reset it.
 */
export interface SecurityGroupSettings {
  /** @default - the service's default */
  readonly alwaysReauthenticate?: boolean;
  /** ATAK package values. @default - the service's default */
  readonly atakPackageValues?: string[];
  /** @default - the service's default */
  readonly calling?: CallingSettings;
  /** @default - the service's default */
  readonly checkForUpdates?: boolean;
  /** @default - the service's default */
  readonly enableAtak?: boolean;
  /** @default - the service's default */
  readonly enableCrashReports?: boolean;
  /** @default - the service's default */
  readonly enableFileDownload?: boolean;
  /** Guests from other networks (needs `globalFederation`). @default - the service's default */
  readonly enableGuestFederation?: boolean;
  /** @default - the service's default */
  readonly enableNotificationPreview?: boolean;
  /** @default - the service's default */
  readonly enableOpenAccessOption?: boolean;
  /** Needs `globalFederation`. @default - the service's default */
  readonly enableRestrictedGlobalFederation?: boolean;
  /** @default - the service's default */
  readonly federationMode?: FederationMode;
  /** @default - the service's default */
  readonly filesEnabled?: boolean;
  /** Failed attempts before the device is wiped; less than `lockoutThreshold`. @default - the service's default */
  readonly forceDeviceLockout?: number;
  /** Needs `enableOpenAccessOption`. @default - the service's default */
  readonly forceOpenAccess?: boolean;
  /** @default - the service's default */
  readonly forceReadReceipts?: boolean;
  /** @default - the service's default */
  readonly globalFederation?: boolean;
  /** @default - the service's default */
  readonly isAtoEnabled?: boolean;
  /** @default - the service's default */
  readonly isLinkPreviewEnabled?: boolean;
  /** Needs `locationEnabled`. @default - the service's default */
  readonly locationAllowMaps?: boolean;
  /** @default - the service's default */
  readonly locationEnabled?: boolean;
  /** Failed attempts before the account is locked. @default - the service's default */
  readonly lockoutThreshold?: number;
  /** Only with `enableFileDownload`. @default - the service's default */
  readonly maxAutoDownloadSize?: AutoDownloadSize;
  /** Burn-on-read maximum, in seconds. @default - the service's default */
  readonly maxBor?: number;
  /** 0 (off) or 60 to 525600. @default - the service's default */
  readonly maxNonSsoSessionMinutes?: number;
  /** Message expiration maximum, in seconds. @default - the service's default */
  readonly maxTtl?: number;
  /** @default - the service's default */
  readonly messageForwardingEnabled?: boolean;
  /** @default - the service's default */
  readonly passwordRequirements?: PasswordRequirements;
  /** Network ids allowed with `FederationMode.RESTRICTED`. @default - the service's default */
  readonly permittedNetworks?: string[];
  /** @default - the service's default */
  readonly permittedWickrAwsNetworks?: PermittedWickrAwsNetwork[];
  /** @default - the service's default */
  readonly permittedWickrEnterpriseNetworks?: PermittedWickrEnterpriseNetwork[];
  /** @default - the service's default */
  readonly presenceEnabled?: boolean;
  /** Canned replies. @default - the service's default */
  readonly quickResponses?: string[];
  /** SSO networks only. @default - the service's default */
  readonly showMasterRecoveryKey?: boolean;
  /** @default - the service's default */
  readonly shredder?: ShredderSettings;
  /** SSO networks only. @default - the service's default */
  readonly ssoMaxIdleMinutes?: number;
}

/**
 * Checks the rules the Wickr documentation states in prose, at synth time, for the
 * values known then. A rule across two settings is checked when both are given.
 */
export function validateSecurityGroupSettings(scope: IConstruct, settings: SecurityGroupSettings | undefined): void {
  if (!settings) return;
  const s = settings;
  const at = (member: string) => `settings.${member}`;
  checkOneOf(scope, at('shredder.intensity'), s.shredder?.intensity, SHREDDER_INTENSITIES);
  checkOneOf(scope, at('maxAutoDownloadSize'), s.maxAutoDownloadSize, MAX_AUTO_DOWNLOAD_SIZES);
  checkRule(scope, at('maxAutoDownloadSize'), s.maxAutoDownloadSize, s.maxAutoDownloadSize === undefined || s.enableFileDownload !== false,
    'applies only with enableFileDownload: true');
  checkOneOf(scope, at('federationMode'), s.federationMode, [FederationMode.NONE, FederationMode.FEDERATED, FederationMode.RESTRICTED]);
  const restrictedOnly = 'applies only with federationMode: FederationMode.RESTRICTED';
  for (const member of ['permittedNetworks', 'permittedWickrAwsNetworks', 'permittedWickrEnterpriseNetworks'] as const) {
    const list = s[member];
    checkRule(scope, at(member), list, !list?.length || s.federationMode === undefined || s.federationMode === FederationMode.RESTRICTED, restrictedOnly);
  }
  for (const [i, id] of (s.permittedNetworks ?? []).entries()) {
    checkRule(scope, at(`permittedNetworks[${i}]`), id, /^[0-9]{8}$/.test(id), 'must be an 8-digit network id');
  }
  for (const [i, n] of [...(s.permittedWickrAwsNetworks ?? []), ...(s.permittedWickrEnterpriseNetworks ?? [])].entries()) {
    checkRule(scope, at(`permitted networks[${i}].networkId`), n.networkId, /^[0-9]{8}$/.test(n.networkId), 'must be an 8-digit network id');
  }
  checkRule(scope, at('enableGuestFederation'), s.enableGuestFederation, s.enableGuestFederation !== true || s.globalFederation !== false,
    'applies only with globalFederation: true');
  checkRule(scope, at('enableRestrictedGlobalFederation'), s.enableRestrictedGlobalFederation,
    s.enableRestrictedGlobalFederation !== true || s.globalFederation !== false, 'requires globalFederation: true');
  checkRule(scope, at('calling.canVideoCall'), s.calling?.canVideoCall, s.calling?.canVideoCall !== true || s.calling?.canStart11Call !== false,
    'applies only with calling.canStart11Call: true');
  checkRule(scope, at('locationAllowMaps'), s.locationAllowMaps, s.locationAllowMaps !== true || s.locationEnabled !== false,
    'applies only with locationEnabled: true');
  checkRule(scope, at('forceOpenAccess'), s.forceOpenAccess, s.forceOpenAccess !== true || s.enableOpenAccessOption !== false,
    'applies only with enableOpenAccessOption: true');
  if (s.forceDeviceLockout !== undefined && s.lockoutThreshold !== undefined) {
    checkRule(scope, at('forceDeviceLockout'), s.forceDeviceLockout, s.forceDeviceLockout < s.lockoutThreshold,
      `must be less than lockoutThreshold (${s.lockoutThreshold})`);
  }
  if (s.maxNonSsoSessionMinutes !== undefined && s.maxNonSsoSessionMinutes !== 0) {
    checkRange(scope, at('maxNonSsoSessionMinutes'), s.maxNonSsoSessionMinutes, MAX_NON_SSO_SESSION_MINUTES.min, MAX_NON_SSO_SESSION_MINUTES.max);
  }
  for (const member of ['lockoutThreshold', 'forceDeviceLockout', 'maxBor', 'maxTtl', 'ssoMaxIdleMinutes'] as const) {
    checkRange(scope, at(member), s[member], 0, Number.MAX_SAFE_INTEGER);
  }
  for (const [member, value] of Object.entries(s.passwordRequirements ?? {})) {
    checkRange(scope, at(`passwordRequirements.${member}`), value as number, 0, 1000);
  }
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
    checkLength(this, 'name', props.name, 1, SECURITY_GROUP_NAME_MAX);
    validateSecurityGroupSettings(this, props.settings);
    this.network = props.network;
    const resource = this.createResource({
      resourceType: SECURITY_GROUP_TYPE,
      properties: {
        [SecurityGroupKeys.NetworkId]: props.network.networkId,
        [SecurityGroupKeys.Name]: props.name,
        [SecurityGroupKeys.Settings]: props.settings,
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      grants: operationGrants('wickr', ['CreateSecurityGroup', 'UpdateSecurityGroup', 'DeleteSecurityGroup', 'GetSecurityGroup'], [anyNetworkArn(this)]),
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

export interface WickrDefaultSecurityGroupProps {
  /** The network whose default group this is. */
  readonly network: IWickrNetwork;
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
    checkLength(this, 'name', props.name, 1, SECURITY_GROUP_NAME_MAX);
    validateSecurityGroupSettings(this, props.settings);
    this.network = props.network;
    const resource = this.createResource({
      resourceType: DEFAULT_SECURITY_GROUP_TYPE,
      properties: {
        [SecurityGroupKeys.NetworkId]: props.network.networkId,
        [SecurityGroupKeys.Name]: props.name,
        [SecurityGroupKeys.Settings]: props.settings,
      },
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants('wickr', ['ListSecurityGroups', 'UpdateSecurityGroup', 'GetSecurityGroup'], [anyNetworkArn(this)]),
    });
    this.securityGroupId = resource.ref;
  }
}
