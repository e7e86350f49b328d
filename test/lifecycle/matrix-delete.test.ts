import { runMatrix } from '../harness/fault-matrix';

/**
 * The fault matrix of the example stack's delete: every API call position the provider
 * makes, with each fault kind injected there; every invariant must hold (see
 * `test/harness/fault-matrix.ts`).
 */
test('delete: every fault at every call position leaves one answer per request, the declared or the old state exactly, consistent secrets, and a destroyable stack', async () => {
  const { positions, cases, kinds, failures } = await runMatrix('delete', 4);
  expect(positions).toBeGreaterThan(0);
  expect(cases).toBeGreaterThanOrEqual(positions * 3);
  expect(kinds).toEqual(['error', 'throttle', 'drop-after-commit', 'latency', 'stale']);
  expect(failures).toEqual([]);
}, 900_000);
