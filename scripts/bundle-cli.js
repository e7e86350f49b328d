#!/usr/bin/env node
// Bundles the command line (bin/cli.ts: the emulator, deploy-local, destroy-local, drift) into
// assets/cli/cli.js with esbuild, the AWS SDK clients it uses included, so that the published
// package has no runtime dependency beyond its peers (aws-cdk-lib, constructs) and stays a jsii
// module. package.json "bin" points at the bundle.
'use strict';
const fs = require('fs');
const path = require('path');
const { bundle } = require('./bundle-handler');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, 'assets', 'cli', 'cli.js');

async function bundleCli() {
  const result = await bundle({
    entryPoints: [path.join(root, 'bin', 'cli.ts')],
    outfile,
    target: 'node20',
    // The command runs on the user's machine: the whole credential chain (profiles, SSO), not the handler's.
    alias: {},
  });
  fs.chmodSync(outfile, 0o755);
  return result;
}

module.exports = { bundleCli };

if (require.main === module) {
  bundleCli().catch(() => process.exit(1));
}
