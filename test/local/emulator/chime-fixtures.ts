import { ChimeService, createChimeService } from '../../../local/emulator/chime';
import { CHIME_MODEL, ChimeServiceOptions } from '../../../local/emulator/chime-state';
import { EmulatedError, RequestContext } from '../../../local/emulator/service';
import { Issue, ShapeCodec, validationMessage } from '../../../local/emulator/shapes';

/**
 * Drives the Chime SDK Identity service the way the emulator core does, without HTTP:
 * time passes (`tick`), the input is decoded and checked against the model (as the core's
 * rest-json front end does), the prose rules run (`validate`), then the operation. Every
 * answer is checked against the model's output shape, and every error against the
 * operation's listed errors, so a misspelt member or an unlisted error code fails the test.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const LEX_ALIAS = 'arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/KLMNOPQRST';
export const PINPOINT_APP = 'arn:aws:mobiletargeting:us-east-1:123456789012:apps/0123456789abcdef0123456789abcdef';
export const LEX = { LexBotAliasArn: LEX_ALIAS, LocaleId: 'en_US', InvokedBy: { StandardMessages: 'MENTIONS' as const, TargetedMessages: 'ALL' as const } };

export class FakeClock {
  constructor(public ms = Date.UTC(2025, 5, 15, 12, 0, 0)) {}
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Harness {
  readonly svc: ChimeService;
  readonly clock: FakeClock;
  ctx(overrides?: Partial<Omit<RequestContext, 'now'>>): RequestContext;
  call(operation: string, input?: Record<string, any>, ctx?: RequestContext): any;
  /** The EmulatedError an operation throws (fails the test when it succeeds or throws something else). */
  fail(operation: string, input?: Record<string, any>, ctx?: RequestContext): EmulatedError;
  /** A new app instance; returns its ARN. */
  instance(name?: string, extra?: Record<string, any>): string;
  /** A new user of `instanceArn`; returns its ARN. */
  user(instanceArn: string, userId: string, extra?: Record<string, any>): string;
  /** A new bot of `instanceArn`; returns its ARN. */
  bot(instanceArn: string, extra?: Record<string, any>): string;
}

let tokens = 0;
/** A fresh client token (the core replays responses per token; direct calls need none, but the model requires one). */
export function token(): string {
  return `tok-${++tokens}`;
}

export function harness(options: ChimeServiceOptions = {}, checkListedErrors = true): Harness {
  const svc = createChimeService({ seed: 42, ...options });
  const codec = new ShapeCodec(CHIME_MODEL);
  const clock = new FakeClock();
  const ctx = (overrides: Partial<Omit<RequestContext, 'now'>> = {}): RequestContext => ({
    accountId: overrides.accountId ?? ACCOUNT,
    region: overrides.region ?? REGION,
    now: () => new Date(clock.ms),
  });
  const call = (operation: string, input: Record<string, any> = {}, c: RequestContext = ctx()) => {
    const op = CHIME_MODEL.operations[operation];
    const impl = svc.operations[operation];
    if (!op || !impl) throw new Error(`no operation ${operation}`);
    svc.tick?.(c);
    const issues: Issue[] = [];
    const decoded = op.input ? codec.decodeStructure(op.input, (name) => input[name], '', issues) : {};
    if (issues.length > 0) throw new EmulatedError('BadRequestException', validationMessage(issues));
    svc.validate?.(operation, decoded, c);
    const output = impl(decoded, c) ?? {};
    if (op.output) checkShape(op.output, output, operation);
    else expect(output).toEqual({});
    return output;
  };
  const fail = (operation: string, input: Record<string, any> = {}, c: RequestContext = ctx()): EmulatedError => {
    try {
      call(operation, input, c);
    } catch (err) {
      if (err instanceof EmulatedError) {
        expect(CHIME_MODEL.shapes[err.code]?.error).toBeDefined();
        if (checkListedErrors) expect(CHIME_MODEL.operations[operation].errors).toContain(err.code);
        return err;
      }
      throw err;
    }
    throw new Error(`${operation} succeeded, expected an error`);
  };
  const instance = (name = 'chat', extra: Record<string, any> = {}) => call('CreateAppInstance', { Name: name, ClientRequestToken: token(), ...extra }).AppInstanceArn as string;
  const user = (instanceArn: string, userId: string, extra: Record<string, any> = {}) =>
    call('CreateAppInstanceUser', { AppInstanceArn: instanceArn, AppInstanceUserId: userId, Name: userId, ClientRequestToken: token(), ...extra }).AppInstanceUserArn as string;
  const bot = (instanceArn: string, extra: Record<string, any> = {}) =>
    call('CreateAppInstanceBot', { AppInstanceArn: instanceArn, Name: 'bot', Configuration: { Lex: LEX }, ClientRequestToken: token(), ...extra }).AppInstanceBotArn as string;
  return { svc, clock, ctx, call, fail, instance, user, bot };
}

/** Only modeled members, of the modeled types; timestamps as Dates; required members present. */
export function checkShape(shapeName: string, value: unknown, path: string): void {
  const shape = CHIME_MODEL.shapes[shapeName];
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
      if (shape.enum && !shape.enum.includes(value)) throw new Error(`${path}: ${value} is not in the enum of ${shapeName}`);
      return;
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${path}: expected an integer (${shapeName})`);
      return;
    case 'timestamp':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new Error(`${path}: expected a Date (${shapeName})`);
      return;
    default:
      return;
  }
}
