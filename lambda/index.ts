import { createServiceClients } from './core/clients';
import { createDispatcher, HandlerTable } from './core/dispatcher';
import { appInstanceAdminHandler } from './chime/admin';
import { appInstanceHandler } from './chime/app-instance';
import { appInstanceBotHandler } from './chime/bot';
import { userEndpointHandler } from './chime/endpoint';
import { retentionHandler } from './chime/retention';
import { appInstanceUserHandler } from './chime/user';
import { botHandler } from './wickr/bot';
import { dataRetentionBotHandler } from './wickr/data-retention-bot';
import { networkHandler } from './wickr/network';
import { networkSettingsHandler } from './wickr/network-settings';
import { defaultSecurityGroupHandler, securityGroupHandler } from './wickr/security-group';
import { oidcConfigHandler, openTdfConfigHandler } from './wickr/sso';
import { usersHandler } from './wickr/users';

/** Every resource type this provider serves. */
export const HANDLERS: HandlerTable = Object.fromEntries(
  [
    networkHandler,
    networkSettingsHandler,
    securityGroupHandler,
    defaultSecurityGroupHandler,
    botHandler,
    dataRetentionBotHandler,
    oidcConfigHandler,
    openTdfConfigHandler,
    usersHandler,
    appInstanceHandler,
    appInstanceUserHandler,
    appInstanceAdminHandler,
    appInstanceBotHandler,
    userEndpointHandler,
    retentionHandler,
  ].map((h) => [h.resourceType, h]),
);

export const handler = createDispatcher(HANDLERS, { clients: createServiceClients });
