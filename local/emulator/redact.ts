import { EmulatorRequest, isRecord } from './protocol';
import { ServiceModel, ShapeModel } from './service';

/**
 * What the call log shows of a rest-json request: members of a sensitive shape that hold
 * a credential (Wickr's bot `challenge`, OIDC `secret`/`clientSecret`, OpenTDF
 * `clientSecret`; Chime's endpoint `DeviceToken`/`VoipDeviceToken`) are replaced by `***`,
 * in the body and in the query string (Wickr's `GetOidcInfo` sends `clientSecret` there).
 * Other sensitive members (names, metadata) stay visible so tests can read what was sent.
 */

/** The names of sensitive members that hold a credential (not names or metadata). */
export const CREDENTIAL_MEMBER = /secret|challenge|password|devicetoken/i;

/** Shown in the call log instead of a credential. */
export const LOGGED_MASK = '***';

/** A JSON body with its credential members masked (by the shapes of `shapeName`). */
export function redactBody(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape: ShapeModel | undefined = model.shapes[shapeName];
  if (shape?.type === 'list' && shape.member && Array.isArray(value)) {
    const member = shape.member;
    return value.map((item) => redactBody(model, member.shape, item));
  }
  if (shape?.type === 'map' && shape.member && isRecord(value)) {
    const member = shape.member;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactBody(model, member.shape, v)]));
  }
  if (shape?.type !== 'structure' || !isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const key = member.locationName ?? name;
    if (!(key in out) || member.location) continue;
    out[key] = isCredential(model, name, member.shape) ? LOGGED_MASK : redactBody(model, member.shape, out[key]);
  }
  return out;
}

/** The query string with the input's credential members masked. */
export function redactQuery(model: ServiceModel, operation: string | undefined, query: EmulatorRequest['query']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...query };
  const input = model.operations[operation ?? '']?.input;
  for (const [name, member] of Object.entries((input && model.shapes[input]?.members) || {})) {
    const key = member.locationName ?? name;
    if (member.location === 'querystring' && key in out && isCredential(model, name, member.shape)) out[key] = LOGGED_MASK;
  }
  return out;
}

function isCredential(model: ServiceModel, memberName: string, shapeName: string): boolean {
  return model.shapes[shapeName]?.sensitive === true && CREDENTIAL_MEMBER.test(memberName);
}
