import * as fs from 'fs';
import { createChimeService } from './chime';
import { Emulator, EmulatorOptions } from './emulator';
import { RunningEmulator, serve, ServeOptions } from './server';
import { createWickrService } from './wickr';

/**
 * The local emulator of AWS Wickr and Amazon Chime SDK Identity (plus the Secrets Manager
 * and S3 calls the handler makes, and the CloudFormation and Lambda calls of drift,
 * answered from the stacks `deploy-local` recorded): in process (`createEmulator`) or over
 * HTTP (`startEmulator`), where the official clients reach it through endpoint overrides.
 */

export type DefaultServices = {
  readonly wickr: ReturnType<typeof createWickrService>;
  readonly chime: ReturnType<typeof createChimeService>;
};

export type StartOptions = EmulatorOptions & ServeOptions;

/** An emulator with the Wickr and Chime implementations; loads `stateFile` when it exists. */
export function createEmulator(options: EmulatorOptions = {}): Emulator<DefaultServices> {
  const emulator = new Emulator({ wickr: createWickrService({ seed: options.seed }), chime: createChimeService() }, options);
  if (options.stateFile && fs.existsSync(options.stateFile)) emulator.loadState();
  return emulator;
}

/** Starts the HTTP server (127.0.0.1, random port by default) around a new emulator. */
export function startEmulator(options: StartOptions = {}): Promise<RunningEmulator<DefaultServices>> {
  return serve(createEmulator(options), options);
}

export { Clock, Emulator } from './emulator';
export type { CallAuthorization, CallRecord, EmulatedServices, EmulatorOptions, EmulatorState, HandledResponse, RecordedRequest } from './emulator';
export type { FaultKind, FaultSpec } from './faults';
export type { Decision, PolicyStatement } from './iam';
export type { Principal, PrincipalSpec, PrincipalView } from './principals';
export { REDACTED } from './protocol';
export type { EmulatorRequest, EmulatorResponse, ServiceName } from './protocol';
export type { S3 } from './s3';
export type { RecordedStack, StackFunctionSpec, StackResourceSpec, StackSpec } from './stacks';
export type { SecretsManager } from './secretsmanager';
export { DEFAULT_MAX_BODY_BYTES, serve } from './server';
export type { RunningEmulator, ServeOptions } from './server';
export { EmulatedError } from './service';
export type { EmulatedService, OperationImpl, RequestContext, ServiceModel } from './service';
export { TEST_CREDENTIALS, testCredentialsFor } from './sigv4';
