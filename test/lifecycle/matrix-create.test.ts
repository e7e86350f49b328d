import { runMatrix } from '../harness/fault-matrix';

/**
 * The fault matrix of the example stack's create: every API call position the provider
 * makes, with each fault kind injected there; every invariant must hold (see
 * `test/harness/fault-matrix.ts`).
 */
test('create: every fault at every call position leaves one answer per request, the declared or the old state exactly, consistent secrets, and a destroyable stack', async () => {
  const { positions, cases, kinds, failures } = await runMatrix('create', 4);
  expect(positions).toBeGreaterThan(0);
  expect(cases).toBeGreaterThanOrEqual(positions * 3);
  // every kind, named errors and staleness at single calls included (they are sampled: a phase could miss them)
  expect(kinds).toEqual(['ServiceUnavailableException', 'drop-after-commit', 'error', 'latency', 'stale', 'stale (every call)', 'throttle']);
  expect(failures).toEqual([]);
}, 900_000);
