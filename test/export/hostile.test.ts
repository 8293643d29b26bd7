/**
 * No user string can break out of generated code. A document whose name, description, citation and node
 * labels (which become loss and metric names) hold quotes, backslashes, newlines, triple quotes, comment
 * terminators, template-literal syntax, HTML and tricky unicode is exported to both targets. The TypeScript
 * type-checks and the Python compiles; parsing each file shows every hostile string only as a string literal,
 * exactly, and the code is token for token (TypeScript) / node for node (Python AST) the code generated from
 * the same document with plain placeholder strings.
 */
import { readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pyString, tsString } from '../../src/shared/codegen/naming';
import type { ExportMetadata } from '../../src/shared/codegen/project';
import { generatePytorch } from '../../src/shared/codegen/pytorch';
import { generateTypescript } from '../../src/shared/codegen/typescript';
import type { HnetDocument } from '../../src/shared/document/schema';
import { loadDoc, python, removeDir, requireTorch, root, runOk, tempDir, TIMEOUT, writeFiles } from './helpers';
import { compileOk } from '../helpers/templates';

const HOSTILE = [
  '"; import os; os.system("echo pwned") #',
  "'''\n\"\"\"\nprint('broke out')\n\"\"\"\n'''",
  'ends with a backslash \\',
  '*/ console.log(1); /* --> <!-- </script><script>alert(1)</script>',
  '${process.exit(1)} `backtick` ${"x"} \\${y}',
  'line\nbreak\r\ncarriage\u2028line separator\u2029paragraph\ttab',
  'RTL \u202eexe.gnp\u202c marks \u200f\u200e, emoji \u{1F9E0}\u{1F525}, combining e\u0301, NUL \u0000 end',
  '#{x} %s {0} {{}} \\x41 \\u0041 \\N{BULLET} f"{1}"',
  "\\'; DROP TABLE x; --",
];

let dir: string;
beforeAll(() => {
  requireTorch();
  dir = tempDir('hostile');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => removeDir(dir));

/** The continual-learning fixture (losses, a metric, the regulariser) with its strings replaced by `strings`. */
function documentWith(strings: string[]): { doc: HnetDocument; metadata: ExportMetadata } {
  const doc = structuredClone(loadDoc(join(root, 'test', 'export', 'fixtures', 'continual-regression.hnet.json')));
  doc.metadata.name = strings[0];
  doc.metadata.description = strings.join('\n\n');
  doc.metadata.citation = strings[2];
  const label = (id: string, s: string) => (doc.nodes.find((n) => n.id === id)!.label = s);
  label('loss', strings[3]);
  label('error', strings[4]);
  label('hyper', strings[5]);
  label('dense_1', strings[6]);
  label('emb', strings[7]);
  label('hold', strings[8]);
  return { doc, metadata: { name: doc.metadata.name, description: doc.metadata.description, citation: doc.metadata.citation } };
}

/** The strings a program's code must carry: metadata and the names losses and metrics get from labels. */
const carried = (strings: string[]) => [strings[0], strings.join('\n\n'), strings[2], strings[3], strings[4]];

const files = (base: string, ext: string): string[] =>
  readdirSync(base).flatMap((name) => {
    const p = join(base, name);
    if (name === 'node_modules') return [];
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });

/** String literals and the token stream of a TypeScript file, literals replaced through `map`. */
function tsTokens(text: string, map: Map<string, string>): { literals: string[]; tokens: string[] } {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const literals: string[] = [];
  const tokens: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.WhitespaceTrivia || kind === ts.SyntaxKind.NewLineTrivia) continue;
    if (kind === ts.SyntaxKind.StringLiteral) {
      literals.push(scanner.getTokenValue());
      tokens.push(`string:${map.get(scanner.getTokenValue()) ?? scanner.getTokenValue()}`);
    } else tokens.push(`${kind}:${scanner.getTokenText()}`);
  }
  return { literals, tokens };
}

const PY_CHECK = String.raw`
import ast, json, sys
hostile_dir, plain_dir, mapping_file = sys.argv[1:4]
mapping = json.load(open(mapping_file, encoding="utf-8"))
wanted = set(mapping)

class Replace(ast.NodeTransformer):
    def visit_Constant(self, node):
        if isinstance(node.value, str) and node.value in mapping:
            return ast.copy_location(ast.Constant(mapping[node.value]), node)
        return node

report = {}
for name in json.load(open(sys.argv[4])):
    hostile = ast.parse(open(hostile_dir + "/" + name, encoding="utf-8").read())
    plain = ast.parse(open(plain_dir + "/" + name, encoding="utf-8").read())
    constants = {n.value for n in ast.walk(hostile) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    same = ast.dump(Replace().visit(hostile)) == ast.dump(plain)
    report[name] = {"found": sorted(wanted & constants), "same": same}
print(json.dumps(report))
`;

