#!/usr/bin/env node
// The checks a jsii library owes its users in every language, run by `npm test` (and CI):
//   1. the jsii compiler accepts the public API (the assembly, .jsii, is rebuilt from the sources);
//   2. jsii-pacmak generates the Python, Java, .NET and Go packages (--code-only: the language
//      toolchains and registries are not needed to prove the code is generated);
//   3. jsii-rosetta compiles every TypeScript snippet of the README (--strict: a snippet that
//      does not compile fails);
//   4. API.md is what jsii-docgen makes of the assembly (`npm run docgen` refreshes it).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
// The jsii tools print a banner about the Node.js version on every run; the supported range is package.json's.
const env = { ...process.env, JSII_SILENCE_SUPPORT_WARNING: '1' };
const TARGETS = { python: 'python', java: 'java', dotnet: 'dotnet', go: 'go' };

function run(step, command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    throw new Error(`${step} failed (${[path.basename(command), ...args].join(' ')}: exit ${result.status})`);
  }
  return { output: `${result.stdout}${result.stderr}`, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function countFiles(dir) {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

function main() {
  const compiled = run('jsii compile', bin('jsii'), ['--generate-tsconfig', 'tsconfig.jsii.json', '--silence-warnings', 'reserved-word', '--fail-on-warnings']);
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  console.log(`jsii: ${Object.keys(assembly.types).length} types in the assembly (${compiled.seconds} s)`);

  const outdir = path.join(root, 'dist');
  fs.rmSync(outdir, { recursive: true, force: true });
  const targets = Object.keys(TARGETS);
  const generated = run('jsii-pacmak', bin('jsii-pacmak'), ['--code-only', '--outdir', outdir, ...targets.flatMap((t) => ['--target', t])]);
  const counts = targets.map((t) => [t, countFiles(path.join(outdir, TARGETS[t]))]);
  const empty = counts.filter(([, n]) => n === 0).map(([t]) => t);
  if (empty.length) throw new Error(`jsii-pacmak generated nothing for ${empty.join(', ')}`);
  console.log(`jsii-pacmak: ${counts.map(([t, n]) => `${t} ${n} files`).join(', ')} (${generated.seconds} s)`);

  // No tablet from an earlier run: every snippet is compiled again, not taken from the cache.
  fs.rmSync(path.join(root, '.jsii.tabl.json'), { force: true });
  const rosetta = run('jsii-rosetta', bin('jsii-rosetta'), ['extract', '--strict']);
  const tablet = JSON.parse(fs.readFileSync(path.join(root, '.jsii.tabl.json'), 'utf8'));
  console.log(`jsii-rosetta: ${Object.keys(tablet.snippets ?? {}).length} snippets (the README's) compile (${rosetta.seconds} s)`);

  const fresh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-')), 'API.md');
  const docs = run('jsii-docgen', bin('jsii-docgen'), ['-o', fresh]);
  const committed = fs.existsSync(path.join(root, 'API.md')) ? fs.readFileSync(path.join(root, 'API.md'), 'utf8') : '';
  const expected = fs.readFileSync(fresh, 'utf8');
  fs.rmSync(path.dirname(fresh), { recursive: true, force: true });
  if (committed !== expected) throw new Error('API.md is stale: it is not what jsii-docgen makes of the public API; run `npm run docgen` and commit API.md');
  console.log(`jsii-docgen: API.md is current (${docs.seconds} s)`);
}

try {
  main();
} catch (err) {
  console.error(`jsii check: ${err.message}`);
  process.exit(1);
}
