import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, Duration, Stack, CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeProviderFunction, acknowledgeWildcards } from './nag';
import { STACK_ID_ENV } from '../../lambda/core/ownership.wire';
import type { ProviderGrantStatement } from './iam';

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

/** How the stack's provider is set up; see `WickrChimeProvider.configure`. */
export interface WickrChimeProviderProps {
  /**
   * The customer managed KMS key that encrypts the provider function's log group. A key
   * created in the app gets a key policy statement that lets CloudWatch Logs in the stack's
   * region use it for the account's log groups; the policy of an imported key must allow
   * that already, or the log group cannot be created.
   * @default - CloudWatch Logs encrypts the log group with a key it manages
   */
  readonly logGroupEncryptionKey?: kms.IKey;
}

/**
 * The one provider function of a stack. Every resource of this library in the stack
 * shares it: CloudFormation invokes it directly and it answers CloudFormation itself
 * (one hop, no provider framework). Each construct adds exactly the IAM actions it uses.
 *
 * The first construct of this library in a stack creates it with the defaults; call
 * `WickrChimeProvider.configure` before that construct to set it up otherwise.
 */
export class WickrChimeProvider extends Construct {
  /** Returns the stack's provider, creating it with the defaults on first use. */
  public static of(scope: Construct): WickrChimeProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing) return existing as WickrChimeProvider;
    return new WickrChimeProvider(stack, PROVIDER_ID, {}, scope.node.path);
  }

  /**
   * Creates the stack's provider with `props`. Call it before the first construct of this
   * library in the stack (that construct would create the provider with the defaults);
   * a second call, or a call after that construct, throws.
   *
   * @param scope any construct of the stack
   * @param props how the provider is set up
   */
  public static configure(scope: Construct, props: WickrChimeProviderProps): WickrChimeProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID) as WickrChimeProvider | undefined;
    if (existing) {
      throw new Error(
        `[${scope.node.path}] WickrChimeProvider.configure: the provider of stack ${stack.node.path} exists already (made for ${existing.createdFor}); ` +
          'call configure once, before the first construct of cdk-wickr-chime in the stack',
      );
    }
    return new WickrChimeProvider(stack, PROVIDER_ID, props, scope.node.path);
  }

  /** The provider Lambda function. */
  public readonly function: lambda.Function;
  /** The ARN CloudFormation invokes (`ServiceToken`). */
  public readonly serviceToken: string;
  /** The function's log group: the function writes to it and to nothing else. */
  public readonly logGroup: logs.ILogGroup;
  private readonly logGroupEncryptionKey?: kms.IKey;

  private readonly role: iam.Role;
  private readonly grantedKeys = new Set<string>();
  /** The read-only part of every grant, for what reads only (see `_onReadGrant`). */
  private readonly readGrants: ProviderGrantStatement[] = [];
  private readonly readListeners: Array<(grant: ProviderGrantStatement) => void> = [];
  /** The path of the construct the provider was made for (named when `configure` comes too late). */
  private readonly createdFor: string;

  /**
   * A function that runs the handler bundle (the provider, or the drift monitor's sweeper), with
   * a log group of its own that `role` may write to, encrypted with the provider's log group key
   * when one is given. No AWS managed policy: the log group exists before the function, so
   * writing to it needs logs:CreateLogStream and logs:PutLogEvents on it alone. The statement
   * goes into the role's default policy rather than the role itself: a role naming the log group
   * would depend on the log group's key, whose policy may name the role (a key that also
   * encrypts a secret the provider uses), a circular dependency.
   * @internal
   */
  public _handlerFunction(
    scope: Construct,
    p: { logs: string; function: string; description: string; timeout: Duration; role: iam.IRole; environment: Record<string, string> },
  ): { function: lambda.Function; logGroup: logs.LogGroup } {
    const logGroup = new logs.LogGroup(scope, p.logs, { retention: logs.RetentionDays.THREE_MONTHS, encryptionKey: this.logGroupEncryptionKey });
    logGroup.grantWrite(p.role);
    const fn = new lambda.Function(scope, p.function, {
      description: p.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(HANDLER_ASSET_DIR),
      timeout: p.timeout,
      memorySize: 512,
      role: p.role,
      logGroup,
      environment: p.environment,
    });
    return { function: fn, logGroup };
  }

  private constructor(scope: Construct, id: string, props: WickrChimeProviderProps, createdFor: string) {
    super(scope, id);
    this.createdFor = createdFor;
    if (!fs.existsSync(path.join(HANDLER_ASSET_DIR, 'index.js'))) {
      throw new Error(
        `cdk-wickr-chime: the provider handler bundle is missing at ${HANDLER_ASSET_DIR}. ` +
          'The published package ships it; in a clone of the repository run `npm run build` first.',
      );
    }
    this.logGroupEncryptionKey = props.logGroupEncryptionKey;
    if (this.logGroupEncryptionKey) allowLogsToUse(this.logGroupEncryptionKey, Stack.of(this));
    this.role = new iam.Role(this, 'HandlerServiceRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const handler = this._handlerFunction(this, {
      logs: 'Logs',
      function: 'Handler',
      description: 'cdk-wickr-chime: creates, updates and deletes AWS Wickr and Amazon Chime SDK Identity resources',
      timeout: PROVIDER_TIMEOUT,
      role: this.role,
      // The provider serves its own stack's events only, and asks CloudFormation who owns what.
      environment: { [STACK_ID_ENV]: Stack.of(this).stackId },
    });
    this.function = handler.function;
    acknowledgeProviderFunction(this.function);
    this.logGroup = handler.logGroup;
    this.serviceToken = this.function.functionArn;
    // Ownership (lambda/core/ownership.ts): the own stack's status, resources and template; and which stack of the
    // account claims a physical id (a lookup that names no stack: IAM evaluates it against the stack that has it).
    const stack = Stack.of(this);
    this.grant(['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:GetTemplate'], [stack.stackId]);
    this.grant(['cloudformation:DescribeStackResources'], [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: '*' })]);
  }

  /**
   * Lets the provider call `actions` on `resources` (under `conditions`, when given).
   * Repeated grants are added once.
   */
  public grant(actions: string[], resources: string[], conditions?: { [key: string]: any }): void {
    const key = JSON.stringify([[...actions].sort(), [...resources].sort(), Stack.of(this).resolve(conditions)]);
    if (this.grantedKeys.has(key)) return;
    this.grantedKeys.add(key);
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions, resources, conditions }));
    acknowledgeWildcards(this.role, actions, resources);
    const reads = actions.filter((a) => READ_ACTION.test(a));
    if (reads.length === 0) return;
    const read = { actions: reads, resources, conditions };
    this.readGrants.push(read);
    for (const listener of this.readListeners) listener(read);
  }

  /**
   * Calls `listener` with the read-only part of every grant, those made so far and those to
   * come: what a function that only reads the stack's resources needs (the drift monitor's).
   * @internal
   */
  public _onReadGrant(listener: (grant: ProviderGrantStatement) => void): void {
    for (const grant of this.readGrants) listener(grant);
    this.readListeners.push(listener);
  }

  /**
   * Makes a custom resource wait for the provider's IAM policy, so CloudFormation never
   * invokes the function before its permissions exist.
   */
  public bind(resource: CfnResource): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) resource.node.addDependency(policy);
  }
}

/** Actions that only read: what drift needs of a grant (`kms:Decrypt` reads a secret encrypted with a customer managed key). */
const READ_ACTION = /^[a-z0-9-]+:(Get|List|Describe|BatchLookup)[A-Za-z]*$|^kms:Decrypt$/;

/**
 * The key policy statement CloudWatch Logs needs to encrypt log groups with a customer
 * managed key (the CloudWatch Logs User Guide's), for the log groups of the stack's account
 * and region. It cannot name the one log group: the log group refers to the key, so the key
 * policy referring to the log group would be a circular dependency. No-op for an imported key.
 */
function allowLogsToUse(key: kms.IKey, stack: Stack): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }),
  );
}
