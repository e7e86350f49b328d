import { isMutating } from '../../lambda/core/calls';
import { RequestRefusedError } from '../../lambda/core/errors';
import type { ServiceClients } from '../../lambda/core/clients';
import type { StackReader } from '../../lambda/core/cloudformation';
import { ListUsersCommand, WickrClient } from '../../lambda/wickr/client';

/**
 * The clients of a plan's dry run: the handlers' own code runs with them, so that a plan
 * does what the deploy will do up to the first change, and no further. Reads go to the live
 * services (with the caller's credentials); a call that would change something is recorded
 * and never sent, and answered as the service answers a success, so the handler goes on to
 * its next call as it will in the deploy. Most answers of a change are empty or unused; the
 * few a handler reads are made here from the call and the live state (`synthesize`).
 */

/** A create that the plan does not run: the resource is new (its calls are counted on the model, `fresh.ts`). */
export class NewResource extends Error {}

/**
 * Calls whose answer is the id of the resource they make, which the handler goes on with: a
 * plan cannot make one up, so meeting one (an update that replaces by creating) stops the
 * request as a new resource, as a create is stopped.
 */
const MAKES_THE_RESOURCE = /^(CreateNetwork|CreateSecurityGroup|CreateBot|CreateAppInstance|CreateAppInstanceUser|CreateAppInstanceBot|RegisterAppInstanceUserEndpoint)$/;

/** A change the deploy will make: one call, never sent by the plan. */
export interface PlannedCall {
  readonly service: string;
  readonly operation: string;
}

/** Calls a dry run recorded, in order. */
export class CallRecorder {
  readonly calls: PlannedCall[] = [];
  private readonly usernames = new Map<string, Promise<Set<string>>>();

  record(call: PlannedCall): void {
    this.calls.push(call);
  }

  /** The usernames of a network's live users (lower case), listed once per plan: a `BatchCreateUser` fails for those. */
  liveUsernames(wickr: WickrClient, networkId: string): Promise<Set<string>> {
    let listed = this.usernames.get(networkId);
    if (!listed) {
      listed = (async () => {
        const names = new Set<string>();
        let nextToken: string | undefined;
        do {
          const page = await wickr.send(new ListUsersCommand({ networkId, maxResults: 100, nextToken }));
          for (const u of page.users ?? []) if (u.username) names.add(u.username.toLowerCase());
          nextToken = page.nextToken;
        } while (nextToken);
        return names;
      })();
      this.usernames.set(networkId, listed);
    }
    return listed;
  }
}

type Sendable = { send(command: unknown, ...rest: unknown[]): Promise<unknown> };

/** The operation a command names: the Wickr client's `operation`, or the SDK command's class name. */
function operationOf(command: unknown): string {
  const c = command as { operation?: string; constructor?: { name?: string } };
  return c.operation ?? (c.constructor?.name ?? 'Unknown').replace(/Command$/, '');
}

/** Operations a dry run refuses as the deploy's clients would (`OperationContext.restricted`), and why. */
export interface Refusal {
  readonly refuse: RegExp;
  readonly why: string;
}

/** `client` whose `send` records changes instead of sending them (see the module comment). */
function recording<C extends object>(client: C, service: string, recorder: CallRecorder, refusal: Refusal | undefined, answer: (operation: string, input: Record<string, any>) => Promise<unknown>): C {
  const send = (client as unknown as Sendable).send.bind(client);
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return async (command: unknown, ...rest: unknown[]) => {
        const operation = operationOf(command);
        if (refusal?.refuse.test(operation)) throw new RequestRefusedError(`not calling ${service} ${operation}: ${refusal.why}`);
        if (!isMutating(operation)) return send(command, ...rest);
        if (MAKES_THE_RESOURCE.test(operation)) throw new NewResource(`${service} ${operation}`);
        recorder.record({ service, operation });
        return answer(operation, ((command as { input?: Record<string, any> }).input ?? {}) as Record<string, any>);
      };
    },
  });
}

/**
 * `live`, with each read answered once per plan: the requests' own code and the comparisons
 * after them (`resource.ts`) read the same things (a network's users page by page, its groups
 * once per group), and nothing changes in between (the plan changes nothing), so the plan sees
 * one state of the services throughout.
 */
export function readOnce(live: ServiceClients): ServiceClients {
  const memo = new Map<string, Promise<unknown>>();
  const wrap = <C extends object>(client: C, service: string): C => {
    const send = (client as unknown as Sendable).send.bind(client);
    return new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: unknown, ...rest: unknown[]) => {
          const operation = operationOf(command);
          if (isMutating(operation)) return send(command, ...rest);
          const key = `${service} ${operation} ${JSON.stringify((command as { input?: unknown }).input ?? {})}`;
          let answer = memo.get(key);
          if (!answer) {
            answer = send(command, ...rest);
            memo.set(key, answer);
            answer.catch(() => memo.delete(key));
          }
          return answer;
        };
      },
    });
  };
  const wickr = wrap(live.wickr(), 'Wickr');
  const chime = wrap(live.chime(), 'Chime SDK Identity');
  return { ...live, wickr: () => wickr, chime: () => chime };
}

/**
 * `live`'s clients, changes recorded; the CloudFormation reads answered by `stackView` (the
 * stack as the deploy will see it).
 */
export function dryRunClients(live: ServiceClients, recorder: CallRecorder, stackView: StackReader, refusal?: Refusal): ServiceClients {
  const wickrAnswer = (operation: string, input: Record<string, any>) => synthesize(operation, input, recorder, live.wickr());
  const empty = async () => ({});
  return {
    wickr: () => recording(live.wickr(), 'Wickr', recorder, refusal, wickrAnswer),
    chime: () => recording(live.chime(), 'Chime SDK Identity', recorder, refusal, empty),
    secrets: () => recording(live.secrets(), 'Secrets Manager', recorder, refusal, empty),
    s3: () => live.s3(),
    cloudformation: () => stackView,
  };
}

/**
 * The answer of a change the plan does not send, where the handler reads it: a user batch
 * answers each user as the service would (a username the network has fails, as it will);
 * a data retention bot challenge is a placeholder (stored, never shown). Every other change
 * answers empty.
 */
async function synthesize(operation: string, input: Record<string, any>, recorder: CallRecorder, wickr: WickrClient): Promise<unknown> {
  switch (operation) {
    case 'BatchCreateUser': {
      const taken = await recorder.liveUsernames(wickr, input.networkId as string);
      const users = (input.users ?? []) as Array<{ username: string; firstName?: string; lastName?: string; securityGroupIds?: string[] }>;
      const planned = (u: { username: string }, i: number) => ({ ...u, userId: `planned-${recorder.calls.length}-${i}`, suspended: false });
      return {
        successful: users.filter((u) => !taken.has(u.username.toLowerCase())).map(planned),
        failed: users.filter((u) => taken.has(u.username.toLowerCase())).map((u) => ({ userId: u.username, field: 'username', reason: 'username already exists' })),
      };
    }
    case 'BatchDeleteUser':
    case 'BatchToggleUserSuspendStatus':
      return { successful: ((input.userIds ?? []) as string[]).map((userId) => ({ userId })), failed: [] };
    case 'CreateDataRetentionBotChallenge':
      return { challenge: 'planned-challenge' };
    default:
      return {};
  }
}
