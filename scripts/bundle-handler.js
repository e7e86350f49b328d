#!/usr/bin/env node
// Bundles the provider handler (lambda/index.ts) into assets/handler/index.js with esbuild.
// Runs during the library's own build, so a consumer's `cdk synth` needs neither esbuild nor Docker.
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');

/** The handler's esbuild options, with `options` over them (the CLI and the integ tests' Wickr layer reuse them). */
function buildOptions(options = {}) {
  return {
    entryPoints: [path.join(root, 'lambda', 'index.ts')],
    outfile: path.join(root, 'assets', 'handler', 'index.js'),
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // The SDK loads node:http lazily with import(); as require() it needs no ESM loader
    // (and runs the same inside the local runner and Jest).
    supported: { 'dynamic-import': false },
    // In Lambda the credentials are in the environment: leave the rest of the chain out.
    alias: { '@aws-sdk/credential-provider-node': path.join(root, 'lambda', 'core', 'lambda-credentials.ts') },
    mainFields: ['module', 'main'],
    legalComments: 'none',
    metafile: true,
    logLevel: 'error',
    ...options,
  };
}

async function bundle(options = {}) {
  return esbuild.build(buildOptions(options));
}

module.exports = { bundle, buildOptions };

if (require.main === module) {
  bundle().catch(() => process.exit(1));
}
