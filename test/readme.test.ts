import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { extractReadme } = require('../scripts/extract-readme.js') as { extractReadme(): string[] };

/** Every TypeScript example of the README synthesizes (`npm test` type-checks them first). */
const files = extractReadme();

test('the README has examples', () => {
  expect(files.length).toBeGreaterThanOrEqual(3);
});

test.each(files.map((f) => [path.basename(f), f]))('README %s synthesizes', (_name, file) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { example } = require(file) as { example(stack: Stack): void };
  const app = new App();
  const stack = new Stack(app, 'ReadmeExample', { env: { account: '123456789012', region: 'us-east-1' } });
  example(stack);
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  expect(Object.values(resources).some((r) => r.Type.startsWith('Custom::'))).toBe(true);
});
