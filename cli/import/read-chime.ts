import {
  DescribeAppInstanceUserEndpointCommand,
  paginateListAppInstanceAdmins,
  paginateListAppInstanceBots,
  paginateListAppInstanceUserEndpoints,
  paginateListAppInstanceUsers,
} from '@aws-sdk/client-chime-sdk-identity';
import { OperationContext, ResourceHandler } from '../../lambda/core/resource';
import { appInstanceHandler } from '../../lambda/chime/app-instance';
import { appInstanceBotHandler } from '../../lambda/chime/bot';
import { appInstanceUserHandler } from '../../lambda/chime/user';
import { compare } from '../../lambda/wickr/users-calls';
import { count, ImportError, parallel, readLive, ReadSession } from './session';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** A Chime SDK Identity app instance as `import` found it. */
export interface ImportedAppInstance {
  readonly arn: string;
  readonly name: string;
  readonly metadata: string;
  readonly retentionDays?: number;
  readonly tags: Tag[];
  /** By user id. */
  readonly users: ImportedChimeUser[];
  /** The member ARNs of the admins, sorted. */
  readonly admins: string[];
  /** By name, then ARN. */
  readonly bots: ImportedChimeBot[];
  /** By user, then endpoint id. */
  readonly endpoints: ImportedEndpoint[];
}

export interface ImportedChimeUser {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  readonly metadata: string;
  readonly expirationDays?: number;
  readonly tags: Tag[];
}

export interface ImportedChimeBot {
  readonly arn: string;
  readonly name: string;
  readonly metadata: string;
  /** The API's `Configuration.Lex`, member names unchanged. */
  readonly lex: Record<string, unknown>;
  readonly tags: Tag[];
}

/** A registered device. Its tokens are never kept here: only whether it has a VoIP token. */
export interface ImportedEndpoint {
  readonly userArn: string;
  readonly endpointId: string;
  readonly type: string;
  readonly resourceArn: string;
  readonly name: string;
  readonly allowMessages: string;
  readonly hasVoipToken: boolean;
}

async function live(handler: ResourceHandler<any>, ctx: OperationContext, id: string, props: Record<string, unknown>): Promise<Record<string, unknown>> {
  const found = await readLive(handler, ctx, id, props);
  if (!found) throw new ImportError(`${id} is gone`);
  return found;
}

const tagsOf = (value: unknown): Tag[] => [...((value as Tag[] | undefined) ?? [])].sort((a, b) => compare(a.Key, b.Key));

/**
 * Reads one app instance with the handlers' own reads (the instance with its retention and
 * tags, each user, each bot), and lists its users, admins, bots and each user's endpoints.
 * An endpoint's read needs its device token, which only the deploy's secret holds, so the
 * endpoints are described directly, and their tokens dropped at once.
 */
