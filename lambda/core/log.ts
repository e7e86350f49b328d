import { MODEL_SENSITIVE_MEMBERS } from './sensitive.generated';

/**
 * Structured JSON logs, one line per event. Every key that the service models mark
 * sensitive is redacted wherever it appears (compared case-insensitively, so the
 * PascalCase wire keys of our properties are covered too), as are the presigned
 * response URL and secret values.
 */
const ALWAYS_REDACTED = ['ResponseURL', 'SecretString', 'SecretBinary', 'authorization', 'x-amz-security-token'];
const REDACTED_KEYS = new Set([...MODEL_SENSITIVE_MEMBERS, ...ALWAYS_REDACTED].map((k) => k.toLowerCase()));
export const REDACTED = '***';
/** How deep a logged value is shown. */
const LOGGED_DEPTH = 12;
/** What a log line shows instead of a value nested deeper than `LOGGED_DEPTH`. */
export const NESTED_DEEPER = `<nested deeper than ${LOGGED_DEPTH} levels>`;

/** A copy of `value` with sensitive members redacted, at most `LOGGED_DEPTH` levels deep (a line always serializes). */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > LOGGED_DEPTH) return NESTED_DEEPER;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = REDACTED_KEYS.has(key.toLowerCase()) && v !== undefined ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const defaultSink: LogSink = (line) => process.stdout.write(`${line}\n`);

export function createLogger(base: Record<string, unknown> = {}, sink: LogSink = currentSink): Logger {
  return {
    log(level, message, fields = {}) {
      // `_aws` is CloudWatch's embedded-metric metadata, written by us and never secret: redacting its `Name` would break the metric.
      const { _aws, ...rest } = fields;
      const entry = { level, message, ...(redact({ ...base, ...rest }) as Record<string, unknown>), ...(_aws === undefined ? {} : { _aws }) };
      sink(JSON.stringify(entry, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v)));
    },
    child(fields) {
      return createLogger({ ...base, ...fields }, sink);
    },
  };
}

let currentSink: LogSink = defaultSink;

/** Redirects every logger created afterwards (the local runner and tests capture lines this way); answers the sink it replaces. */
export function setLogSink(sink: LogSink | undefined): LogSink {
  const previous = currentSink;
  currentSink = sink ?? defaultSink;
  return previous;
}
