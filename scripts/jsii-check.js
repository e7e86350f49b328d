#!/usr/bin/env node
// The checks a jsii library owes its users in every language, run by `npm test` (and CI):
//   1. the jsii compiler accepts the public API (the assembly, .jsii, is rebuilt from the sources);
//   2. jsii-rosetta compiles every TypeScript snippet of the README (--strict: a snippet that
//      does not compile fails) and translates it, into the tablet (.jsii.tabl.json);
//   3. jsii-pacmak generates the Python, Java, .NET and Go packages with that tablet, so their
//      READMEs carry translated examples (--code-only: the language toolchains and registries
//      are not needed to prove the code is generated); the Python README must hold Python, and
//      README.md's quick start in Python must be rosetta's translation of the current one;
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
const { withPythonQuickStart } = require('./readme-python');

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

/**
 * The generated Python package's README carries Python: every TypeScript snippet of the README
 * became a ```python block that rosetta translated (no `const`, `new`, `import {`, `;` line ends),
 * and no ```ts block is left.
 */
function checkPythonReadme(file, snippets) {
  const text = fs.readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
  const leftover = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript').length;
  if (leftover) throw new Error(`the Python README still has ${leftover} TypeScript block(s)`);
  const python = blocks.filter((b) => b.lang === 'python');
  const typescript = python.filter((b) => /^\s*(const|let) \w+ = |\bnew [A-Z]\w*\(|^import \{|;\s*$/m.test(b.code));
  if (typescript.length) throw new Error(`the Python README has ${typescript.length} \`\`\`python block(s) holding TypeScript, the first:\n${typescript[0].code}`);
  if (python.length < snippets) throw new Error(`the Python README has ${python.length} python blocks for ${snippets} README snippets`);
  if (!python.some((b) => /^from cdk_wickr_chime import /m.test(b.code))) throw new Error('no Python block of the Python README imports cdk_wickr_chime');
  console.log(`jsii-pacmak: the Python README holds ${python.length} Python blocks, none TypeScript`);
}

function main() {
  const compiled = run('jsii compile', bin('jsii'), ['--generate-tsconfig', 'tsconfig.jsii.json', '--silence-warnings', 'reserved-word', '--fail-on-warnings']);
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  console.log(`jsii: ${Object.keys(assembly.types).length} types in the assembly (${compiled.seconds} s)`);

  // No tablet from an earlier run: every snippet is compiled and translated again, not taken from the cache.
  fs.rmSync(path.join(root, '.jsii.tabl.json'), { force: true });
  const rosetta = run('jsii-rosetta', bin('jsii-rosetta'), ['extract', '--strict']);
  const tablet = JSON.parse(fs.readFileSync(path.join(root, '.jsii.tabl.json'), 'utf8'));
  console.log(`jsii-rosetta: ${Object.keys(tablet.snippets ?? {}).length} snippets (the README's) compile and are translated (${rosetta.seconds} s)`);

  const outdir = path.join(root, 'dist');
  fs.rmSync(outdir, { recursive: true, force: true });
  const targets = Object.keys(TARGETS);
  const generated = run('jsii-pacmak', bin('jsii-pacmak'), [
    '--code-only', '--outdir', outdir, '--rosetta-tablet', '.jsii.tabl.json', '--rosetta-unknown-snippets', 'fail', ...targets.flatMap((t) => ['--target', t]),
  ]);
  const counts = targets.map((t) => [t, countFiles(path.join(outdir, TARGETS[t]))]);
  const empty = counts.filter(([, n]) => n === 0).map(([t]) => t);
  if (empty.length) throw new Error(`jsii-pacmak generated nothing for ${empty.join(', ')}`);
  console.log(`jsii-pacmak: ${counts.map(([t, n]) => `${t} ${n} files`).join(', ')} (${generated.seconds} s)`);
  checkPythonReadme(path.join(outdir, 'python', 'README.md'), Object.keys(tablet.snippets ?? {}).length);

  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  if (withPythonQuickStart(readme, tablet) !== readme) {
    throw new Error("README.md's quick start in Python is not what jsii-rosetta makes of the TypeScript quick start: run `npm run readme:python` and commit README.md");
  }
  console.log("README: the quick start in Python is rosetta's translation of the current one");

  const fresh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-')), 'API.md');
  const docs = run('jsii-docgen', bin('jsii-docgen'), ['-o', fresh]);
  const committed = fs.existsSync(path.join(root, 'API.md')) ? fs.readFileSync(path.join(root, 'API.md'), 'utf8') : '';
  const expected = fs.readFileSync(fresh, 'utf8');
  fs.rmSync(path.dirname(fresh), { recursive: true, force: true });
  if (committed !== expected) throw new Error('API.md is stale: it is not what jsii-docgen makes of the public API; run `npm run docgen` and commit API.md');
  console.log(`jsii-docgen: API.md is current (${docs.seconds} s)`);
}

module.exports = { checkPythonReadme };

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`jsii check: ${err.message}`);
    process.exit(1);
  }
}
