import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CODE_ROOT_SUFFIX, codeDirName } from './code-store';

/**
 * What the runner remembers between runs, in one JSON file (`.local/state.json` by
 * default): per stack its id and, per logical id, what was deployed. This is what
 * CloudFormation keeps server-side; a second run compares against it to update instead
 * of create. The code of each deployed Lambda function is copied beside the file
 * (`<state>.functions/<hash>/`), as Lambda keeps the code it was given: later deletes (a resource
 * removed from the app, `destroy-local`) run the handler that was deployed, not whatever
 * the app builds today.
 */
export const STATE_VERSION = 1;

export interface FunctionState {
  /** The code directory, relative to the state file's directory. */
  readonly code: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** Why the function cannot run locally (container images, zip files); invoking it fails with this. */
  readonly unavailable?: string;
}

export interface ResourceState {
  readonly type: string;
  readonly physicalId: string;
  /** The resolved properties as deployed (before stringification). */
  readonly properties: Record<string, unknown>;
  /** `Fn::GetAtt` values: a custom resource's `Data`, or a native resource's attributes. */
  readonly attributes: Record<string, unknown>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
  /** Logical ids this resource depended on, for deleting in reverse order later. */
  readonly dependencies: string[];
  /** For `AWS::Lambda::Function`: how to run it. */
  readonly function?: FunctionState;
}

export interface StackState {
  readonly stackId: string;
  readonly account: string;
  readonly region: string;
  resources: Record<string, ResourceState>;
  outputs: Record<string, string>;
  /** Export name to value, for `Fn::ImportValue` in other stacks. */
  exports: Record<string, string>;
  /** The export names this stack imports (`Fn::ImportValue`). Absent in states written before they were kept (then read from the template). */
  imports?: string[];
  /** The synthesized template as deployed (what CloudFormation's `GetTemplate` answers). Absent in states written before it was kept. */
  template?: object;
  /** The parameter values as deployed (see `recordedParameters`: a `NoEcho` value is kept as `****`). */
  parameters?: Record<string, string>;
}

export interface StateFile {
  readonly version: number;
  stacks: Record<string, StackState>;
}

export class StateStore {
  readonly dir: string;
  /** Where function code is kept: beside the file, named after it (`state.functions/`). */
  private readonly codeRoot: string;

  constructor(readonly file: string) {
    this.dir = path.dirname(path.resolve(file));
    this.codeRoot = `${path.basename(file).replace(/\.json$/, '')}${CODE_ROOT_SUFFIX}`;
  }

  /** The file's content as it is now (undefined when there is none). */
  raw(): string | undefined {
    return fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8') : undefined;
  }

  load(): StateFile {
    const raw = this.raw();
    if (raw === undefined) return { version: STATE_VERSION, stacks: {} };
    let parsed: StateFile;
    try {
      parsed = JSON.parse(raw) as StateFile;
    } catch (err) {
      // The file is left as it is: it may be repaired by hand, or be someone else's.
      throw new Error(`${this.file} is not valid JSON (${err instanceof Error ? err.message : String(err)}); the file was left untouched: repair it, or move it away to start from an empty state`);
    }
    if (parsed === null || typeof parsed !== 'object' || parsed.version !== STATE_VERSION || typeof parsed.stacks !== 'object' || parsed.stacks === null) {
      throw new Error(`${this.file} is not a deploy-local state file (version ${STATE_VERSION})`);
    }
    return parsed;
  }

  save(state: StateFile): void {
    this.writeRaw(`${JSON.stringify(state, null, 2)}\n`);
  }

  /** Puts back exactly what was there (removes the file when there was none). */
  restore(raw: string | undefined): void {
    if (raw === undefined) fs.rmSync(this.file, { force: true });
    else this.writeRaw(raw);
  }

  /** Copies a function's code directory into the store (once per content, see `code-store.ts`); returns its path relative to the state directory. */
  storeCode(sourceDir: string): string {
    const relative = path.join(this.codeRoot, codeDirName(sourceDir));
    const target = path.join(this.dir, relative);
    if (!fs.existsSync(target)) {
      const temporary = `${target}.${process.pid}.tmp`;
      fs.rmSync(temporary, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.cpSync(sourceDir, temporary, { recursive: true, dereference: true });
      fs.renameSync(temporary, target);
    }
    return relative;
  }

  /** Stores inline code (`Code.ZipFile`) as `index.js`, as any code directory. */
  storeInlineCode(source: string): string {
    const written = fs.mkdtempSync(path.join(os.tmpdir(), 'inline-code-'));
    try {
      fs.writeFileSync(path.join(written, 'index.js'), source);
      return this.storeCode(written);
    } finally {
      fs.rmSync(written, { recursive: true, force: true });
    }
  }

  /** Removes stored code no function in `state` uses any more. */
  pruneCode(state: StateFile): void {
    const root = path.join(this.dir, this.codeRoot);
    if (!fs.existsSync(root)) return;
    const used = new Set<string>();
    for (const stack of Object.values(state.stacks)) {
      for (const resource of Object.values(stack.resources)) if (resource.function) used.add(path.basename(resource.function.code));
    }
    for (const entry of fs.readdirSync(root)) {
      if (!used.has(entry) && !entry.endsWith('.tmp')) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
    }
  }

  private writeRaw(content: string): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, this.file);
  }
}
