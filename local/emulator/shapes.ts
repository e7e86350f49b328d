import { isRecord } from './protocol';
import { MemberModel, ServiceModel, ShapeModel } from './service';

/**
 * Model-driven input decoding and validation, and output serialization, for the JSON
 * protocols: what a real service's front end does with a request body before its code
 * runs, driven by the shapes in models/*.json.
 */

/** One failed constraint. `field` is the member path (`users[0].username`). */
export interface Issue {
  readonly field: string;
  readonly reason: string;
}

/** Reads one member's raw value; lets the caller decide where members come from (body, path, query, header). */
export type MemberReader = (name: string, member: MemberModel) => unknown;

/**
 * Translates a pattern from the models (Java regular expression syntax) into a JavaScript
 * RegExp that must match the whole value, as Java's `Matcher.matches()` does.
 *
 * - The `u` flag is always on, so `.`, classes and `\u{...}` work on code points.
 * - `\u10000-\u10FFFF` in the models means code points beyond the BMP (in Java proper a
 *   `\u` escape takes exactly four digits); with 5 or 6 hex digits it becomes `\u{10000}`.
 * - Java accepts escaped punctuation anywhere (`\:`, `\_`, `\@`), the `u` flag does not:
 *   such escapes become `\u{HH}`.
 */
export function javaPattern(source: string): RegExp {
  const translated = source.replace(/\\(u[0-9A-Fa-f]{5,6}(?![0-9A-Fa-f])|[\s\S])/gu, (escape, escaped: string) => {
    if (escaped.length >= 6) return `\\u{${escaped.slice(1)}}`;
    if (/[A-Za-z0-9^$\\.*+?()[\]{}|/]/.test(escaped)) return escape;
    return `\\u{${(escaped.codePointAt(0) ?? 0).toString(16)}}`;
  });
  return new RegExp(`^(?:${translated})$`, 'u');
}

