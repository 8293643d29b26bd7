/**
 * The layering rule of STYLE.md as a lint rule: imports flow one way. Each layer below names, for a file in its
 * folder, the imports it may not make; the rule resolves relative specifiers against the importing file, so
 * `../../main/x` is judged by where it lands, not by how it is spelled. Static imports, re-exports, dynamic
 * `import()` and type-level `import('…')` are all checked (the built-in no-restricted-imports sees only the
 * first two, and only the spelling).
 *
 * Test files (`*.test.ts`) are not layered: the config leaves them out, as they run in Node next to the code.
 */
import { relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** The exported runtime's pure modules: no imports of their own, so src/shared may read them (the generators). */
export const PURE_RUNTIME = ['src/runtime/ts/rng', 'src/runtime/ts/formats', 'src/runtime/ts/constants'];

const within = (path, folder) => path === folder || path.startsWith(`${folder}/`);
const withoutExtension = (path) => path.replace(/\.(ts|tsx|mts|js|mjs)$/, '');

/**
 * One entry per layer: `folder` holds the files it governs; `check(spec, target, file)` returns why an import is
 * not allowed, or null. `target` is the repository-relative path a relative specifier lands on (extension
 * removed), or null for a package.
 */
export const LAYERS = [
  {
    folder: 'src/shared',
    check: (spec, target) =>
      target === null
        ? spec === 'zod'
          ? null
          : 'src/shared is pure TypeScript: of the packages it may import only zod (no electron, node:*, DOM, React or tfjs)'
        : within(target, 'src/shared') || PURE_RUNTIME.includes(target)
          ? null
          : 'src/shared imports only src/shared and the pure runtime modules (rng, formats, constants)',
  },
  {
    folder: 'src/runtime',
    check: (spec, target, file) =>
      PURE_RUNTIME.includes(withoutExtension(file))
        ? 'a pure runtime module imports nothing (src/shared reads it)'
        : target !== null && !within(target, 'src/runtime/ts')
          ? 'the exported TypeScript runtime imports only its own files and packages (it ships as it is)'
          : null,
  },
  {
    folder: 'src/main',
    check: (spec, target) => (target !== null && within(target, 'src/renderer') ? 'the main process never imports the renderer' : null),
  },
  {
    folder: 'src/renderer',
    check: (spec, target) =>
      target !== null && (within(target, 'src/main') || within(target, 'src/preload'))
        ? 'the renderer never imports the main process or the preload: it talks to them through src/shared/api'
        : null,
  },
  {
    folder: 'src/preload',
    check: (spec, target) =>
      target !== null && !within(target, 'src/shared/api') && !within(target, 'src/preload')
        ? 'the preload sees only the shared API (src/shared/api)'
        : null,
  },
];

/** @type {import('eslint').Rule.RuleModule} */
const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports flow one way: renderer -> shared, main -> shared, preload -> shared/api (STYLE.md)' },
    schema: [],
    messages: { layer: "'{{spec}}': {{why}}." },
  },
  create(context) {
    const file = relative(root, context.filename).split(sep).join('/');
    const layer = LAYERS.find((l) => within(file, l.folder));
    if (!layer) return {};
    const check = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const spec = node.value;
      const target = spec.startsWith('.') ? withoutExtension(relative(root, resolve(context.filename, '..', spec)).split(sep).join('/')) : null;
      const why = layer.check(spec, target, file);
      if (why) context.report({ node, messageId: 'layer', data: { spec, why } });
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
      // typescript-eslint 8.x names the specifier `source` (older versions: `argument`, a literal type).
      TSImportType: (n) => check(n.source ?? (n.argument?.type === 'TSLiteralType' ? n.argument.literal : n.argument)),
      TSExternalModuleReference: (n) => check(n.expression),
    };
  },
};

export default { meta: { name: 'hnet' }, rules: { layering } };
