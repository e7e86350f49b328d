/** Wire contract of `WickrChimeDriftMonitor` (shared by the construct and the handler). */

/** The environment variable that makes the handler a reader only: it serves drift sweeps and reads, and refuses every other request. */
export const READ_ONLY_ENV = 'WICKR_CHIME_READ_ONLY';

/** The input the schedule sends the provider function. */
export const DRIFT_SWEEP_EVENT = { RequestType: 'DriftSweep' } as const;

/** The embedded-metric namespace and metric of a sweep (dimension `StackName`). */
export const DRIFT_NAMESPACE = 'WickrChime';
export const DRIFT_METRIC = 'DriftedResources';
