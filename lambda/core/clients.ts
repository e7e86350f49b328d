import { ChimeSDKIdentityClient } from '@aws-sdk/client-chime-sdk-identity';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudFormationReader, StackReader } from './cloudformation';
import { CallObserver } from './observer';
import { S3ObjectReader } from './s3';
import type { Credentials } from './signed-http';
import { WickrClient } from '../wickr/client';

/** The clients one invocation uses, created lazily on first use. */
export interface ServiceClients {
  wickr(): WickrClient;
  chime(): ChimeSDKIdentityClient;
  secrets(): SecretsManagerClient;
  s3(): S3ObjectReader;
  /** CloudFormation reads: the provider's own stack, and who claims a live resource. */
  cloudformation(): StackReader;
}

export function region(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

interface SdkClientLike {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void };
}

/**
 * Tags the SDK's errors with the service name (`$service`, used by `describeError`) and
 * reports each operation to the observer once, outside the retry loop.
 */
export function observeSdkClient<C extends SdkClientLike>(client: C, service: string, observer: CallObserver): C {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<{ output: { $metadata?: { httpStatusCode?: number; attempts?: number } } }>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        observer.before?.({ service, operation });
        const started = Date.now();
        try {
          const result = await next(args);
          const meta = result.output.$metadata;
          observer.after?.({ service, operation, status: meta?.httpStatusCode, attempts: meta?.attempts, durationMs: Date.now() - started });
          return result;
        } catch (error) {
          if (error && typeof error === 'object') Object.assign(error, { $service: service });
          const meta = (error as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata;
          observer.after?.({ service, operation, status: meta?.httpStatusCode, attempts: meta?.attempts, durationMs: Date.now() - started, error });
          throw error;
        }
      },
    { step: 'initialize', name: 'wickrChimeObserver', priority: 'high' },
  );
  return client;
}

const SDK_RETRY_ATTEMPTS = 5;

/** Where the clients call, and as whom: the provider's defaults, or the caller's (the drift command). */
export interface ClientOptions {
  /** @default the AWS_REGION environment variable */
  readonly region?: string;
  /** One endpoint for every service (the emulator). @default the services' own (or AWS_ENDPOINT_URL_* variables) */
  readonly endpoint?: string;
  /** @default the default credential provider chain */
  readonly credentials?: Credentials;
}

/** The clients of one phase of an invocation; `observer` sees (and may refuse) every call. */
export function createServiceClients(observer: CallObserver, options: ClientOptions = {}): ServiceClients {
  const config = { region: options.region ?? region(), ...(options.endpoint ? { endpoint: options.endpoint } : {}), ...(options.credentials ? { credentials: options.credentials } : {}) };
  let wickr: WickrClient | undefined;
  let chime: ChimeSDKIdentityClient | undefined;
  let secrets: SecretsManagerClient | undefined;
  let s3: S3ObjectReader | undefined;
  let cloudformation: StackReader | undefined;
  return {
    wickr: () => (wickr ??= new WickrClient({ ...config, maxAttempts: SDK_RETRY_ATTEMPTS, observer })),
    chime: () => (chime ??= observeSdkClient(new ChimeSDKIdentityClient({ ...config, maxAttempts: SDK_RETRY_ATTEMPTS }), 'Chime SDK Identity', observer)),
    secrets: () => (secrets ??= observeSdkClient(new SecretsManagerClient({ ...config, maxAttempts: SDK_RETRY_ATTEMPTS }), 'Secrets Manager', observer)),
    s3: () => (s3 ??= new S3ObjectReader({ ...config, observer })),
    cloudformation: () => (cloudformation ??= new CloudFormationReader({ ...config, observer })),
  };
}
