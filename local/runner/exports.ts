import { StackState, StateFile } from './state';

/**
 * Exports between stacks, as CloudFormation guards them: a stack's export that another stack
 * imports (`Fn::ImportValue`) can be neither deleted (with its stack or from its template)
 * nor changed while the importing stack exists.
 */

/** The export names a deployed stack imports: as recorded at its deploy, else the literal names in its template. */
export function importsOf(stack: StackState): readonly string[] {
  if (stack.imports) return stack.imports;
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'Fn::ImportValue' && typeof inner === 'string') names.add(inner);
        else visit(inner);
      }
    }
  };
  visit(stack.template);
  return [...names];
}

/** The other stacks of the state that import `exportName`. */
export function importersOf(state: StateFile, exportName: string, exporter: string): string[] {
  return Object.entries(state.stacks)
    .filter(([name, stack]) => name !== exporter && importsOf(stack).includes(exportName))
    .map(([name]) => name);
}

/** CloudFormation's reason for refusing to delete a stack whose exports are imported, or undefined when none is. */
export function exportsBlockingDelete(state: StateFile, stackName: string): string | undefined {
  const reasons: string[] = [];
  for (const exportName of Object.keys(state.stacks[stackName]?.exports ?? {})) {
    const importers = importersOf(state, exportName, stackName);
    if (importers.length > 0) reasons.push(`Export ${exportName} cannot be deleted as it is in use by ${importers.join(', ')}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

/**
 * CloudFormation's reason for refusing an update of `stackName` that removes or changes an
 * export another stack imports, or undefined.
 */
export function exportsBlockingUpdate(state: StateFile, stackName: string, next: Readonly<Record<string, string>>): string | undefined {
  const reasons: string[] = [];
  for (const [exportName, value] of Object.entries(state.stacks[stackName]?.exports ?? {})) {
    if (next[exportName] === value) continue;
    const importers = importersOf(state, exportName, stackName);
    if (importers.length === 0) continue;
    reasons.push(exportName in next ? `Cannot update export ${exportName} as it is in use by ${importers.join(', ')}` : `Cannot delete export ${exportName} as it is in use by ${importers.join(', ')}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
