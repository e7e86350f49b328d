import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { newStack, thrown } from '../constructs/helpers';
import { Template } from 'aws-cdk-lib/assertions';
import { Rule, RULES } from './rules.catalogue';

/**
 * The rule walk: every rule the emulator enforces on what this library sends is checked at
 * synth (a violation fails `cdk synth` with the library's message) or has a written reason
 * why only the deploy can know it. Prints how many of each.
 */

const ROOT = path.join(__dirname, '..', '..');

interface Constraint {
  readonly path: string;
  readonly text: string;
}

/** A pattern that accepts anything is no rule. */
const TRIVIAL_PATTERNS = new Set(['[\\S\\s]*', '.*', '[\\s\\S]*']);

/** The operations the handlers call (`new XxxCommand(`), from their sources. */
function calledOperations(): Set<string> {
  const ops = new Set<string>();
  for (const dir of ['lambda/wickr', 'lambda/chime']) {
    for (const file of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
      for (const m of fs.readFileSync(path.join(ROOT, dir, file), 'utf8').matchAll(/\b(\w+)Command\b/g)) ops.add(m[1]);
    }
  }
  return ops;
}

/** Every length, range, pattern and enum of the input members of those operations, as `Operation.member.path`. */
function modelConstraints(): Constraint[] {
  const called = calledOperations();
  const out: Constraint[] = [];
  for (const file of ['wickr-2024-02-01.json', 'chime-sdk-identity-2021-04-20.json']) {
    const model = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', file), 'utf8'));
    const shapes: Record<string, any> = model.shapes;
    const walk = (shapeName: string, at: string, seen: ReadonlySet<string>) => {
      const shape = shapes[shapeName];
      if (!shape || seen.has(shapeName)) return;
      const inner = new Set(seen).add(shapeName);
      const kinds = ['min', 'max', 'pattern', 'enum'].filter((k) => shape[k] !== undefined && !(k === 'pattern' && TRIVIAL_PATTERNS.has(shape.pattern)));
      if (kinds.length) out.push({ path: at, text: kinds.map((k) => `${k} ${JSON.stringify(shape[k])}`).join(', ') });
      if (shape.type === 'structure') {
        for (const [name, member] of Object.entries<any>(shape.members ?? {})) if (!member.idempotencyToken) walk(member.shape, `${at}.${name}`, inner);
      }
      if (shape.type === 'list') walk(shape.member.shape, `${at}[]`, inner);
    };
    for (const [op, operation] of Object.entries<any>(model.operations)) {
      if (called.has(op) && operation.input) walk(typeof operation.input === 'string' ? operation.input : operation.input.shape, op, new Set());
    }
  }
  return out;
}

const globToRegExp = (glob: string) => new RegExp(`^${glob.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\*/g, '.*')}$`);
const covers = (rule: Rule, c: Constraint) => (rule.model ?? []).some((glob) => globToRegExp(glob).test(c.path));

function synthErrors(violate: (stack: Stack) => void): string {
  const stack = newStack();
  return thrown(() => {
    violate(stack);
    Template.fromStack(stack);
  });
}

describe('the rules catalogue', () => {
  test('every rule has exactly one of a synth-time check and a reason, and a unique id', () => {
    const without = RULES.filter((r) => (r.check === undefined) === (r.reason === undefined)).map((r) => r.id);
    expect(without).toEqual([]);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  test("every model constraint of an operation the handlers call is some rule's", () => {
    const constraints = modelConstraints();
    expect(constraints.length).toBeGreaterThan(50);
    expect(constraints.filter((c) => !RULES.some((r) => covers(r, c))).map((c) => `${c.path} (${c.text})`)).toEqual([]);
  });

  test.each(RULES.filter((r) => r.check).map((r) => [r.id, r] as const))('%s: a violation fails synth with its message', (_id, rule) => {
    const message = synthErrors(rule.check!.violate);
    expect(message).toContain(rule.check!.error);
    // The library's message: the construct path first, never a stack trace.
    expect(message).toMatch(/\[Test\/[^\]]+\] /);
    expect(message).not.toMatch(/\n\s+at /);
  });

  test('the counts: checked at synth, left to the deploy (each with its reason)', () => {
    const checked = RULES.filter((r) => r.check);
    const deploy = RULES.filter((r) => r.reason);
    const lines = [
      `rules: ${checked.length} checked at synth, ${deploy.length} left to the deploy`,
      ...deploy.map((r) => `  ${r.id}: ${r.rule} -- ${r.reason}`),
    ];
    // eslint-disable-next-line no-console
    console.log(lines.join('\n'));
    expect(checked.length + deploy.length).toBe(RULES.length);
    expect(checked.length).toBeGreaterThan(deploy.length);
  });
});
