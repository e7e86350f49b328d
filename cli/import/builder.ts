import { camel, Code, IdAllocator, literal, str } from './format';

/** Words a variable must not be: `camel(id)` of a construct id `Default` would be `default`. */
const RESERVED = [
  'Await', 'Break', 'Case', 'Catch', 'Class', 'Const', 'Continue', 'Debugger', 'Default', 'Delete', 'Do', 'Else', 'Enum', 'Export', 'Extends', 'False',
  'Finally', 'For', 'Function', 'If', 'Implements', 'Import', 'In', 'Instanceof', 'Interface', 'Let', 'New', 'Null', 'Package', 'Private', 'Protected',
  'Public', 'Return', 'Static', 'Super', 'Switch', 'This', 'Throw', 'True', 'Try', 'Typeof', 'Var', 'Void', 'While', 'With', 'Yield', 'Of',
  // Names the generated file itself uses.
  'Id', 'Scope', 'Path', 'Secretsmanager', 'Kms', 'Construct', 'Duration', 'Tags', 'Stack', 'App',
];

/** A secret the user must create before the resource that reads it changes. */
export interface SecretTodo {
  readonly name: string;
  readonly holding: string;
}

/**
 * What the generated construct is made of while it is written: the body's statements, the
 * names each import line needs, the construct paths of the custom resources (for their
 * logical ids), the secrets to create, and the files beside it (the users CSV).
 */
export class Builder {
  readonly lines: string[] = [];
  /** Names imported from `cdk-wickr-chime`. */
  readonly library = new Set<string>();
  /** Names imported from `aws-cdk-lib` (`Duration`, `Tags`). */
  readonly cdk = new Set<string>();
  /** Module namespaces (`secretsmanager`, `kms`, `path`). */
  readonly modules = new Set<'secretsmanager' | 'kms' | 'path'>();
  /** Construct paths below the generated construct of every custom resource it declares. */
  readonly resources: string[][] = [];
  /** For each of `resources`, the id an adoption names it by, where its name is not an identity (a Chime app instance's or bot's ARN). */
  readonly adoptIds: Array<string | undefined> = [];
  readonly secrets: SecretTodo[] = [];
  /** Files written beside the construct: name → content. */
  readonly files = new Map<string, string>();
  private readonly ids: IdAllocator;

  constructor(readonly className: string) {
    this.ids = new IdAllocator([...RESERVED, className]);
  }

  /** A unique construct id (and variable name: its camel case) from a resource's name. */
  id(name: string, fallback: string): string {
    return this.ids.allocate(name, fallback);
  }

  /** `const x = new Type(this, 'Id', props);` (or without the variable), recording the resource at `path`. */
  declare(type: string, id: string, props: Record<string, unknown>, options: { variable?: boolean; path?: string[]; comment?: string; adoptId?: string } = {}): Code {
    this.library.add(type);
    if (options.comment) this.comment(options.comment);
    const variable = camel(id);
    const head = options.variable ? `const ${variable} = ` : '';
    this.lines.push(`${head}new ${type}(this, ${str(id)}, ${literal(props, 0)});`);
    this.resources.push(options.path ?? [id]);
    this.adoptIds.push(options.adoptId);
    return new Code(variable);
  }

  /** A statement as it is. */
  statement(text: string): void {
    this.lines.push(text);
  }

  comment(text: string): void {
    for (const line of wrap(text, 100)) this.lines.push(`// ${line}`);
  }

  blank(): void {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }

  /**
   * A Secrets Manager secret, referenced by name (`Secret.fromSecretNameV2`), with a TODO
   * comment naming what to create: the value itself is never known here.
   */
  secret(ownerId: string, purpose: string, holding: string): Code {
    this.modules.add('secretsmanager');
    const name = `${this.className}/${ownerId}/${purpose}`;
    const id = this.id(`${ownerId}-${purpose}`, 'Secret');
    this.secrets.push({ name, holding });
    this.comment(`TODO: create secret "${name}" holding ${holding}`);
    return new Code(`secretsmanager.Secret.fromSecretNameV2(this, ${str(id)}, ${str(name)})`);
  }

  /** `Tags.of(x).add(k, v)` for each tag, sorted by key. */
  tags(target: Code, tags: ReadonlyArray<{ Key: string; Value: string }>): void {
    if (tags.length === 0) return;
    this.cdk.add('Tags');
    for (const t of tags) this.lines.push(`Tags.of(${target.text}).add(${str(t.Key)}, ${str(t.Value)});`);
  }
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) out.push(line);
  return out;
}
