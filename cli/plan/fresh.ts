import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isMutating } from '../../lambda/core/calls';
import { Template } from '../../lambda/core/template';
import { PlannedCall } from './dry-run';

/**
 * The calls a create of something new will make. The plan cannot run such a create against
 * the account (what it makes, and what follows from it, is not there to read), so it runs the
 * provider's create on the library's model of the services, the local emulator, in this
 * process and in memory: the stack deployed into an empty account, each create's changing
 * calls counted from the provider's own log ("api call" lines). A create whose parent the
 * model does not have (a network the stack imports by id) is not counted. This module is the
 * plan's one use of `local/`; nothing here reaches the account.
 */

export interface FreshCounts {
  /** The changing calls of each resource's create, by logical id (counted ones only). */
  readonly calls: Map<string, PlannedCall[]>;
  /** Why a resource's create could not be counted, by logical id. */
  readonly uncounted: Map<string, string>;
}

/** Secret names the template references by a literal ARN (`Secret.fromSecretNameV2`; the stack's own secrets it refers to by `Ref`): the model gets a placeholder value. */
export function referencedSecretNames(template: Template): string[] {
  const names = new Set<string>();
  const text = JSON.stringify(template.Resources ?? {});
  for (const m of text.matchAll(/:secret:([A-Za-z0-9/_+=.@-]+?)(?:-\?\?\?\?\?\?)?"/g)) names.add(m[1]);
  return [...names].sort();
}

/** Deploys `stackName` of the assembly into an empty emulator and counts each create's changing calls. */
export async function countCreates(assemblyDir: string, stackName: string, template: Template): Promise<FreshCounts> {
  const { startEmulator } = await import('../../local/emulator');
  const { deployLocal } = await import('../../local/runner');
  const running = await startEmulator({ port: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-model-'));
  try {
    const secrets = Object.fromEntries(referencedSecretNames(template).map((name) => [name, 'plan-placeholder-value']));
    const report = await deployLocal({ assemblyDir, stacks: [stackName], stateFile: path.join(dir, 'state.json'), emulator: running, secrets, out: () => undefined, err: () => undefined });
    const calls = new Map<string, PlannedCall[]>();
    for (const record of report.logs) {
      if (record.requestType !== 'Create') continue;
      const entry = parseLine(record.line);
      if (entry?.message !== 'api call' || typeof entry.operation !== 'string' || !isMutating(entry.operation)) continue;
      const list = calls.get(record.logicalId) ?? [];
      list.push({ service: String(entry.service), operation: entry.operation });
      calls.set(record.logicalId, list);
    }
    const uncounted = new Map<string, string>();
    for (const i of report.invocations) {
      if (i.requestType !== 'Create') continue;
      if (i.status !== 'SUCCESS') uncounted.set(i.logicalId, `its create could not be counted on the model of the services: ${i.reason ?? 'it failed'}`);
      else if (!calls.has(i.logicalId)) calls.set(i.logicalId, []);
    }
    return { calls, uncounted };
  } finally {
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function parseLine(line: string): Record<string, unknown> | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(line.slice(start)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
