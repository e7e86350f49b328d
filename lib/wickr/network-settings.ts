import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { checkLength, checkOneOf } from '../core/validate';
import { reportViolation } from '../core/errors';
import { CONSENT_POPUP_LIMITS, NETWORK_SETTINGS_TYPE, NetworkSettingsKeys } from '../../lambda/wickr/network-settings.wire';
import { anyNetworkArn } from './arns';
import type { IWickrNetwork } from './network';
import { operationGrants } from '../core/iam';
import { checkProps, A_BOOLEAN, A_NETWORK, aStructure } from '../core/props';

const A_SETTINGS = aStructure('the network settings (NetworkSettings)');

/** Whether members send read receipts. */
export enum ReadReceiptStatus {
  DISABLED = 'DISABLED',
  /** Members choose. */
  ENABLED = 'ENABLED',
  /** Always on. */
  FORCE_ENABLED = 'FORCE_ENABLED',
}

/** A consent popup shown to members when they sign in. */
export interface ConsentPopup {
  /** Show it. */
  readonly enabled: boolean;
  /** Title, up to 100 characters. @default - none */
  readonly header?: string;
  /** Text in Markdown, up to 5000 characters. @default - none */
  readonly content?: string;
  /** Label of the close button, up to 20 characters. @default - the client's default */
  readonly closeButtonLabel?: string;
}

/** Read receipts of a network. */
export interface ReadReceiptConfig {
  /**
   * Whether members send read receipts.
   * @default - the service's default
   */
  readonly status?: ReadReceiptStatus;
}

/** Network-wide settings (`NetworkSettings`); names are the Wickr API's. */
export interface NetworkSettings {
  /** Clients send usage metrics. @default - the service's default */
  readonly enableClientMetrics?: boolean;
  /**
   * Not settable here: the data retention service belongs to the network's
   * `WickrDataRetentionBot` (its `enabled` prop), which creates the bot the service needs
   * first. A value fails synth, naming that fix.
   * @default - the network's `WickrDataRetentionBot` decides
   * @deprecated use `WickrDataRetentionBot`'s `enabled`
   */
  readonly dataRetention?: boolean;
  /** Read receipts. @default - the service's default */
  readonly readReceiptConfig?: ReadReceiptConfig;
  /** @default - the service's default */
  readonly consentPopup?: ConsentPopup;
  /** Trusted Data Format (TDF) messages. @default - the service's default */
  readonly enableTrustedDataFormat?: boolean;
}

/**
 * Checks the consent popup's lengths at synth time.
 * @internal
 */
export function validateNetworkSettings(scope: IConstruct, settings: NetworkSettings | undefined): void {
  checkProps(scope, settings, {}, {
    consentPopup: aStructure('the consent popup (ConsentPopup)'), readReceiptConfig: aStructure('the read receipts (ReadReceiptConfig)'),
    enableClientMetrics: A_BOOLEAN, dataRetention: A_BOOLEAN, enableTrustedDataFormat: A_BOOLEAN,
  }, 'settings.');
  if (settings?.dataRetention !== undefined) {
    reportViolation(scope, 'settings.dataRetention', settings.dataRetention,
      'the data retention service is switched by the network\'s WickrDataRetentionBot, which creates the bot the service needs first (one switch, one owner): ' +
      `remove settings.dataRetention and give a WickrDataRetentionBot of the network enabled: ${settings.dataRetention}`);
  }
  checkOneOf(scope, 'settings.readReceiptConfig.status', settings?.readReceiptConfig?.status, Object.values(ReadReceiptStatus), { name: 'ReadReceiptStatus', members: ReadReceiptStatus });
  const popup = settings?.consentPopup;
  if (!popup) return;
  checkLength(scope, 'settings.consentPopup.header', popup.header, 0, CONSENT_POPUP_LIMITS.header);
  checkLength(scope, 'settings.consentPopup.content', popup.content, 0, CONSENT_POPUP_LIMITS.content);
  checkLength(scope, 'settings.consentPopup.closeButtonLabel', popup.closeButtonLabel, 0, CONSENT_POPUP_LIMITS.closeButtonLabel);
}

export interface WickrNetworkSettingsProps {
  /** The network (created here, imported, or adopted with `WickrNetwork.fromCfnNetwork`). */
  readonly network: IWickrNetwork;
  /** The settings to apply. Changed in place; only what changed is sent. */
  readonly settings: NetworkSettings;
}

/**
 * Settings of a Wickr network, applied with `UpdateNetworkSettings`. `WickrNetwork`'s
 * `settings` prop makes one; use this construct directly for a network created
 * elsewhere. Removing it leaves the settings as they are (there is no "unset"). A setting
 * removed from the props keeps its current value too.
 */
export class WickrNetworkSettings extends ProviderBackedResource {
  constructor(scope: Construct, id: string, props: WickrNetworkSettingsProps) {
    super(scope, id);
    checkProps(this, props, { network: A_NETWORK, settings: A_SETTINGS });
    validateNetworkSettings(this, props.settings);
    this._createResource({
      resourceType: NETWORK_SETTINGS_TYPE,
      properties: { [NetworkSettingsKeys.NetworkId]: props.network.networkId, [NetworkSettingsKeys.Settings]: props.settings },
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants('wickr', ['UpdateNetworkSettings', 'GetNetworkSettings'], [anyNetworkArn(this)]),
    });
  }
}
