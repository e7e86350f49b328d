import facts from '../../models/iam-actions.json';
import { ProviderGrant } from './custom-resource';

/**
 * The provider's IAM, from the Service Authorization Reference (`models/iam-actions.json`):
 * a construct names the API operations its handler calls, and this gives the IAM action
 * that authorizes each (never the operation's name: Wickr's `UpdateNetwork` is authorized
 * by `wickr:UpdateNetworkDetails`), on the narrowest resources the action supports.
 */

export type IamService = 'wickr' | 'chime-sdk-identity';

/** A grant of the provider: actions on resources, under conditions. */
export interface ProviderGrantStatement {
  readonly actions: string[];
  readonly resources: string[];
  /** @default - none */
  readonly conditions?: { [key: string]: any };
}

interface OperationFacts {
  readonly actions: readonly string[];
  readonly resourceTypes: readonly string[];
}

const OPERATIONS = (facts as unknown as { readonly services: Readonly<Record<IamService, { readonly operations: Readonly<Record<string, OperationFacts>> }>> }).services;

/** The action that authorizes an operation (the first the reference lists; the others are for features the handler does not use in that call, such as tags on create). */
export function actionFor(service: IamService, operation: string): string {
  const found = Object.prototype.hasOwnProperty.call(OPERATIONS[service].operations, operation) ? OPERATIONS[service].operations[operation] : undefined;
  if (!found) throw new Error(`cdk-wickr-chime: no IAM facts for ${service} ${operation}`);
  return found.actions[0];
}

/**
 * Grants for `operations` on `resources`. Actions that support no resource type (Wickr
 * `ListNetworks`; Chime `CreateAppInstance`, `CreateAppInstanceUser`,
 * `CreateAppInstanceBot`) can only be granted on `*`: they get a statement of their own.
 */
export function operationGrants(service: IamService, operations: readonly string[], resources: string[]): ProviderGrant[] {
  const scoped = new Set<string>();
  const anywhere = new Set<string>();
  for (const operation of operations) {
    const target = OPERATIONS[service].operations[operation]?.resourceTypes.length === 0 ? anywhere : scoped;
    target.add(actionFor(service, operation));
  }
  const grants: ProviderGrant[] = [];
  if (scoped.size > 0) grants.push({ actions: [...scoped], resources });
  if (anywhere.size > 0) grants.push({ actions: [...anywhere], resources: ['*'] });
  return grants;
}
