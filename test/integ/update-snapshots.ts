/**
 * `npm run integ:snapshot [-- [--force] integ.NAME ...]`: writes the snapshots of the
 * integration test cases (all, or the named ones) without an AWS account, laid out as
 * integ-runner writes them after a successful run (see `cases.ts`). As integ-runner, it
 * rewrites only the snapshots whose templates changed (asset hashes aside: a new handler
 * bundle alone does not make a snapshot stale), or every one with `--force`. `npm test` fails while a committed
 * snapshot differs from what its case synthesizes; a run of `npm run integ -- --update-on-failed`
 * with an account writes the same snapshots after deploying the cases and passing their
 * assertions.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compareWithSnapshot, discoverCases, machinePathsIn, orphanSnapshots, ROOT, synthCase, tempDir, writeSnapshot } from './cases';

async function main(args: readonly string[]): Promise<number> {
  const force = args.includes('--force');
  const names = args.filter((a) => a !== '--force');
  const all = discoverCases();
  const unknown = names.filter((n) => !all.some((c) => c.name === n || c.name === n.replace(/\.ts$/, '')));
  if (unknown.length > 0) {
    process.stderr.write(`no such integration test case: ${unknown.join(', ')} (there are ${all.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  const cases = names.length > 0 ? all.filter((c) => names.some((n) => c.name === n.replace(/\.ts$/, ''))) : all;
  const work = tempDir('integ-snapshot-');
  let failed = 0;
  try {
    for (const testCase of cases) {
      const outdir = path.join(work, testCase.name);
      try {
        await synthCase(testCase, outdir);
      } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        failed++;
        continue;
      }
      const changed = compareWithSnapshot(testCase, outdir).length > 0;
      if (!changed && !force) {
        process.stdout.write(`  UNCHANGED  ${path.relative(ROOT, testCase.snapshotDir)}\n`);
        continue;
      }
      writeSnapshot(testCase, outdir);
      const leaks = machinePathsIn(testCase.snapshotDir);
      if (leaks.length > 0) {
        process.stderr.write(`${testCase.name}: the snapshot holds paths of this machine:\n  ${leaks.join('\n  ')}\n`);
        failed++;
      }
      process.stdout.write(`  WRITTEN    ${path.relative(ROOT, testCase.snapshotDir)}\n`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (names.length === 0) {
    for (const orphan of orphanSnapshots(all)) {
      fs.rmSync(orphan, { recursive: true, force: true });
      process.stdout.write(`  REMOVED    ${path.relative(ROOT, orphan)} (its case is gone)\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
