/**
 * Monaco, bundled with the editor and never fetched from a CDN: @monaco-editor/react is handed this instance, so
 * its loader never injects a script. Only what a read-only code view needs is imported: the editor core
 * (editor.api, without the all-languages `monaco-editor` entry) and the Monarch tokenizers of the generated
 * files' languages. There is no TypeScript language service (ts.worker): generated code is shown, not edited,
 * and it would only report the project's unresolved imports; so the one worker is the editor worker, loaded
 * from the app's own origin as a Vite `?worker` chunk (CSP: worker-src 'self').
 *
 * Loaded lazily with the code view (see CodePanel.tsx), so opening the editor does not pay for it.
 */
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor/editor/editor.api';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
// What a reader of generated code uses (the full `monaco-editor` entry would add ~60 more contributions and every
// language): icons, find, folding, bracket matching, copy, Ctrl+G, word-wise moves, the read-only hint.
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/gotoLine/register';
import 'monaco-editor/features/readOnlyMessage/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/markdown/register';
import 'monaco-editor/languages/definitions/python/register';
import 'monaco-editor/languages/definitions/typescript/register';

self.MonacoEnvironment = {
  // Every label gets the editor worker: no language here registers a worker of its own.
  getWorker: () => new EditorWorker(),
};

// The types of @monaco-editor/react name the whole `monaco-editor` API; editor.api is the part it uses.
loader.config({ monaco: monaco as unknown as Parameters<typeof loader.config>[0]['monaco'] });

/** Themes matching the editor's panels (styles.css --panel, --panel-2, --border, --text-muted). */
monaco.editor.defineTheme('hnet-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#ffffff',
    'editorGutter.background': '#ffffff',
    'editorLineNumber.foreground': '#a3aab8',
    'editorLineNumber.activeForeground': '#3b4252',
    'editor.lineHighlightBackground': '#f8f9fb',
    'editor.lineHighlightBorder': '#00000000',
    'editorIndentGuide.background1': '#eef0f4',
    'scrollbarSlider.background': '#cfd4dd80',
  },
});
monaco.editor.defineTheme('hnet-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#15181e',
    'editorGutter.background': '#15181e',
    'editorLineNumber.foreground': '#4b5362',
    'editorLineNumber.activeForeground': '#c3c9d4',
    'editor.lineHighlightBackground': '#1a1e25',
    'editor.lineHighlightBorder': '#00000000',
    'editorIndentGuide.background1': '#222731',
    'scrollbarSlider.background': '#353c4880',
  },
});

export const monacoThemeFor = (theme: 'light' | 'dark'): string => (theme === 'dark' ? 'hnet-dark' : 'hnet-light');

/** The Monaco language of a generated file. JSON files use the JavaScript tokenizer (JSON has no Monarch one). */
export function languageOf(path: string): string {
  if (path.endsWith('.py')) return 'python';
  if (path.endsWith('.ts')) return 'typescript';
  if (path.endsWith('.md')) return 'markdown';
  if (path.endsWith('.json') || path.endsWith('.js') || path.endsWith('.mjs')) return 'javascript';
  return 'plaintext';
}

export { monaco };
