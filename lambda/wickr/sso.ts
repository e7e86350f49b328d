import { isNotFound } from '../core/errors';
import { deepEqual, LiveState, OperationContext, OperationResult, ResourceHandler } from '../core/resource';
import { Existing } from '../core/takeover';
import { networkParent } from './network';
import { int, oneOf, optional, str, struct } from '../core/schema';
import { readSecret, SecretRef, secretRef } from '../core/secrets';
import { GetOidcInfoCommand, GetOpentdfConfigCommand, RegisterOidcConfigCommand, RegisterOidcConfigTestCommand, RegisterOpentdfConfigCommand } from './client';
import { OIDC_CONFIG_TYPE, OPENTDF_CONFIG_TYPE, OPENTDF_PROVIDERS } from './sso.wire';

const NETWORK_ID = str({ pattern: /^[0-9]{8}$/, patternText: 'an 8-digit network id' });

/*
 * Both configurations are one per network and are replaced by registering again, so
 * create and update are the same call, which is safe to repeat. The API has no call to
 * remove either: deleting the resource leaves the configuration in place (the README and
 * the constructs say so). Nothing the service answers is returned or logged: its answers
 * can carry the secrets.
 */

export interface OidcProps {
  readonly NetworkId: string;
  readonly Issuer: string;
  readonly CompanyId: string;
  readonly Scopes: string;
  readonly ClientSecret?: SecretRef;
  readonly ClientSecretVersion?: string;
  readonly CustomUsername?: string;
  readonly ExtraAuthParams?: string;
  readonly SsoTokenBufferMinutes?: number;
  readonly UserId?: string;
}

const oidcSchema = struct<OidcProps>({
  NetworkId: NETWORK_ID,
  Issuer: str({ pattern: /^https:\/\/\S+$/, patternText: 'an https URL' }),
  CompanyId: str({ minLength: 1 }),
  Scopes: str({ minLength: 1 }),
  ClientSecret: optional(secretRef()),
  ClientSecretVersion: optional(str()),
  CustomUsername: optional(str({ minLength: 1 })),
  ExtraAuthParams: optional(str({ minLength: 1 })),
  SsoTokenBufferMinutes: optional(int({ min: 0 })),
  UserId: optional(str({ minLength: 1 })),
});

/** Tests the issuer with `RegisterOidcConfigTest` (which saves nothing), then registers. */
async function registerOidc(ctx: OperationContext, props: OidcProps): Promise<OperationResult> {
  const wickr = ctx.clients.wickr();
  await wickr.send(new RegisterOidcConfigTestCommand({ networkId: props.NetworkId, issuer: props.Issuer, scopes: props.Scopes, extraAuthParams: props.ExtraAuthParams }));
  await wickr.send(
    new RegisterOidcConfigCommand({
      networkId: props.NetworkId,
      issuer: props.Issuer,
      companyId: props.CompanyId,
      scopes: props.Scopes,
      secret: props.ClientSecret ? await readSecret(ctx, props.ClientSecret) : undefined,
      customUsername: props.CustomUsername,
      extraAuthParams: props.ExtraAuthParams,
      ssoTokenBufferMinutes: props.SsoTokenBufferMinutes,
      userId: props.UserId,
    }),
  );
  return { physicalResourceId: `${props.NetworkId}/oidc` };
}

async function readOidc(ctx: OperationContext, _id: string, props: OidcProps): Promise<LiveState> {
  const { openidConnectInfo: info } = await ctx.clients.wickr().send(new GetOidcInfoCommand({ networkId: props.NetworkId }));
  return {
    exists: true,
    properties: {
      NetworkId: props.NetworkId,
      Issuer: info?.issuer,
      CompanyId: info?.companyId,
      Scopes: info?.scopes,
      CustomUsername: info?.customUsername,
      ExtraAuthParams: info?.extraAuthParams,
      SsoTokenBufferMinutes: info?.ssoTokenBufferMinutes,
      UserId: info?.userId,
    },
  };
}

/** The configuration a create would take over: the network's, when one is registered. */
async function registered(ctx: OperationContext, networkId: string, kind: 'oidc' | 'opentdf', look: () => Promise<unknown>): Promise<Existing[]> {
  try {
    if (!(await look())) return [];
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const what = kind === 'oidc' ? 'OIDC' : 'OpenTDF';
  return [{ physicalId: `${networkId}/${kind}`, what: `the ${what} configuration of Wickr network ${networkId}`, parent: networkParent(ctx, networkId) }];
}

export const oidcConfigHandler: ResourceHandler<OidcProps> = {
  resourceType: OIDC_CONFIG_TYPE,
  schema: oidcSchema,
  create: registerOidc,
  update: (ctx, id, props, old) => (deepEqual(props, old) ? Promise.resolve({ physicalResourceId: id }) : registerOidc(ctx, props)),
  async delete(ctx) {
    ctx.log.log('info', 'the Wickr API cannot remove an OIDC configuration; it stays as it is');
  },
  read: readOidc,
  existing: (ctx, props) =>
    registered(ctx, props.NetworkId, 'oidc', async () => (await ctx.clients.wickr().send(new GetOidcInfoCommand({ networkId: props.NetworkId }))).openidConnectInfo?.issuer),
};

export interface OpenTdfProps {
  readonly NetworkId: string;
  readonly ClientId: string;
  readonly ClientSecret: SecretRef;
  readonly ClientSecretVersion?: string;
  readonly Domain: string;
  readonly Provider: (typeof OPENTDF_PROVIDERS)[number];
}

const tdfSchema = struct<OpenTdfProps>({
  NetworkId: NETWORK_ID,
  ClientId: str({ minLength: 1 }),
  ClientSecret: secretRef(),
  ClientSecretVersion: optional(str()),
  Domain: str({ minLength: 1 }),
  Provider: oneOf(...OPENTDF_PROVIDERS),
});

/** Registers with `dryRun` first (the service checks the platform), then for real. */
async function registerTdf(ctx: OperationContext, props: OpenTdfProps): Promise<OperationResult> {
  const wickr = ctx.clients.wickr();
  const input = {
    networkId: props.NetworkId,
    clientId: props.ClientId,
    clientSecret: await readSecret(ctx, props.ClientSecret),
    domain: props.Domain,
    provider: props.Provider,
  };
  await wickr.send(new RegisterOpentdfConfigCommand({ ...input, dryRun: true }));
  await wickr.send(new RegisterOpentdfConfigCommand(input));
  return { physicalResourceId: `${props.NetworkId}/opentdf` };
}

async function readTdf(ctx: OperationContext, _id: string, props: OpenTdfProps): Promise<LiveState> {
  const out = await ctx.clients.wickr().send(new GetOpentdfConfigCommand({ networkId: props.NetworkId }));
  return { exists: true, properties: { NetworkId: props.NetworkId, ClientId: out.clientId, Domain: out.domain, Provider: out.provider } };
}

export const openTdfConfigHandler: ResourceHandler<OpenTdfProps> = {
  resourceType: OPENTDF_CONFIG_TYPE,
  schema: tdfSchema,
  create: registerTdf,
  update: (ctx, id, props, old) => (deepEqual(props, old) ? Promise.resolve({ physicalResourceId: id }) : registerTdf(ctx, props)),
  async delete(ctx) {
    ctx.log.log('info', 'the Wickr API cannot remove an OpenTDF configuration; it stays as it is');
  },
  read: readTdf,
  existing: (ctx, props) =>
    registered(ctx, props.NetworkId, 'opentdf', async () => (await ctx.clients.wickr().send(new GetOpentdfConfigCommand({ networkId: props.NetworkId }))).clientId),
};
