import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The public API's documentation contract: every optional property of an exported
 * interface under lib/ says what happens when it is left out (`@default`), and every
 * exported class and interface has TSDoc.
 */
const LIB = path.join(__dirname, '..', 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
const docs = (node: ts.Node) => ts.getJSDocCommentsAndTags(node).map((d) => d.getText()).join('\n');

function problems(): string[] {
  const found: string[] = [];
  for (const file of sources(LIB)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) => `${path.relative(LIB, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visitMembers = (owner: string, members: ts.NodeArray<ts.TypeElement>) => {
      for (const member of members) {
        if (!ts.isPropertySignature(member)) continue;
        const name = `${owner}.${member.name.getText()}`;
        if (member.questionToken && !/@default\b/.test(docs(member))) found.push(`${where(member)} ${name}: optional without @default`);
        if (member.type && ts.isTypeLiteralNode(member.type)) visitMembers(name, member.type.members);
      }
    };
    source.forEachChild((node) => {
      if (!exported(node)) return;
      if (ts.isInterfaceDeclaration(node)) {
        visitMembers(node.name.text, node.members);
        if (!docs(node) && !node.name.text.endsWith('Props')) found.push(`${where(node)} ${node.name.text}: no TSDoc`);
      }
      if (ts.isClassDeclaration(node) && node.name && !docs(node)) found.push(`${where(node)} ${node.name.text}: no TSDoc`);
    });
  }
  return found;
}

test('every optional prop of the public API documents its @default; every exported class and interface has TSDoc', () => {
  expect(sources(LIB).length).toBeGreaterThan(10);
  expect(problems()).toEqual([]);
});
