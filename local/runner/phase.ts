import type { StackBoard } from './board';
import type { CustomOutcome, CustomRequest, CustomTimeouts, DuplicateDeliveryOptions, ResponseOutageOptions } from './custom';
import type { EvaluationContext, StackEnvironment, TemplateResource } from './intrinsics';
import type { CleanupItem, Journal } from './journal';
import type { NativeContext } from './native';
import type { Plan } from './plan';
import type { Action, Phase, Recorder, ResourceRow } from './report';
import type { ResourceState, StackState, StateFile, StateStore } from './state';
import type { StackArtifact } from '../../cli/synth';

/**
 * What the phases of a deployment share, as interfaces, so that the dependencies run one way:
 * `engine` → `deployment` → (`deploy-resource`, `cleanup`, `rollback`) → this module, and
 * `provider-functions` → this module. The engine implements `StackServices` and a
 * `Deployment` implements `DeploymentContext`; neither is imported back by what it uses.
 */

export interface EngineOptions {
  readonly concurrency: number;
  /** Parameter values: `Name` for every stack, or `Stack:Name` for one. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly timeouts: CustomTimeouts;
  readonly lambdaRetries: number;
  readonly retryDelayMs: number;
  readonly duplicateDeliveries?: DuplicateDeliveryOptions;
  readonly responseOutage?: ResponseOutageOptions;
}

/** What a deployment and its phases use of the engine (the run's state and how resources are reached). */
export interface StackServices {
  readonly store: StateStore;
  readonly state: StateFile;
  readonly recorder: Recorder;
  readonly options: EngineOptions;
  /** Deletes one resource (custom: a Delete request; native: its emulation). Returns the error, if any. */
  deleteResource(env: StackEnvironment, stack: StackArtifact | undefined, id: string, entry: ResourceState, phase: Phase): Promise<string | undefined>;
  /** Sends a custom resource request to its provider function. */
  custom(request: CustomRequest): Promise<CustomOutcome>;
  nativeContext(env: StackEnvironment, stack: StackArtifact | undefined, id: string, def?: TemplateResource): NativeContext;
  /** Warns once per type that a native type is not emulated. */
  warnType(type: string, logicalId: string): void;
}

/** One stack deployment as its phases (`deploy-resource`, `cleanup`, `rollback`) see it. */
export interface DeploymentContext {
  readonly engine: StackServices;
  readonly stack: StackArtifact;
  readonly env: StackEnvironment;
  readonly plan: Plan;
  readonly prev: StackState | undefined;
  readonly board: StackBoard;
  readonly working: Record<string, ResourceState>;
  readonly journal: Journal[];
  readonly cleanup: CleanupItem[];
  readonly rows: Map<string, ResourceRow>;
  readonly resources: Record<string, TemplateResource>;
  readonly desiredSet: Set<string>;
  readonly evaluation: EvaluationContext;
  failure?: string;
  readonly rollbackFailures: string[];
  readonly rec: Recorder;
  row(id: string, type: string, action: Action, physicalId?: string, reason?: string): ResourceRow;
  event(status: string, type: string, id: string, physicalId?: string, detail?: string): Promise<void>;
  fail(id: string, type: string, operation: 'CREATE' | 'UPDATE', reason: string, physicalId?: string): Promise<'failed'>;
}
