#!/usr/bin/env node
// Writes every ```ts block of README.md to test/readme/.generated/example-N.ts, so that
// `npm test` type-checks them (tsc) and synthesizes them (test/readme.test.ts).
// A block is a fragment in the style of the aws-cdk-lib READMEs: its `import` lines stay
// at the top, the rest becomes the body of `example(stack)`, so `stack` is in scope.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const outDir = path.join(root, 'test', 'readme', '.generated');

function extractReadme() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const files = blocks.map((block, i) => {
    const lines = block.split('\n');
    const imports = [];
    const body = [];
    let inImport = false;
    for (const line of lines) {
      if (inImport || /^import\s/.test(line)) {
        imports.push(line.replace(/from 'cdk-wickr-chime'/, "from '../../../lib'"));
        inImport = !/;\s*$/.test(line);
      } else {
        body.push(line);
      }
    }
    const file = path.join(outDir, `example-${i + 1}.ts`);
    const source = [
      `// Generated from README.md block ${i + 1} by scripts/extract-readme.js. Do not edit.`,
      "import type { Stack } from 'aws-cdk-lib';",
      ...imports,
      '',
      'export function example(stack: Stack): void {',
      ...body.map((l) => (l ? `  ${l}` : l)),
      '}',
      '',
    ].join('\n');
    fs.writeFileSync(file, source);
    return file;
  });
  return files;
}

module.exports = { extractReadme };

if (require.main === module) {
  const files = extractReadme();
  console.log(`README: ${files.length} TypeScript example(s) extracted`);
}
