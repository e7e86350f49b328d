import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * What `npm run jsii:check` asks of the generated Python package's README (the check itself
 * runs in `npm test` on the real one): Python under ```python fences, never the TypeScript
 * that jsii-pacmak leaves there without a rosetta tablet; and README.md's Python quick start
 * is rosetta's translation of the TypeScript one.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkPythonReadme } = require('../../scripts/jsii-check.js') as { checkPythonReadme: (file: string, snippets: number) => void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { withPythonQuickStart, BEGIN } = require('../../scripts/readme-python.js') as { withPythonQuickStart: (readme: string, tablet: unknown) => string; BEGIN: string };

const TS = "import { AccessLevel, WickrNetwork } from 'cdk-wickr-chime';\n\nconst network = new WickrNetwork(stack, 'Ops', { networkName: 'ops', accessLevel: AccessLevel.PREMIUM });\n";
const PY = 'from cdk_wickr_chime import AccessLevel, WickrNetwork\n\nnetwork = WickrNetwork(stack, "Ops", network_name="ops", access_level=AccessLevel.PREMIUM)\n';

function readmeFile(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'py-readme-')), 'README.md');
  fs.writeFileSync(file, text);
  return file;
}

test('a Python README whose python blocks hold TypeScript (pacmak without the tablet) fails the check', () => {
  expect(() => checkPythonReadme(readmeFile(`# x\n\n\`\`\`python\n${TS}\`\`\`\n`), 1)).toThrow(/1 ```python block\(s\) holding TypeScript/);
  expect(() => checkPythonReadme(readmeFile(`# x\n\n\`\`\`ts\n${TS}\`\`\`\n`), 1)).toThrow(/still has 1 TypeScript block/);
});

test('translated blocks pass', () => {
  expect(() => checkPythonReadme(readmeFile(`# x\n\n\`\`\`python\n${PY}\`\`\`\n`), 1)).not.toThrow();
});

test("the README's Python quick start is the tablet's translation of the block at the quick start's line, and a stale one is replaced", () => {
  const readme = `# x\n\n## Quick start\n\n\`\`\`ts\n${TS}\`\`\`\n\nmore\n`;
  const tablet = { snippets: { k: { location: { api: { api: 'moduleReadme' }, field: { field: 'markdown', line: 5 } }, didCompile: true, translations: { python: { source: PY } } } } };
  const once = withPythonQuickStart(readme, tablet);
  expect(once).toContain(`${BEGIN}\n\nThe same in Python (\`pip install cdk-wickr-chime\`):\n\n\`\`\`python\n${PY.trim()}\n\`\`\``);
  expect(withPythonQuickStart(once, tablet)).toBe(once);
  const stale = once.replace('network_name="ops"', 'network_name="typed by hand"');
  expect(withPythonQuickStart(stale, tablet)).toBe(once);
  expect(() => withPythonQuickStart(readme, { snippets: {} })).toThrow(/no Python translation of the README's quick start/);
});

test('README.md carries the generated Python quick start', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toContain(BEGIN);
  expect(readme).toMatch(/```python\nfrom aws_cdk import Duration\nfrom cdk_wickr_chime import AccessLevel, ChimeAppInstance, WickrNetwork\n/);
});
