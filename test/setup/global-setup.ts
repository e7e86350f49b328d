// Bundles the handler once per test run, so construct tests synthesize against the
// current handler and lifecycle tests deploy exactly what a user would ship.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require('../../scripts/bundle-handler.js');

export default async function globalSetup(): Promise<void> {
  await bundle();
}
