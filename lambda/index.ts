import { createServiceClients } from './core/clients';
import { createDispatcher, HandlerTable } from './core/dispatcher';
import { appInstanceHandler } from './chime/app-instance';
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
  ].map((h) => [h.resourceType, h]),
);

export const handler = createDispatcher(HANDLERS, { clients: (stopped, log) => createServiceClients(log, stopped) });
