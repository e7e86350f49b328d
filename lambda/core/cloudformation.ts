import { CallObserver } from './observer';
import { credentialProvider, sendSigned } from './signed-http';

/**
 * The two CloudFormation reads the scheduled drift sweep makes about its own stack
 * (`GetTemplate`, `DescribeStackResources`), over the query protocol with a SigV4-signed
 * POST, so the handler bundle does not carry the CloudFormation client. Honours
 * `AWS_ENDPOINT_URL_CLOUDFORMATION` like the AWS SDKs do.
 */
export interface StackResourceSummary {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status?: string;
}

export class CloudFormationReader {
  private readonly credentials = credentialProvider();

  constructor(private readonly config: { readonly region: string; readonly observer?: CallObserver }) {}

  async template(stackName: string): Promise<unknown> {
    const xml = await this.call('GetTemplate', { StackName: stackName, TemplateStage: 'Original' });
    const body = /<TemplateBody>([\s\S]*?)<\/TemplateBody>/.exec(xml)?.[1];
    if (body === undefined) throw new Error(`GetTemplate of ${stackName} answered no template`);
    return JSON.parse(unescapeXml(body));
  }

  async resources(stackName: string): Promise<StackResourceSummary[]> {
    const xml = await this.call('DescribeStackResources', { StackName: stackName });
    return [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)].map(([, member]) => ({
      logicalId: field(member, 'LogicalResourceId') ?? '',
      type: field(member, 'ResourceType') ?? '',
      physicalId: field(member, 'PhysicalResourceId'),
      status: field(member, 'ResourceStatus'),
    }));
  }

  private async call(action: string, params: Record<string, string>): Promise<string> {
    const endpoint = process.env.AWS_ENDPOINT_URL_CLOUDFORMATION ?? process.env.AWS_ENDPOINT_URL ?? `https://cloudformation.${this.config.region}.amazonaws.com`;
    const body = new URLSearchParams({ Action: action, Version: '2010-05-15', ...params }).toString();
    const observer = this.config.observer;
    observer?.before?.({ service: 'CloudFormation', operation: action });
    const started = Date.now();
    let status: number | undefined;
    try {
      const res = await sendSigned(
        { method: 'POST', url: new URL(`${endpoint.replace(/\/$/, '')}/`), body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, service: 'cloudformation', region: this.config.region },
        this.credentials,
        30_000,
      );
      status = res.status;
      const text = res.body.toString('utf8');
      if (res.status !== 200) {
        throw Object.assign(new Error(unescapeXml(/<Message>([\s\S]*?)<\/Message>/.exec(text)?.[1] ?? `HTTP ${res.status}`)), {
          name: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'Error',
          $service: 'CloudFormation',
          $metadata: { httpStatusCode: res.status },
        });
      }
      observer?.after?.({ service: 'CloudFormation', operation: action, status, durationMs: Date.now() - started });
      return text;
    } catch (error) {
      if (status === undefined || status !== 200) observer?.after?.({ service: 'CloudFormation', operation: action, status, durationMs: Date.now() - started, error });
      throw error;
    }
  }
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
