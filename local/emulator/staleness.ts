import { EmulatorResponse, PLAIN_SECRETS, ProtocolService, ServiceName } from './protocol';

/**
 * Eventual consistency, as `stale` faults inject it (see `faults.ts`). While one is in force
 * for a service, or changes it hid are still hidden, the state before every change to that
 * service is kept, with when the change was made and until when it stays hidden. A read is
 * answered from the state before the oldest change it may not see yet: one made within the
 * read's own lag (a stale read), or one a stale change still hides. So a read never shows a
 * newer state without the older ones, as a lagging replica would. The service itself (what
 * it accepts or refuses, its client tokens) always works on its true state.
 */

/** The calls `stale` treats as reads (lists and gets); every other call is a change. */
export function isRead(operation: string): boolean {
  return /^(Get|List|Describe)/.test(operation);
}

/** The services whose reads can be stale: their operations answer at once (never a promise). */
export const STALE_SERVICES: readonly ServiceName[] = ['wickr', 'chime', 'secretsmanager', 's3'];

interface Change {
  /** When it was made (emulator clock, epoch ms). */
  readonly at: number;
  /** Reads see it from then on, at the earliest. */
  readonly hiddenUntil: number;
  /** The service's state just before it. */
  readonly before: unknown;
}

/** The changes reads may not see yet, per service (see the module comment). */
export class Staleness {
  private readonly changes = new Map<ServiceName, Change[]>();

  /**
   * Called before a change to a service runs. `hideMs`: how long a stale fault on this call
   * hides it; `lagMs`: the largest lag of the stale faults in force for the service (what is
   * newer than that may still be asked for).
   */
  beforeChange(endpoint: ProtocolService, now: number, hideMs: number, lagMs: number): void {
    const kept = this.relevant(endpoint.name, now, lagMs);
    if (hideMs <= 0 && lagMs <= 0 && kept.length === 0) return;
    const before = JSON.parse(JSON.stringify(endpoint.exportState(PLAIN_SECRETS))) as unknown;
    this.changes.set(endpoint.name, [...kept, { at: now, hiddenUntil: now + hideMs, before }]);
  }

  /** Runs a read (`lagMs`: its own lag, 0 when it is not stale) against the state it may see. */
  read<T extends EmulatorResponse | Promise<EmulatorResponse>>(endpoint: ProtocolService, now: number, lagMs: number, run: () => T): T {
    const unseen = (this.changes.get(endpoint.name) ?? []).find((c) => c.hiddenUntil > now || c.at > now - lagMs);
    if (!unseen) return run();
    const current = endpoint.exportState(PLAIN_SECRETS);
    endpoint.importState(unseen.before, PLAIN_SECRETS);
    try {
      // Synchronous: no other request runs before the true state is back (STALE_SERVICES).
      return run();
    } finally {
      endpoint.importState(current, PLAIN_SECRETS);
    }
  }

  /** Forgets every change (the faults were cleared, or the state replaced). */
  clear(): void {
    this.changes.clear();
  }

  /** The kept changes some read may still not see. */
  private relevant(service: ServiceName, now: number, lagMs: number): Change[] {
    return (this.changes.get(service) ?? []).filter((c) => c.hiddenUntil > now || c.at > now - lagMs);
  }
}
