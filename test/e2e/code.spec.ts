/**
 * The code view: generated PyTorch and TypeScript in a bundled Monaco that follows the graph, under the
 * editor's strict CSP (no violations, nothing fetched from another origin), and Export in browser mode: beside
 * the served document, or a zip of the sources when there is no document file.
 *
 * Monaco draws only the lines on screen, so text further down is looked for with its own find widget, as a
 * user would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, mod, nodeEl, screenshot, templatesDir, test } from './fixtures';
import { repoRoot } from './server';

/** Everything the page says on its console, CSP violations it reports, and requests that leave its origin. */
interface Watch {
  console: string[];
  violations: string[];
  offsite: string[];
}

/** Start listening, then reload so the page is watched from its first script on. */
async function watch(page: Page, origin: string, ready: Locator = page.locator('.react-flow__node').first()): Promise<Watch> {
  const w: Watch = { console: [], violations: [], offsite: [] };
  page.on('console', (m) => w.console.push(`${m.type()}: ${m.text()}`));
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(`${origin}/`) && !/^(data|blob):/.test(url) && !url.startsWith(origin.replace(/^http/, 'ws'))) w.offsite.push(url);
  });
  await page.exposeFunction('__hnetCspViolation', (v: string) => void w.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      void (window as unknown as { __hnetCspViolation(v: string): void }).__hnetCspViolation(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`);
    });
  });
  await page.reload();
  await expect(ready).toBeVisible();
  return w;
}

function expectClean(w: Watch): void {
  expect(w.violations, 'CSP violations').toEqual([]);
  expect(w.console.filter((m) => /content.security.policy|refused to/i.test(m)), 'CSP messages on the console').toEqual([]);
  expect(w.console.filter((m) => m.startsWith('error:')), 'console errors').toEqual([]);
  expect(w.offsite, 'requests to other origins (a CDN)').toEqual([]);
}

const codeEditor = (page: Page): Locator => page.getByTestId('code-editor');

async function openCodeView(page: Page): Promise<void> {
  await page.getByTestId('dock-tab-code').click();
  await expect(page.getByTestId('code-view')).toBeVisible();
  await expect(codeEditor(page).locator('.monaco-editor .view-lines')).toBeVisible();
}

/** Search the file on screen with Monaco's find widget; the widget's match count ("1 of 3", "No results"). */
async function find(page: Page, text: string): Promise<Locator> {
  const widget = codeEditor(page).locator('.find-widget');
  if (!(await codeEditor(page).locator('.find-widget.visible').count())) {
    await codeEditor(page).locator('.view-lines').click();
    await page.keyboard.press(`${mod}+f`);
  }
  await widget.locator('textarea[aria-label="Find"]').fill(text);
  return widget.locator('.matchesCount');
}

/** "2 of 5", or "? of 1" when the cursor is not on a match (the text changed under the widget). */
const FOUND = /^(\d+|\?) of [1-9]\d*$/;

test.describe('the sinusoid template', () => {
  test.use({ serveDocument: { template: 'sinusoid-family' } });

  test('shows generated PyTorch and TypeScript that follow graph edits, under the CSP', async ({ editor: page, served }) => {
    const w = await watch(page, served.origin);
    // Select a Dense layer first: the inspector keeps showing it while the code view has the focus.
    await nodeEl(page, 'dense_1').click();
    await expect(page.getByTestId('param-units')).toHaveValue('40');
    await openCodeView(page);

    // Python first: model.py, whose names are the graph's node ids.
    await expect(page.getByTestId('code-tab-python')).toHaveAttribute('aria-selected', 'true');
    for (const f of ['model.py', 'train.py', 'data.py', 'README.md']) await expect(page.getByTestId(`code-file-${f}`)).toBeVisible();
    await expect(codeEditor(page)).toHaveAttribute('data-path', 'model.py');
    await expect(codeEditor(page).locator('.view-lines')).toContainText('import torch');
    // Highlighted by the Python tokenizer: keywords get their own token class.
    expect(await codeEditor(page).locator('.view-lines span[class^="mtk"]').evaluateAll((els) => new Set(els.map((e) => e.className)).size)).toBeGreaterThan(2);
    await expect(await find(page, 'dense_1')).toHaveText(FOUND);
    await expect(await find(page, 'weights_0_dense_1_kernel')).toHaveText(FOUND);
    await page.keyboard.press('Escape');
    await screenshot(page, 'code-python-light');

    // Other files, then TypeScript.
    await page.getByTestId('code-file-train.py').click();
    await expect(codeEditor(page)).toHaveAttribute('data-path', 'train.py');
    await page.getByTestId('code-tab-typescript').click();
    await expect(page.getByTestId('code-tab-typescript')).toHaveAttribute('aria-selected', 'true');
    for (const f of ['src/model.ts', 'src/train.ts', 'src/data.ts', 'package.json', 'README.md']) await expect(page.getByTestId(`code-file-${f}`)).toBeVisible();
    await expect(codeEditor(page)).toHaveAttribute('data-path', 'src/model.ts');
    await expect(codeEditor(page).locator('.view-lines')).toContainText('import * as tf');
    const kernel57 = await find(page, '"dense_1.kernel": { head: "hyper", shape: [1, 57]');
    await expect(kernel57).toHaveText('No results');
    await expect(await find(page, '"dense_1.kernel": { head: "hyper", shape: [1, 40]')).toHaveText(FOUND);

    // Edit the graph in the inspector: the code follows (debounced), with the new size.
    await page.getByTestId('param-units').fill('57');
    await expect(nodeEl(page, 'dense_1')).toContainText('57');
    await expect(await find(page, '"dense_1.kernel": { head: "hyper", shape: [1, 57]')).toHaveText(FOUND);
    await expect(codeEditor(page)).toHaveAttribute('data-stale', 'false');
    await expect(page.getByTestId('code-stale')).toHaveCount(0);

    // The language chosen and the file shown are kept when switching back and forth.
    await page.getByTestId('code-tab-python').click();
    await expect(codeEditor(page)).toHaveAttribute('data-path', 'train.py');
    await page.getByTestId('code-file-model.py').click();
    await expect(await find(page, '"dense_1.kernel": {"head": "hyper", "shape": [1, 57]')).toHaveText(FOUND);
    await page.keyboard.press('Escape');

    // A graph that does not compile keeps the last code, greyed, with a note.
    await page.getByTestId('tool-fitView').click();
    await nodeEl(page, 'dense_3').click();
    await page.keyboard.press('Delete');
    await expect(nodeEl(page, 'dense_3')).toHaveCount(0);
    await expect(page.getByTestId('code-stale')).toHaveText(/^The graph has \d+ problems?; showing the last code that compiled\.$/);
    await expect(codeEditor(page)).toHaveAttribute('data-stale', 'true');
    // Still the last code that compiled, where the reader was (the find above scrolled to it).
    await expect(codeEditor(page).locator('.view-lines')).toContainText('"dense_1.kernel": {"head": "hyper", "shape": [1, 57]');
    await screenshot(page, 'code-stale-light');
    // The note leads to the problems; back in the code view the last code is still there (nothing regenerated).
    await page.getByTestId('code-stale').click();
    await expect(page.getByTestId('problems-panel')).toBeVisible();
    await expect(page.getByTestId('code-view')).toHaveCount(0);
    await page.getByTestId('dock-tab-code').click();
    await expect(codeEditor(page)).toHaveAttribute('data-stale', 'true');
    await expect(codeEditor(page)).toHaveAttribute('data-path', 'model.py');
    await page.getByTestId('tool-undo').click();
    await expect(page.getByTestId('code-stale')).toHaveCount(0);
    await expect(codeEditor(page)).toHaveAttribute('data-stale', 'false');

    // Dark theme: Monaco follows.
    await page.getByTestId('code-tab-typescript').click();
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await expect(codeEditor(page).locator('.monaco-editor')).toHaveClass(/vs-dark/);
    const background = await codeEditor(page).locator('.monaco-editor-background').evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(background).toBe('rgb(21, 24, 30)');
    await screenshot(page, 'code-typescript-dark');
    await page.getByTestId('theme-toggle').click();
    await expect(codeEditor(page).locator('.monaco-editor')).not.toHaveClass(/vs-dark/);

    expectClean(w);
  });

  test('keys typed in the code view stay there (no node is deleted, the theme stays)', async ({ editor: page }) => {
    await nodeEl(page, 'dense_2').click();
    await openCodeView(page);
    await codeEditor(page).locator('.view-lines').click();
    await page.keyboard.press('Delete');
    await page.keyboard.press('t');
    await page.keyboard.press(`${mod}+a`);
    await expect(nodeEl(page, 'dense_2')).toHaveCount(1);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await expect(page.locator('.react-flow__node.selected')).toHaveCount(1);
  });

  test('Export… into a folder that holds files of the user\'s asks first', async ({ editor: page, docPath }) => {
    const folder = join(dirname(docPath!), 'model-export-pytorch');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    await openCodeView(page);
    await page.getByTestId('code-export').click();
    await page.getByTestId('code-export-pytorch').click();
    const dialog = page.getByTestId('export-overwrite-dialog');
    await expect(dialog).toContainText('is not empty and is not an earlier export');
    await expect(dialog).toContainText('notes.txt');
    await screenshot(page, 'code-export-overwrite');
    expect(readdirSync(folder)).toEqual(['notes.txt']);
    await page.getByTestId('dialog-overwrite').click();
    await expect(page.getByTestId('code-export-result')).toContainText(folder);
    expect(existsSync(join(folder, 'train.py'))).toBe(true);
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
  });

  test('Export… writes the project beside the served document, data included', async ({ editor: page, docPath }) => {
    await openCodeView(page);
    await page.getByTestId('code-export').click();
    await expect(page.getByTestId('code-export-menu')).toBeVisible();
    await screenshot(page, 'code-export-menu');
    await page.getByTestId('code-export-pytorch').click();
    const folder = join(dirname(docPath!), 'model-export-pytorch');
    await expect(page.getByTestId('code-export-result')).toContainText(folder);
    await screenshot(page, 'code-exported');
    await expect(page.getByTestId('notice').last()).toContainText('Exported the PyTorch project');
    const files = readdirSync(folder);
    expect(files).toEqual(expect.arrayContaining(['model.py', 'train.py', 'data.py', 'README.md', 'requirements.txt', 'data']));
    expect(readFileSync(join(folder, 'model.py'), 'utf8')).toContain('dense_1');
    expect(JSON.parse(readFileSync(join(folder, 'data', 'manifest.json'), 'utf8'))).toMatchObject({ format: 'hnet-data' });

    // Unsaved edits are exported as they are in the editor.
    await page.getByTestId('code-tab-typescript').click();
    await page.getByTestId('tool-fitView').click();
    await nodeEl(page, 'dense_2').click();
    await page.getByTestId('param-units').fill('23');
    await page.getByTestId('code-export').click();
    await page.getByTestId('code-export-tfjs').click();
    const tfjs = join(dirname(docPath!), 'model-export-tfjs');
    await expect(page.getByTestId('code-export-result')).toContainText(tfjs);
    expect(existsSync(join(tfjs, 'package.json'))).toBe(true);
    expect(readFileSync(join(tfjs, 'src', 'model.ts'), 'utf8')).toMatch(/"dense_2\.kernel": \{[^}]*shape: \[40, 23\]/);
    expect(existsSync(join(tfjs, 'data', 'manifest.json'))).toBe(true);
  });
});

test.describe('a document without a file', () => {
  test.use({ serveDocument: { none: true } });

  test('Export… offers the sources as a zip, without the data', async ({ editor: page, served }) => {
    const w = await watch(page, served.origin, page.getByTestId('gallery'));
    await page.getByTestId('open-template-sinusoid-family').click();
    await expect(page.locator('.react-flow__node').first()).toBeVisible();
    await openCodeView(page);
    await page.getByTestId('code-export').click();
    await page.getByTestId('code-export-pytorch').click();
    const dialog = page.getByTestId('code-zip-dialog');
    await expect(dialog).toContainText('data files');
    await screenshot(page, 'code-zip-dialog');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dialog-zip').click()]);
    expect(download.suggestedFilename()).toBe('sinusoid-family-pytorch.zip');
    const dir = mkdtempSync(join(tmpdir(), 'hnet-e2e-zip-'));
    try {
      const zip = join(dir, 'code.zip');
      await download.saveAs(zip);
      const listed = spawnSync('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(z.namelist()))', zip], { encoding: 'utf8' });
      expect(listed.status, listed.stderr).toBe(0);
      const names = listed.stdout.trim().split('\n');
      expect(names).toEqual(expect.arrayContaining(['model.py', 'train.py', 'data.py', 'README.md']));
      expect(names.filter((n) => n.startsWith('data/'))).toEqual([]);
      expect(names).toContain('hnet-export.json');
      // As unzipped, train.py says in one line what data to put where; the export it names then needs no --force.
      const project = join(dir, 'project');
      expect(spawnSync('python3', ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, project]).status).toBe(0);
      const bare = spawnSync('/usr/bin/python3', ['train.py', '--steps', '1'], { cwd: project, encoding: 'utf8' });
      expect(bare.status).toBe(1);
      expect(bare.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^no training data: .*manifest\.json does not exist.*hnet export DOCUMENT\.hnet\.json --to pytorch --out /)]);
      const hnet = spawnSync(process.execPath, [join(repoRoot, 'bin', 'hnet.mjs'), 'export', join(templatesDir, 'sinusoid-family.hnet.json'), '--to', 'pytorch', '--out', project], { encoding: 'utf8' });
      expect(hnet.status, hnet.stderr).toBe(0);
      const trained = spawnSync('/usr/bin/python3', ['train.py', '--steps', '1', '--device', 'cpu'], { cwd: project, encoding: 'utf8' });
      expect(trained.status, trained.stderr).toBe(0);
      expect(trained.stdout).toMatch(/"event": ?"done"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expectClean(w);
  });
});
