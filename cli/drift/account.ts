import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { ClientOptions } from '../../lambda/core/clients';
import { StackResourceSummary } from '../../lambda/core/cloudformation';

/**
 * The drift command's view of an account, or of the emulator, which serves the same calls
 * to the same official clients: CloudFormation reads (`DescribeStacks`,
 * `ListStackResources`, `GetTemplate`), and the provider function invoked synchronously
 * with `Read` and `Repair` requests (`lambda:InvokeFunction`).
 */
export interface Account {
  readonly region: string;
  /** One page of stacks (every stack of the region without `stackName`); a stack that does not exist is a `ValidationError`. */
  describeStacks(stackName?: string, nextToken?: string): Promise<{ stacks: StackDescription[]; nextToken?: string }>;
  /** Every resource of a stack, page after page. */
  listResources(stackId: string): Promise<StackResourceSummary[]>;
  /** The template as deployed. */
  template(stackId: string): Promise<unknown>;
  /** Invokes a function synchronously: its answer, or an error with the function's own message. */
  invoke<T>(functionName: string, payload: unknown): Promise<T>;
  /** Where and as whom the services themselves are read: the same region, endpoint and credentials. */
  clientOptions(): Promise<ClientOptions>;
  close(): void;
}

export interface StackDescription {
  readonly stackName: string;
  readonly stackId: string;
  readonly status: string;
  /** Parameter values as deployed (`ResolvedValue` for SSM parameters). */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface AccountOptions {
  readonly region?: string;
  /** One endpoint for both services (the emulator). @default the SDK's (environment, profile), else the region's */
  readonly endpoint?: string;
  /** @default the SDK's default credential provider chain */
  readonly credentials?: AwsCredentialIdentity;
}

export function connectAccount(options: AccountOptions): Account {
  const config = { region: options.region, endpoint: options.endpoint, credentials: options.credentials, maxAttempts: 5 };
  const cloudformation = new CloudFormationClient(config);
  const lambda = new LambdaClient(config);
  return {
    region: options.region ?? '',
    async describeStacks(stackName, nextToken) {
      const out = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName, NextToken: nextToken }));
      const stacks = (out.Stacks ?? []).map((s) => ({
        stackName: s.StackName ?? '',
        stackId: s.StackId ?? '',
        status: s.StackStatus ?? '',
        parameters: Object.fromEntries((s.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ResolvedValue ?? p.ParameterValue ?? ''])),
      }));
      return { stacks, nextToken: out.NextToken };
    },
    async listResources(stackId) {
      const out: StackResourceSummary[] = [];
      for await (const page of paginateListStackResources({ client: cloudformation }, { StackName: stackId })) {
        for (const r of page.StackResourceSummaries ?? []) {
          out.push({ logicalId: r.LogicalResourceId ?? '', type: r.ResourceType ?? '', physicalId: r.PhysicalResourceId, status: r.ResourceStatus });
        }
      }
      return out;
    },
    async template(stackId) {
      const body = (await cloudformation.send(new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Original' }))).TemplateBody;
      if (!body) throw new Error(`CloudFormation answered no template for ${stackId}`);
      return JSON.parse(body);
    },
    async invoke<T>(functionName: string, payload: unknown): Promise<T> {
      const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(payload)) }));
      const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
      if (out.FunctionError) {
        const body = parse(text) as { errorMessage?: string } | undefined;
        throw new Error(`the provider function ${functionName} failed: ${body?.errorMessage ?? text}`);
      }
      return parse(text) as T;
    },
    async clientOptions() {
      return { region: await cloudformation.config.region(), endpoint: options.endpoint, credentials: options.credentials ?? cloudformation.config.credentials };
    },
    close() {
      cloudformation.destroy();
      lambda.destroy();
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