describe('hostile strings in a document', () => {
  const placeholders = HOSTILE.map((_, i) => `placeholder_${i}`);
  const hostile = documentWith(HOSTILE);
  const plain = documentWith(placeholders);
  const mapping = new Map(carried(HOSTILE).map((s, i) => [s, carried(placeholders)[i]]));

  it('string literal helpers escape everything that could end or bend a literal', () => {
    for (const s of HOSTILE) {
      expect(JSON.parse(tsString(s))).toBe(s);
      expect(tsString(s)).toMatch(/^"[\x20-\x7e]*"$/);
      expect(pyString(s)).toMatch(/^"[\x20-\x7e]*"$/);
    }
    const r = python(['-c', `import ast, json, sys; print(json.dumps([ast.literal_eval(l) for l in sys.stdin.read().split("\\n") if l]))`], {
      input: HOSTILE.map(pyString).join('\n'),
    });
    expect(JSON.parse(r.stdout)).toEqual(HOSTILE);
  });

  it(
    'PyTorch: the code compiles and the strings are data only',
    () => {
      const hostileDir = join(dir, 'py-hostile');
      const plainDir = join(dir, 'py-plain');
      writeFiles(hostileDir, generatePytorch(compileOk(hostile.doc), { metadata: hostile.metadata }).files);
      writeFiles(plainDir, generatePytorch(compileOk(plain.doc), { metadata: plain.metadata }).files);
      const pyFiles = files(hostileDir, '.py').map((f) => relative(hostileDir, f));
      expect(pyFiles.sort()).toEqual(['constants.py', 'data.py', 'model.py', 'ops.py', 'parameters.py', 'rng.py', 'train.py']);
      python(['-m', 'py_compile', ...pyFiles.map((f) => join(hostileDir, f))]);
      writeFileSync(join(dir, 'mapping.json'), JSON.stringify(Object.fromEntries(mapping)));
      writeFileSync(join(dir, 'pyfiles.json'), JSON.stringify(pyFiles));
      writeFileSync(join(dir, 'check.py'), PY_CHECK);
      const report = JSON.parse(python([join(dir, 'check.py'), hostileDir, plainDir, join(dir, 'mapping.json'), join(dir, 'pyfiles.json')]).stdout) as Record<
        string,
        { found: string[]; same: boolean }
      >;
      for (const [name, r] of Object.entries(report)) expect(r.same, `${name} differs beyond its string literals`).toBe(true);
      // model.py carries every string, each as one exact literal.
      expect(report['model.py'].found.sort()).toEqual([...mapping.keys()].sort());
    },
    TIMEOUT,
  );

  it(
    'TypeScript: the project type-checks and the strings are data only',
    () => {
      const hostileDir = join(dir, 'ts-hostile');
      const plainDir = join(dir, 'ts-plain');
      const generated = generateTypescript(compileOk(hostile.doc), { metadata: hostile.metadata });
      writeFiles(hostileDir, generated.files);
      writeFiles(plainDir, generateTypescript(compileOk(plain.doc), { metadata: plain.metadata }).files);
      expect(JSON.parse(generated.files['package.json']).description).toBe(HOSTILE[0]);
      runOk(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(hostileDir, 'tsconfig.json')], { cwd: hostileDir });
      const found = new Set<string>();
      for (const file of files(hostileDir, '.ts')) {
        const rel = relative(hostileDir, file);
        const a = tsTokens(readFileSync(file, 'utf8'), mapping);
        const b = tsTokens(readFileSync(join(plainDir, rel), 'utf8'), new Map());
        expect(a.tokens, `${rel} differs beyond its string literals`).toEqual(b.tokens);
        for (const l of a.literals) if (mapping.has(l)) found.add(l);
        // Nothing hostile outside string literals: no template literals or comments carry it.
        const outside = a.tokens.filter((t) => !t.startsWith('string:')).join(' ');
        for (const s of HOSTILE) expect(outside.includes(s)).toBe(false);
      }
      expect([...found].sort()).toEqual([...mapping.keys()].sort());
    },
    TIMEOUT,
  );

  it('README text cannot open HTML or code fences', () => {
    for (const project of [generatePytorch(compileOk(hostile.doc), { metadata: hostile.metadata }), generateTypescript(compileOk(hostile.doc), { metadata: hostile.metadata })]) {
      const readme = project.files['README.md'];
      expect(readme).not.toMatch(/<script|<!--|```/);
    }
  });
});
