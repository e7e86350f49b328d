import { EmulatedError, RequestContext } from '../../../local/emulator/service';
import { createWickrService, WICKR_MODEL, WickrService } from '../../../local/emulator/wickr';

/**
 * Drives the Wickr service the way the emulator core does, without HTTP: prose rules
 * (`validate`) first, then the operation. Every answer is checked against the model's
 * output shape (only modeled members, required members present), so a misspelt member
 * fails the test instead of silently vanishing in serialization.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export class FakeClock {
  constructor(public ms = Date.UTC(2025, 5, 15, 12, 0, 0)) {}
  advanceDays(days: number): void {
    this.ms += days * 86400_000;
  }
}

export interface Harness {
  readonly svc: WickrService;
  readonly clock: FakeClock;
  ctx(overrides?: Partial<Omit<RequestContext, 'now'>>): RequestContext;
  call(operation: string, input?: Record<string, any>, ctx?: RequestContext): any;
  /** The EmulatedError an operation throws (fails the test when it succeeds or throws something else). */
  fail(operation: string, input?: Record<string, any>, ctx?: RequestContext): EmulatedError;
  /** A new network with its id and default group id. */
  network(name?: string, extra?: Record<string, any>): { networkId: string; defaultGroupId: string };
}

export function harness(seed = 42): Harness {
  const svc = createWickrService({ seed });
  const clock = new FakeClock();
  const ctx = (overrides: Partial<Omit<RequestContext, 'now'>> = {}): RequestContext => ({
    accountId: overrides.accountId ?? ACCOUNT,
    region: overrides.region ?? REGION,
    now: () => new Date(clock.ms),
  });
  const call = (operation: string, input: Record<string, any> = {}, c: RequestContext = ctx()) => {
    const impl = svc.operations[operation];
    if (!impl) throw new Error(`no operation ${operation}`);
    svc.validate?.(operation, input, c);
    const output = impl(input, c) ?? {};
    const shape = WICKR_MODEL.operations[operation].output;
    if (shape) checkShape(shape, output, operation);
    return output;
  };
  const fail = (operation: string, input: Record<string, any> = {}, c: RequestContext = ctx()): EmulatedError => {
    try {
      call(operation, input, c);
    } catch (err) {
      if (err instanceof EmulatedError) {
        // Every code must be an error shape of the model (the core turns anything else into a 500).
        expect(WICKR_MODEL.shapes[err.code]?.error).toBeDefined();
        return err;
      }
      throw err;
    }
    throw new Error(`${operation} succeeded, expected an error`);
  };
  const network = (name = 'ops', extra: Record<string, any> = {}) => {
    const { networkId } = call('CreateNetwork', { networkName: name, accessLevel: 'STANDARD', ...extra });
    const groups = call('ListSecurityGroups', { networkId, maxResults: 100 }).securityGroups as Array<{ id: string; isDefault: boolean }>;
    return { networkId, defaultGroupId: groups.find((g) => g.isDefault)!.id };
  };
  return { svc, clock, ctx, call, fail, network };
}

/** The `reasons[].field` of a ValidationError. */
export function reasonFields(err: EmulatedError): string[] {
  expect(err.code).toBe('ValidationError');
  return (err.fields.reasons as Array<{ field: string }>).map((r) => r.field);
}

export function checkShape(shapeName: string, value: unknown, path: string): void {
  const shape = WICKR_MODEL.shapes[shapeName];
  if (value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: expected a structure (${shapeName})`);
      const record = value as Record<string, unknown>;
      const members = shape.members ?? {};
      for (const [key, v] of Object.entries(record)) {
        if (v === undefined) continue;
        if (!members[key]) throw new Error(`${path}.${key}: not a member of ${shapeName}`);
        checkShape(members[key].shape, v, `${path}.${key}`);
      }
      for (const required of shape.required ?? []) {
        if (record[required] === undefined) throw new Error(`${path}.${required}: required by ${shapeName} but missing`);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) throw new Error(`${path}: expected a list (${shapeName})`);
      value.forEach((item, i) => checkShape(shape.member!.shape, item, `${path}[${i}]`));
      return;
    case 'string':
      if (typeof value !== 'string') throw new Error(`${path}: expected a string (${shapeName}), got ${typeof value}`);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${path}: expected an integer (${shapeName})`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`${path}: expected a boolean (${shapeName})`);
      return;
    default:
      return;
  }
}
