import { createServiceClients } from './core/clients';
import { createDispatcher, HandlerTable } from './core/dispatcher';
import { appInstanceHandler } from './chime/app-instance';
import { networkHandler } from './wickr/network';
import { networkSettingsHandler } from './wickr/network-settings';
import { defaultSecurityGroupHandler, securityGroupHandler } from './wickr/security-group';

/** Every resource type this provider serves. */
export const HANDLERS: HandlerTable = Object.fromEntries(
  [networkHandler, networkSettingsHandler, securityGroupHandler, defaultSecurityGroupHandler, appInstanceHandler].map((h) => [h.resourceType, h]),
);

export const handler = createDispatcher(HANDLERS, { clients: (stopped, log) => createServiceClients(log, stopped) });