export async function readAppInstance(session: ReadSession, arn: string, progress: (line: string) => void): Promise<ImportedAppInstance> {
  const { ctx, step } = session;
  if (!/^arn:[a-z-]+:chime:[a-z0-9-]+:\d{12}:app-instance\/[A-Za-z0-9-]+$/.test(arn)) throw new ImportError(`--app-instance-arn takes an app instance ARN (arn:aws:chime:REGION:ACCOUNT:app-instance/ID), not ${JSON.stringify(arn)}`);
  const instance = await step(`app instance ${arn}`, () => readLive(appInstanceHandler, ctx, arn, {}));
  if (!instance) throw new ImportError(`there is no app instance ${arn} in this account and region`);
  const where = `app instance ${String(instance.Name ?? arn)}`;
  const chime = ctx.clients.chime();

  const userArns = await step(`the users of ${where}`, async () => {
    const out: string[] = [];
    for await (const page of paginateListAppInstanceUsers({ client: chime }, { AppInstanceArn: arn })) for (const u of page.AppInstanceUsers ?? []) if (u.AppInstanceUserArn) out.push(u.AppInstanceUserArn);
    return out;
  });
  const users = await parallel(userArns, async (userArn): Promise<ImportedChimeUser> => {
    const id = userArn.slice(userArn.lastIndexOf('/user/') + '/user/'.length);
    const p = await step(`user ${userArn}`, () => live(appInstanceUserHandler, ctx, userArn, { AppInstanceArn: arn, AppInstanceUserId: id }));
    return { arn: userArn, id, name: String(p.Name ?? ''), metadata: String(p.Metadata ?? ''), expirationDays: (p.ExpirationDays as number | undefined) ?? undefined, tags: tagsOf(p.Tags) };
  });
  progress(`${where}: users: ${count(users.length)} read`);

  const admins = await step(`the admins of ${where}`, async () => {
    const out: string[] = [];
    for await (const page of paginateListAppInstanceAdmins({ client: chime }, { AppInstanceArn: arn })) for (const a of page.AppInstanceAdmins ?? []) if (a.Admin?.Arn) out.push(a.Admin.Arn);
    return out.sort(compare);
  });
  progress(`${where}: admins: ${count(admins.length)} read`);

  const botArns = await step(`the bots of ${where}`, async () => {
    const out: string[] = [];
    for await (const page of paginateListAppInstanceBots({ client: chime }, { AppInstanceArn: arn })) for (const b of page.AppInstanceBots ?? []) if (b.AppInstanceBotArn) out.push(b.AppInstanceBotArn);
    return out;
  });
  const bots = await parallel(botArns, async (botArn): Promise<ImportedChimeBot> => {
    const p = await step(`bot ${botArn}`, () => live(appInstanceBotHandler, ctx, botArn, { AppInstanceArn: arn }));
    return { arn: botArn, name: String(p.Name ?? ''), metadata: String(p.Metadata ?? ''), lex: (p.Lex as Record<string, unknown> | undefined) ?? {}, tags: tagsOf(p.Tags) };
  });
  progress(`${where}: bots: ${count(bots.length)} read`);

  const endpoints = (
    await parallel(userArns, (userArn) =>
      step(`the endpoints of ${userArn}`, async () => {
        const out: ImportedEndpoint[] = [];
        for await (const page of paginateListAppInstanceUserEndpoints({ client: chime }, { AppInstanceUserArn: userArn })) {
          for (const s of page.AppInstanceUserEndpoints ?? []) {
            if (!s.EndpointId) continue;
            const { AppInstanceUserEndpoint: e } = await chime.send(new DescribeAppInstanceUserEndpointCommand({ AppInstanceUserArn: userArn, EndpointId: s.EndpointId }));
            // Only whether a VoIP token exists is kept: the tokens themselves are never written.
            out.push({
              userArn,
              endpointId: s.EndpointId,
              type: String(e?.Type ?? s.Type ?? ''),
              resourceArn: String(e?.ResourceArn ?? ''),
              name: String(e?.Name ?? ''),
              allowMessages: String(e?.AllowMessages ?? s.AllowMessages ?? 'ALL'),
              hasVoipToken: Boolean(e?.EndpointAttributes?.VoipDeviceToken),
            });
          }
        }
        return out;
      }),
    )
  ).flat();
  progress(`${where}: endpoints: ${count(endpoints.length)} read`);

  return {
    arn,
    name: String(instance.Name ?? ''),
    metadata: String(instance.Metadata ?? ''),
    retentionDays: (instance.RetentionDays as number | undefined) ?? undefined,
    tags: tagsOf(instance.Tags),
    users: users.sort((a, b) => compare(a.id, b.id)),
    admins,
    bots: bots.sort((a, b) => compare(a.name, b.name) || compare(a.arn, b.arn)),
    endpoints: endpoints.sort((a, b) => compare(a.userArn, b.userArn) || compare(a.endpointId, b.endpointId)),
  };
}