export class ShapeCodec {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly model: ServiceModel) {}

  shape(name: string): ShapeModel {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`model ${this.model.metadata.serviceId} has no shape ${name}`);
    return shape;
  }

  /**
   * Decodes a structure: checks required members and each member's constraints, converts
   * timestamps (epoch seconds in JSON) to `Date`, and drops members the model does not
   * know, as the real services ignore them. Members set to JSON null count as absent.
   */
  decodeStructure(shapeName: string, read: MemberReader, path: string, issues: Issue[]): Record<string, unknown> {
    const shape = this.shape(shapeName);
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      const field = path ? `${path}.${name}` : name;
      const raw = read(name, member);
      if (raw === undefined || raw === null) {
        if (shape.required?.includes(name)) issues.push({ field, reason: 'Member must not be null' });
        continue;
      }
      const value = this.decode(member.shape, raw, field, issues);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  /** Decodes one value of any shape; returns undefined (with issues) when its type is wrong. */
  decode(shapeName: string, value: unknown, field: string, issues: Issue[]): unknown {
    const shape = this.shape(shapeName);
    const fail = (reason: string) => {
      issues.push({ field, reason });
      return undefined;
    };
    switch (shape.type) {
      case 'structure':
        if (!isRecord(value)) return fail('Member must be a structure');
        return this.decodeStructure(shapeName, (name, member) => value[member.locationName ?? name], field, issues);
      case 'list': {
        if (!Array.isArray(value)) return fail('Member must be a list');
        this.checkLength(shape, value.length, field, issues);
        const member = shape.member;
        return member ? value.map((item, i) => this.decode(member.shape, item, `${field}[${i}]`, issues)) : value;
      }
      case 'map':
        if (!isRecord(value)) return fail('Member must be a map');
        this.checkLength(shape, Object.keys(value).length, field, issues);
        return value;
      case 'string':
        if (typeof value !== 'string') return fail('Member must be a string');
        this.checkString(shapeName, shape, value, field, issues);
        return value;
      case 'boolean':
        return typeof value === 'boolean' ? value : fail('Member must be a boolean');
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) return fail('Member must be an integer');
        this.checkRange(shape, value, field, issues);
        return value;
      case 'double':
      case 'float':
        if (typeof value !== 'number' || !Number.isFinite(value)) return fail('Member must be a number');
        this.checkRange(shape, value, field, issues);
        return value;
      case 'timestamp':
        // JSON bodies carry epoch seconds; path, query and header values arrive already parsed.
        if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
        if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
        return fail('Member must be a timestamp');
      case 'blob':
        if (typeof value !== 'string') return fail('Member must be base64-encoded binary');
        this.checkLength(shape, Buffer.from(value, 'base64').length, field, issues);
        return Buffer.from(value, 'base64');
    }
  }

  /**
   * Serializes an output value: only modeled members (so an implementation cannot leak
   * internal fields), wire names, `Date` → epoch seconds (fractional, as the services send
   * them) unless the shape says `iso8601`, undefined and null omitted.
   */
  serialize(shapeName: string, value: unknown): unknown {
    if (value === undefined || value === null) return undefined;
    const shape = this.shape(shapeName);
    switch (shape.type) {
      case 'structure': {
        if (!isRecord(value)) return value;
        const out: Record<string, unknown> = {};
        for (const [name, member] of Object.entries(shape.members ?? {})) {
          const serialized = this.serialize(member.shape, value[name]);
          if (serialized !== undefined) out[member.locationName ?? name] = serialized;
        }
        return out;
      }
      case 'list': {
        const member = shape.member;
        return Array.isArray(value) && member ? value.map((item) => this.serialize(member.shape, item)) : value;
      }
      case 'timestamp': {
        const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
        if (!date) return value;
        return shape.timestampFormat === 'iso8601' ? date.toISOString() : date.getTime() / 1000;
      }
      case 'blob':
        return Buffer.isBuffer(value) ? value.toString('base64') : value;
      default:
        return value;
    }
  }

  private checkString(shapeName: string, shape: ShapeModel, value: string, field: string, issues: Issue[]): void {
    // Lengths count characters (code points), not UTF-16 units.
    this.checkLength(shape, [...value].length, field, issues);
    if (shape.enum && !shape.enum.includes(value)) {
      issues.push({ field, reason: `Member must satisfy enum value set: [${shape.enum.join(', ')}]` });
    }
    if (shape.pattern !== undefined && !this.pattern(shapeName, shape.pattern).test(value)) {
      issues.push({ field, reason: `Member must satisfy regular expression pattern: ${shape.pattern}` });
    }
  }

  private checkLength(shape: ShapeModel, length: number, field: string, issues: Issue[]): void {
    if (shape.min !== undefined && length < shape.min) issues.push({ field, reason: `Member must have length greater than or equal to ${shape.min}` });
    if (shape.max !== undefined && length > shape.max) issues.push({ field, reason: `Member must have length less than or equal to ${shape.max}` });
  }

  private checkRange(shape: ShapeModel, value: number, field: string, issues: Issue[]): void {
    if (shape.min !== undefined && value < shape.min) issues.push({ field, reason: `Member must have value greater than or equal to ${shape.min}` });
    if (shape.max !== undefined && value > shape.max) issues.push({ field, reason: `Member must have value less than or equal to ${shape.max}` });
  }

  private pattern(shapeName: string, source: string): RegExp {
    let regex = this.patterns.get(shapeName);
    if (!regex) {
      regex = javaPattern(source);
      this.patterns.set(shapeName, regex);
    }
    return regex;
  }
}

/** `1 validation error detected: Value at 'name' failed to satisfy constraint: ...` (never echoes values: they may be secret). */
export function validationMessage(issues: readonly Issue[]): string {
  const details = issues.map((i) => `Value at '${i.field}' failed to satisfy constraint: ${i.reason}`).join('; ');
  return `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${details}`;
}
