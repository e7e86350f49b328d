/**
 * Dependency order, as CloudFormation uses it: a resource starts once everything it
 * depends on is done; independent resources run concurrently up to a limit. Deletion
 * runs the same scheduler with the edges reversed.
 */

/** A cycle among `nodes` (as a list of its members), or undefined. */
export function findCycle(nodes: readonly string[], prerequisites: (node: string) => readonly string[]): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const known = new Set(nodes);
  let cycle: string[] | undefined;

  const visit = (node: string): boolean => {
    const s = state.get(node);
    if (s === 'done') return false;
    if (s === 'visiting') {
      cycle = stack.slice(stack.indexOf(node));
      return true;
    }
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of prerequisites(node)) {
      if (known.has(next) && visit(next)) return true;
    }
    stack.pop();
    state.set(node, 'done');
    return false;
  };

  for (const node of nodes) if (visit(node)) return cycle;
  return undefined;
}

/** `nodes` in an order where every node comes after its prerequisites (stable: template order among equals). */
export function topologicalOrder(nodes: readonly string[], prerequisites: (node: string) => readonly string[]): string[] {
  const known = new Set(nodes);
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (node: string, path: Set<string>) => {
    if (done.has(node) || path.has(node)) return;
    path.add(node);
    for (const p of prerequisites(node)) if (known.has(p)) visit(p, path);
    path.delete(node);
    done.add(node);
    out.push(node);
  };
  for (const node of nodes) visit(node, new Set());
  return out;
}

/** The edges reversed: for each node, the nodes that have it as a prerequisite. */
export function reverseEdges(nodes: readonly string[], prerequisites: (node: string) => readonly string[]): (node: string) => string[] {
  const known = new Set(nodes);
  const dependents = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const node of nodes) {
    for (const p of prerequisites(node)) if (known.has(p) && p !== node) dependents.get(p)?.push(node);
  }
  return (node) => dependents.get(node) ?? [];
}

export type NodeOutcome = 'ok' | 'failed';

export interface ScheduleResult {
  readonly ok: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
  /** Never started: a prerequisite failed, or the run stopped after a failure. */
  readonly notStarted: ReadonlySet<string>;
}

export interface ScheduleOptions {
  /** At most this many nodes run at once. */
  readonly concurrency: number;
  /**
   * After the first failure start nothing new (a deployment: CloudFormation stops and
   * rolls back). Otherwise keep going with everything that does not depend on a
   * failure (a stack deletion).
   */
  readonly stopOnFailure: boolean;
}

/**
 * Runs `work` for every node once all its prerequisites succeeded, at most `concurrency`
 * at a time; waits for the nodes in flight before returning.
 */
export async function schedule(
  nodes: readonly string[],
  prerequisites: (node: string) => readonly string[],
  work: (node: string) => Promise<NodeOutcome>,
  options: ScheduleOptions,
): Promise<ScheduleResult> {
  const known = new Set(nodes);
  const ok = new Set<string>();
  const failed = new Set<string>();
  const running = new Set<string>();
  const started = new Set<string>();
  const concurrency = Math.max(1, options.concurrency);
  let stopped = false;

  return new Promise<ScheduleResult>((resolve) => {
    const pump = () => {
      if (!stopped) {
        for (const node of nodes) {
          if (running.size >= concurrency) break;
          if (started.has(node)) continue;
          const prereqs = prerequisites(node).filter((p) => known.has(p) && p !== node);
          if (!prereqs.every((p) => ok.has(p))) continue;
          started.add(node);
          running.add(node);
          work(node)
            .catch((): NodeOutcome => 'failed')
            .then((outcome) => {
              running.delete(node);
              (outcome === 'ok' ? ok : failed).add(node);
              if (outcome === 'failed' && options.stopOnFailure) stopped = true;
              pump();
            });
        }
      }
      if (running.size === 0) {
        resolve({ ok, failed, notStarted: new Set(nodes.filter((n) => !started.has(n))) });
      }
    };
    pump();
  });
}
