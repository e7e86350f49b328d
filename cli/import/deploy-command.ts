import { ADOPT_CONTEXT } from '../../lambda/core/ownership.wire';
import { shellWord } from '../command';

/** Where the imported stack goes, and what it adopts. */
export interface DeployPlace {
  readonly outDir: string;
  readonly name: string;
  /** The adoption context's entries (`LOGICALID` or `LOGICALID=ID`). */
  readonly adopt: readonly string[];
  /** The emulator `import` read (`--endpoint`): the deploy is `deploy-local`'s, into the same emulator. */
  readonly endpoint?: string;
  /** deploy-local's state file (`--state`). */
  readonly state?: string;
}


/**
 * The one command that deploys the generated app and adopts exactly what it declares: the
 * `cdk-wickr-chime:adopt` context names every logical id (with the ARN of what a name does not
 * identify). After `--endpoint` or `--state`, it
 * is `deploy-local` into the same emulator.
 */
export function deployCommand(place: DeployPlace): string {
  const appPath = `${place.outDir.replace(/\/+$/, '')}/${place.name}-app.ts`;
  const app = shellWord(`npx ts-node ${shellWord(appPath)}`);
  const context = shellWord(`${ADOPT_CONTEXT}=${place.adopt.join(',')}`);
  if (!place.endpoint && !place.state) return `npx cdk deploy ${shellWord(place.name)} --app ${app} -c ${context}`;
  const target = place.endpoint ? `--endpoint ${shellWord(place.endpoint)}` : `--state ${shellWord(place.state as string)}`;
  return `npx cdk-wickr-chime deploy-local ${target} --app ${app} --stack ${shellWord(place.name)} --context ${context}`;
}
