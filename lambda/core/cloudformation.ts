import { CallObserver } from './observer';
import { sendRead } from './read-retry';
import { credentialProvider, Credentials, sendSigned } from './signed-http';

/**
 * The CloudFormation reads the provider makes, over the query protocol with a SigV4-signed
 * POST, so the handler bundle does not carry the CloudFormation client: its own stack
 * (`DescribeStacks`, `DescribeStackResources`, `GetTemplate`: who owns what, whether the stack
 * rolls back, what the drift sweep checks) and, by a physical id, the stack that claims a live
 * resource (`DescribeStackResources` with `PhysicalResourceId`). Honours
 * `AWS_ENDPOINT_URL_CLOUDFORMATION` like the AWS SDKs do.
 */
export interface StackResourceSummary {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status?: string;
  /** When the status was last set (ISO 8601). */
  readonly timestamp?: string;
  /** Why (a failure's reason). */
  readonly reason?: string;
}

/** The stack that claims a physical id, with its resources (what `DescribeStackResources` answers for it). */
export interface OwningStack {
  readonly stackId: string;
  readonly stackName: string;
  readonly resources: StackResourceSummary[];
}

/** The CloudFormation reads of the provider (see `CloudFormationReader`); tests give their own. */
export interface StackReader {
  /** The stack's status (`DescribeStacks`). */
  status(stackName: string): Promise<string>;
  /** The stack's resources (`DescribeStackResources`). */
  resources(stackName: string): Promise<StackResourceSummary[]>;
  /** The stack that has a resource with this physical id, or undefined when none has (`DescribeStackResources` by `PhysicalResourceId`). */
  owner(physicalId: string): Promise<OwningStack | undefined>;
  /** The stack's template as deployed (`GetTemplate`, stage Original). */
  template(stackName: string): Promise<unknown>;
  /** The stack's most recent events, newest first (`DescribeStackEvents`, its first page). */
  events(stackName: string): Promise<StackResourceSummary[]>;
  /** The exports of the account and region, by name (`ListExports`): what `Fn::ImportValue` gives. */
  exports?(): Promise<ReadonlyMap<string, string>>;
}

export class CloudFormationReader implements StackReader {
  private readonly credentials;

  constructor(private readonly config: { readonly region: string; readonly observer?: CallObserver; readonly endpoint?: string; readonly credentials?: Credentials }) {
    this.credentials = credentialProvider(config.credentials);
  }

  async status(stackName: string): Promise<string> {
    const xml = await this.call('DescribeStacks', { StackName: stackName });
    const status = field(xml, 'StackStatus');
    if (!status) throw new Error(`DescribeStacks of ${stackName} answered no status`);
    return status;
  }

  async owner(physicalId: string): Promise<OwningStack | undefined> {
    let xml: string;
    try {
      xml = await this.call('DescribeStackResources', { PhysicalResourceId: physicalId });
    } catch (err) {
      // "Stack for <id> does not exist": no stack has a resource with this physical id.
      if ((err as Error).name === 'ValidationError' && /does not exist/i.test((err as Error).message)) return undefined;
      throw err;
    }
    const members = memberBlocks(xml);
    if (members.length === 0) return undefined;
    return { stackId: field(members[0], 'StackId') ?? '', stackName: field(members[0], 'StackName') ?? '', resources: members.map(summary) };
  }

  async template(stackName: string): Promise<unknown> {
    const xml = await this.call('GetTemplate', { StackName: stackName, TemplateStage: 'Original' });
    const body = /<TemplateBody>([\s\S]*?)<\/TemplateBody>/.exec(xml)?.[1];
    if (body === undefined) throw new Error(`GetTemplate of ${stackName} answered no template`);
    return JSON.parse(unescapeXml(body));
  }

  async exports(): Promise<ReadonlyMap<string, string>> {
    const found = new Map<string, string>();
    let nextToken: string | undefined;
    do {
      const xml = await this.call('ListExports', nextToken ? { NextToken: nextToken } : {});
      for (const member of memberBlocks(xml)) {
        const name = field(member, 'Name');
        if (name !== undefined) found.set(name, field(member, 'Value') ?? '');
      }
      nextToken = field(xml, 'NextToken');
    } while (nextToken);
    return found;
  }

  async events(stackName: string): Promise<StackResourceSummary[]> {
    return memberBlocks(await this.call('DescribeStackEvents', { StackName: stackName })).map(summary);
  }

  async resources(stackName: string): Promise<StackResourceSummary[]> {
    return memberBlocks(await this.call('DescribeStackResources', { StackName: stackName })).map(summary);
  }

  private call(action: string, params: Record<string, string>): Promise<string> {
    const endpoint = this.config.endpoint ?? process.env.AWS_ENDPOINT_URL_CLOUDFORMATION ?? process.env.AWS_ENDPOINT_URL ?? `https://cloudformation.${this.config.region}.amazonaws.com`;
    const body = new URLSearchParams({ Action: action, Version: '2010-05-15', ...params }).toString();
    return sendRead({ service: 'CloudFormation', operation: action, observer: this.config.observer }, async (timeoutMs) => {
      const res = await sendSigned(
        { method: 'POST', url: new URL(`${endpoint.replace(/\/$/, '')}/`), body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, service: 'cloudformation', region: this.config.region },
        this.credentials,
        timeoutMs,
      );
      const text = res.body.toString('utf8');
      if (res.status !== 200) {
        throw Object.assign(new Error(unescapeXml(/<Message>([\s\S]*?)<\/Message>/.exec(text)?.[1] ?? `HTTP ${res.status}`)), {
          name: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'Error',
          $service: 'CloudFormation',
          $metadata: { httpStatusCode: res.status },
        });
      }
      return { status: res.status, value: text };
    });
  }
}

/** The `<member>` blocks of a list (a resource's member has no nested members). */
function memberBlocks(xml: string): string[] {
  return [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)].map(([, member]) => member);
}

function summary(member: string): StackResourceSummary {
  return {
    logicalId: field(member, 'LogicalResourceId') ?? '',
    type: field(member, 'ResourceType') ?? '',
    physicalId: field(member, 'PhysicalResourceId'),
    status: field(member, 'ResourceStatus'),
    timestamp: field(member, 'Timestamp'),
    reason: field(member, 'ResourceStatusReason'),
  };
}

function field(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1]) : undefined;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()];
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}
