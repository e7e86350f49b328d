import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { ExampleStack } from '../bin/example-stack';

/**
 * aws-cdk-lib's built-in CloudFormation validation (on by default in `cdk synth`) finds
 * nothing in the example stack, which uses every construct family. The rest of the suite
 * turns it off (CDK_VALIDATION=false) to stay fast.
 */
test('the built-in CloudFormation validation reports zero findings for the example stack', () => {
  const saved = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-'));
    // With this flag findings are errors: synth throws on any.
    const app = new App({ outdir, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    new ExampleStack(app, 'Validated', { env: { account: '123456789012', region: 'us-east-1' } });
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? []);
    expect(violations).toEqual([]);
    fs.rmSync(outdir, { recursive: true, force: true });
  } finally {
    if (saved !== undefined) process.env.CDK_VALIDATION = saved;
  }
});
