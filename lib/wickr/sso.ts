import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ProviderBackedResource } from '../core/base';
import { secretReference } from '../core/secrets';
import { checkLength, checkPattern, checkRange, checkRule, wholeUnits, checkOneOf } from '../core/validate';
import { OIDC_CONFIG_TYPE, OidcKeys, OPENTDF_CONFIG_TYPE, OpenTdfKeys, OPENTDF_DOMAIN_PATTERN, OPENTDF_PROVIDERS } from '../../lambda/wickr/sso.wire';
import { anyNetworkArn } from './arns';
import { registerOidc } from './network-parts';
import type { IWickrNetwork } from './network';
import { operationGrants } from '../core/iam';
import { checkProps, A_DURATION, A_NETWORK, A_SECRET, A_STRING } from '../core/props';

export interface WickrOidcConfigProps {
  /** The network that signs in through the identity provider. */
  readonly network: IWickrNetwork;
  /** The identity provider's issuer URL (https). */
  readonly issuer: string;
  /** The company id members enter when they sign in. */
  readonly companyId: string;
  /** The scopes to ask for, separated by spaces; must include `openid`. */
  readonly scopes: string;
  /**
   * The secret holding the client secret of the Wickr application at the identity provider.
   * @default - no client secret (public client)
   */
  readonly clientSecret?: secretsmanager.ISecret;
  /**
   * A field of the secret's JSON value that holds the client secret.
   * @default - the whole secret string
   */
  readonly clientSecretField?: string;
  /**
   * Change it to send the secret's current value again after rotating it.
   * @default - none
   */
  readonly clientSecretVersion?: string;
  /**
   * The claim used as the Wickr username.
   * @default - the service's default
   */
  readonly customUsername?: string;
  /**
   * Extra parameters for the authorization request.
   * @default - none
   */
  readonly extraAuthParams?: string;
  /**
   * How long before the token expires clients refresh it: 0 to 1440 whole minutes (the
   * API's `ssoTokenBufferMinutes`).
   * @default - the service's default
   */
  readonly ssoTokenBuffer?: Duration;
  /**
   * The API's `userId` member, passed as given.
   * @default - none
   */
  readonly userId?: string;
}

/**
 * SSO for a Wickr network through an OpenID Connect identity provider. Each deploy first
 * tests the issuer with `RegisterOidcConfigTest` and fails with the provider's complaint
 * if the test fails; only then does it save the configuration.
 *
 * The Wickr API has no call to remove an OIDC configuration: removing this construct
 * leaves the configuration in the network. The redirect URL to allow at the identity
 * provider is shown in the Wickr admin console (and by `GetOidcInfo`); it is not a
 * CloudFormation attribute because the template must not depend on what a create
 * answered.
 */
export class WickrOidcConfig extends ProviderBackedResource {
  constructor(scope: Construct, id: string, props: WickrOidcConfigProps) {
    super(scope, id);
    checkProps(this, props, { network: A_NETWORK, issuer: A_STRING, companyId: A_STRING, scopes: A_STRING }, {
      clientSecret: A_SECRET, clientSecretField: A_STRING, clientSecretVersion: A_STRING, customUsername: A_STRING, extraAuthParams: A_STRING, ssoTokenBuffer: A_DURATION, userId: A_STRING,
    });
    checkPattern(this, 'issuer', props.issuer, /^https:\/\/[^\s/]+(\/\S*)?$/, 'an https URL');
    checkLength(this, 'companyId', props.companyId, 1, 256);
    checkRule(this, 'scopes', props.scopes, props.scopes.split(/\s+/).includes('openid'), 'must include the "openid" scope');
    const tokenBufferMinutes = wholeUnits(this, 'ssoTokenBuffer', props.ssoTokenBuffer, 'minutes');
    checkRange(this, 'ssoTokenBuffer', tokenBufferMinutes, 0, 1440, 'minutes');
    registerOidc(this, props.network);
    this._createResource({
      resourceType: OIDC_CONFIG_TYPE,
      properties: {
        [OidcKeys.NetworkId]: props.network.networkId,
        [OidcKeys.Issuer]: props.issuer,
        [OidcKeys.CompanyId]: props.companyId,
        [OidcKeys.Scopes]: props.scopes,
        [OidcKeys.ClientSecret]: props.clientSecret ? secretReference(this, 'clientSecret', props.clientSecret, props.clientSecretField) : undefined,
        [OidcKeys.ClientSecretVersion]: props.clientSecretVersion,
        [OidcKeys.CustomUsername]: props.customUsername,
        [OidcKeys.ExtraAuthParams]: props.extraAuthParams,
        [OidcKeys.SsoTokenBufferMinutes]: tokenBufferMinutes,
        [OidcKeys.UserId]: props.userId,
      },
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants('wickr', ['RegisterOidcConfigTest', 'RegisterOidcConfig', 'GetOidcInfo'], [anyNetworkArn(this)]),
    });
  }
}

/** OpenTDF platform providers Wickr supports. */
export enum OpenTdfProvider {
  VIRTRU = 'virtru',
}

export interface WickrOpenTdfConfigProps {
  /** The network. */
  readonly network: IWickrNetwork;
  /** The client id at the OpenTDF platform. */
  readonly clientId: string;
  /** The secret holding the client secret. */
  readonly clientSecret: secretsmanager.ISecret;
  /**
   * A field of the secret's JSON value that holds the client secret.
   * @default - the whole secret string
   */
  readonly clientSecretField?: string;
  /**
   * Change it to send the secret's current value again after rotating it.
   * @default - none
   */
  readonly clientSecretVersion?: string;
  /** The platform's domain. */
  readonly domain: string;
  /**
   * The platform provider.
   * @default OpenTdfProvider.VIRTRU
   */
  readonly provider?: OpenTdfProvider;
}

/**
 * Trusted Data Format encryption through an OpenTDF platform. Each deploy registers with
 * `dryRun` first, so a platform the service cannot reach fails the deploy before anything
 * is saved. The API cannot remove the configuration: removing the construct leaves it.
 */
export class WickrOpenTdfConfig extends ProviderBackedResource {
  constructor(scope: Construct, id: string, props: WickrOpenTdfConfigProps) {
    super(scope, id);
    checkProps(this, props, { network: A_NETWORK, clientId: A_STRING, clientSecret: A_SECRET, domain: A_STRING }, { clientSecretField: A_STRING, clientSecretVersion: A_STRING });
    checkLength(this, 'clientId', props.clientId, 1, 256);
    checkPattern(this, 'domain', props.domain, OPENTDF_DOMAIN_PATTERN, 'a hostname without scheme, port or path (tenant.virtru.com)');
    checkOneOf(this, 'provider', props.provider, OPENTDF_PROVIDERS, { name: 'OpenTdfProvider', members: OpenTdfProvider });
    this._createResource({
      resourceType: OPENTDF_CONFIG_TYPE,
      properties: {
        [OpenTdfKeys.NetworkId]: props.network.networkId,
        [OpenTdfKeys.ClientId]: props.clientId,
        [OpenTdfKeys.ClientSecret]: secretReference(this, 'clientSecret', props.clientSecret, props.clientSecretField),
        [OpenTdfKeys.ClientSecretVersion]: props.clientSecretVersion,
        [OpenTdfKeys.Domain]: props.domain,
        [OpenTdfKeys.Provider]: props.provider ?? OpenTdfProvider.VIRTRU,
      },
      removalPolicy: RemovalPolicy.DESTROY,
      grants: operationGrants('wickr', ['RegisterOpentdfConfig', 'GetOpentdfConfig'], [anyNetworkArn(this)]),
    });
  }
}
