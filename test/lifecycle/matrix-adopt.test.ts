import { runMatrix } from '../harness/fault-matrix';

/**
 * The fault matrix of the example stack's adoption (everything it declares exists, made
 * before and owned by nobody, and is taken over): every API call position the provider makes,
 * with each fault kind injected there; every invariant must hold (see
 * `test/harness/fault-matrix.ts`).
 */
test('adopt: every fault at every call position leaves one answer per request, the declared or the old state exactly, consistent secrets, and a destroyable stack', async () => {
  const { positions, cases, failures } = await runMatrix('adopt', 4);
  expect(positions).toBeGreaterThan(0);
  expect(cases).toBeGreaterThanOrEqual(positions * 3);
  expect(failures).toEqual([]);
}, 900_000);
