import * as fs from 'fs';
import * as path from 'path';

// Bundles the handler once per test run, so construct tests synthesize against the
// current handler and lifecycle tests deploy exactly what a user would ship. When the
// handler does not build, the stale bundle is removed: tests that need it then fail
// with the provider's "bundle is missing" error, and the others still run.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bundle } = require('../../scripts/bundle-handler.js');

export default async function globalSetup(): Promise<void> {
  try {
    await bundle();
  } catch (err) {
    fs.rmSync(path.join(__dirname, '..', '..', 'assets', 'handler'), { recursive: true, force: true });
    process.stderr.write(`\nThe provider handler does not build: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
