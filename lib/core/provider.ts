import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack, CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Where the library's build puts the bundled handler (see scripts/bundle-handler.js). */
export const HANDLER_ASSET_DIR = path.join(__dirname, '..', '..', 'assets', 'handler');

/** The provider function's timeout. Long enough for 10,000 users in batches of 50 with retries. */
export const PROVIDER_TIMEOUT = Duration.minutes(10);
/**
 * How long CloudFormation waits for an answer. The handler's guard timer answers before
 * the function times out; this bound covers a function that could not answer at all
 * (crash, out of memory), so a stack never waits the default hour.
 */
export const SERVICE_TIMEOUT = Duration.minutes(11);

const PROVIDER_ID = 'WickrChimeProvider';

/**
 * The one provider function of a stack. Every resource of this library in the stack
 * shares it: CloudFormation invokes it directly and it answers CloudFormation itself
 * (one hop, no provider framework). Each construct adds exactly the IAM actions it uses.
 */
export class WickrChimeProvider extends Construct {
  /** Returns the stack's provider, creating it on first use. */
  public static of(scope: Construct): WickrChimeProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing) return existing as WickrChimeProvider;
    return new WickrChimeProvider(stack, PROVIDER_ID);
  }

  /** The provider Lambda function. */
  public readonly function: lambda.Function;
  /** The ARN CloudFormation invokes (`ServiceToken`). */
  public readonly serviceToken: string;

  private readonly grantedKeys = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    if (!fs.existsSync(path.join(HANDLER_ASSET_DIR, 'index.js'))) {
      throw new Error(
        `cdk-wickr-chime: the provider handler bundle is missing at ${HANDLER_ASSET_DIR}. ` +
          'The published package ships it; in a clone of the repository run `npm run build` first.',
      );
    }
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.function = new lambda.Function(this, 'Handler', {
      description: 'cdk-wickr-chime: creates, updates and deletes AWS Wickr and Amazon Chime SDK Identity resources',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET_DIR),
      timeout: PROVIDER_TIMEOUT,
      memorySize: 512,
      logGroup,
    });
    this.serviceToken = this.function.functionArn;
  }

  /** Lets the provider call `actions` on `resources`. Repeated grants are added once. */
  public grant(actions: string[], resources: string[]): void {
    const key = JSON.stringify([[...actions].sort(), [...resources].sort()]);
    if (this.grantedKeys.has(key)) return;
    this.grantedKeys.add(key);
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
  }

  /**
   * Makes a custom resource wait for the provider's IAM policy, so CloudFormation never
   * invokes the function before its permissions exist.
   */
  public bind(resource: CfnResource): void {
    const policy = this.function.role?.node.tryFindChild('DefaultPolicy');
    if (policy) resource.node.addDependency(policy);
  }
}
