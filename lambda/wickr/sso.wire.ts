/** Wire contracts of `WickrOidcConfig` and `WickrOpenTdfConfig`. */
export const OIDC_CONFIG_TYPE = 'Custom::WickrOidcConfig';
export const OPENTDF_CONFIG_TYPE = 'Custom::WickrOpenTdfConfig';

export const OidcKeys = {
  NetworkId: 'NetworkId',
  Issuer: 'Issuer',
  CompanyId: 'CompanyId',
  Scopes: 'Scopes',
  /** `{SecretArn, JsonField?}` of the IdP client secret. */
  ClientSecret: 'ClientSecret',
  /** Changing it sends the secret's current value again (rotation). */
  ClientSecretVersion: 'ClientSecretVersion',
  CustomUsername: 'CustomUsername',
  ExtraAuthParams: 'ExtraAuthParams',
  SsoTokenBufferMinutes: 'SsoTokenBufferMinutes',
  UserId: 'UserId',
} as const;

export const OpenTdfKeys = {
  NetworkId: 'NetworkId',
  ClientId: 'ClientId',
  ClientSecret: 'ClientSecret',
  ClientSecretVersion: 'ClientSecretVersion',
  Domain: 'Domain',
  Provider: 'Provider',
} as const;

export const OPENTDF_PROVIDERS = ['virtru'] as const;

/** An OpenTDF platform's domain: a hostname (dot-separated labels, the last not all digits), no scheme, port or path. */
export const OPENTDF_DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
