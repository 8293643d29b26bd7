/**
 * The browser mode's workspace: `hnet serve` without FILE saves a new document as NAME.hnet.json into its
 * workspace (asking for the name in the page), Open lists the workspace's documents and subfolders, a reload
 * reopens the saved document, a draft is kept until the document is on disk, and `hnet serve new.hnet.json`
 * creates the file.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { regressorDoc } from './documents';
import { clickPane, expect, mod, nodeEl, readTemplate, screenshot, test } from './fixtures';
import { startServe } from './server';

test.use({ serveDocument: { none: true } });

const TEMPLATE = 'sinusoid-family';

async function openTemplate(page: Page): Promise<void> {
  await page.getByTestId(`template-${TEMPLATE}`).getByRole('button', { name: 'Open template' }).click();
  await expect(page.getByTestId('gallery')).toBeHidden();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

/** Add a dropout node (an edit: the document now has unsaved changes). */
async function addDropout(page: Page): Promise<void> {
  await page.getByTestId('palette-search').fill('dropout');
  await page.getByTestId('palette-search').press('Enter');
  await expect(nodeEl(page, 'dropout_1')).toBeVisible();
}

const readDoc = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { metadata: { name: string }; nodes: { id: string }[] };
const draftsIn = (home: string) => {
  const dir = join(home, '.hypernet-studio', 'drafts');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.draft.json')) : [];
};

test('Save of a new document asks for a name, writes NAME.hnet.json into the workspace, and a reload reopens it', async ({ editor: page, served }) => {
  const workspace = served.workspace!;
  await openTemplate(page);
  await expect(page.getByTestId('save-status')).toHaveText('Not saved yet');
  await clickPane(page);
  await page.keyboard.press(`${mod}+s`);

  const dialog = page.getByTestId('save-name-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(workspace.split('/').pop()!);
  const input = page.getByTestId('save-name-input');
  await expect(input).toHaveValue(readTemplate(TEMPLATE).metadata!.name!.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  // A name that would leave the workspace is refused as it is typed, naming the field.
  await input.fill('../outside');
  await expect(page.getByTestId('save-name-error')).toContainText('Name: the name may not contain "/"');
  await expect(page.getByTestId('save-name-ok')).toBeDisabled();
  await input.fill('My model');
  await expect(page.getByTestId('save-name-error')).not.toContainText('Name:');
  await screenshot(page, 'workspace-save-name');
  await input.press('Enter');
  await expect(dialog).toBeHidden();

  const file = join(workspace, 'My model.hnet.json');
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  expect(readDoc(file).metadata.name).toBe(readTemplate(TEMPLATE).metadata!.name);
  expect(readdirSync(workspace)).toEqual(['My model.hnet.json']);
  await expect(page.locator('.hn-toolbar__file')).toHaveText('My model.hnet.json');

  // The page now knows the file: the next Ctrl+S writes it again without asking.
  await addDropout(page);
  await clickPane(page);
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  await expect(page.getByTestId('save-name-dialog')).toBeHidden();
  expect(readDoc(file).nodes.map((n) => n.id)).toContain('dropout_1');

  await page.reload();
  await expect(nodeEl(page, 'dropout_1')).toBeVisible();
  await expect(page.getByTestId('gallery')).toBeHidden();
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  await expect(page.locator('.hn-toolbar__file')).toHaveText('My model.hnet.json');
});

test('a name that is taken asks before replacing the document', async ({ editor: page, served }) => {
  const taken = join(served.workspace!, 'taken.hnet.json');
  writeFileSync(taken, `${JSON.stringify({ format: 'hypernet-studio', version: 1, ...regressorDoc })}\n`);
  await openTemplate(page);
  await clickPane(page);
  await page.keyboard.press(`${mod}+s`);
  await page.getByTestId('save-name-input').fill('taken');
  await page.getByTestId('save-name-ok').click();
  const confirm = page.getByTestId('confirm-replace');
  await expect(confirm).toContainText('taken.hnet.json is already in the workspace');
  await confirm.getByTestId('dialog-cancel').click();
  await expect(page.getByTestId('save-status')).toHaveText('Not saved yet');
  expect(readDoc(taken).metadata.name).toBe(regressorDoc.metadata!.name);

  await page.keyboard.press(`${mod}+s`);
  await page.getByTestId('save-name-input').fill('taken');
  await page.getByTestId('save-name-ok').click();
  await page.getByTestId('confirm-replace').getByTestId('dialog-replace').click();
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  expect(readDoc(taken).metadata.name).toBe(readTemplate(TEMPLATE).metadata!.name);
});

test('Open lists the workspace documents, subfolders included, and opens one', async ({ editor: page, served }) => {
  const workspace = served.workspace!;
  const text = (name: string) => `${JSON.stringify({ format: 'hypernet-studio', version: 1, ...regressorDoc, metadata: { name } })}\n`;
  writeFileSync(join(workspace, 'top.hnet.json'), text('Top model'));
  mkdirSync(join(workspace, 'experiments', 'week 2'), { recursive: true });
  writeFileSync(join(workspace, 'experiments', 'inner.hnet.json'), text('Inner model'));
  writeFileSync(join(workspace, 'experiments', 'week 2', 'deep.hnet.json'), text('Deep model'));
  writeFileSync(join(workspace, 'notes.txt'), 'not a document');

  await openTemplate(page);
  await page.getByTestId('tool-open').click();
  const dialog = page.getByTestId('open-dialog');
  await expect(dialog).toBeVisible();
  const items = dialog.locator('[data-testid^="open-item-"]');
  await expect(items).toHaveCount(3);
  expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual([
    'open-item-top.hnet.json',
    'open-item-experiments/inner.hnet.json',
    'open-item-experiments/week 2/deep.hnet.json',
  ]);
  await expect(page.getByTestId('open-folder-experiments/week 2')).toContainText('deep.hnet.json');
  await screenshot(page, 'workspace-open-list');

  await page.getByTestId('open-item-experiments/inner.hnet.json').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('doc-title')).toHaveText('Inner model');
  await expect(page.getByTestId('save-status')).toHaveText('Saved');

  // Saved back to the same file, and a reload reopens it.
  await nodeEl(page, 'dense_1').click();
  await page.getByTestId('param-units').fill('23');
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  expect(readFileSync(join(workspace, 'experiments', 'inner.hnet.json'), 'utf8')).toContain('23');
  await page.reload();
  await expect(page.getByTestId('doc-title')).toHaveText('Inner model');
  await expect(nodeEl(page, 'dense_1')).toContainText('23');
});

test('a draft is kept when the write fails, and deleted only once the document is on disk', async ({ editor: page, served }) => {
  const workspace = served.workspace!;
  await openTemplate(page);
  await addDropout(page);
  // Autosave writes the draft a few seconds after the last edit.
  await expect.poll(() => draftsIn(served.home), { timeout: 20_000 }).toHaveLength(1);

  // A folder named like the document makes the write fail.
  mkdirSync(join(workspace, 'blocked.hnet.json'));
  await clickPane(page);
  await page.keyboard.press(`${mod}+s`);
  await page.getByTestId('save-name-input').fill('blocked');
  await page.getByTestId('save-name-input').press('Enter');
  await expect(page.getByTestId('save-status')).toContainText('Save failed');
  await expect(page.getByTestId('notice').last()).toContainText('a folder of that name is in the workspace');
  expect(draftsIn(served.home)).toHaveLength(1);
  // The draft is still offered after a reload.
  await page.reload();
  await expect(page.getByTestId('gallery')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('gallery')).toBeHidden();
  await expect(page.getByTestId('drafts-banner')).toBeVisible();
  await page.getByTestId('drafts-banner').getByRole('button', { name: 'Recover' }).click();
  await expect(nodeEl(page, 'dropout_1')).toBeVisible();
  await expect.poll(() => draftsIn(served.home), { timeout: 20_000 }).toHaveLength(1);

  rmdirSync(join(workspace, 'blocked.hnet.json'));
  await clickPane(page);
  await page.keyboard.press(`${mod}+s`);
  await page.getByTestId('save-name-input').fill('blocked');
  await page.getByTestId('save-name-input').press('Enter');
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  expect(readDoc(join(workspace, 'blocked.hnet.json')).nodes.map((n) => n.id)).toContain('dropout_1');
  await expect.poll(() => draftsIn(served.home)).toHaveLength(0);
});

test('hnet serve new.hnet.json creates the file and saves into it', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'hnet-e2e-new-'));
  const file = join(dir, 'new.hnet.json');
  const served = await startServe(file);
  try {
    expect(existsSync(file)).toBe(true);
    expect(readDoc(file)).toMatchObject({ metadata: { name: 'new' }, nodes: [] });
    expect(served.output()).toContain(`Workspace: ${dir}`);
    await page.goto(served.url);
    await expect(page.getByTestId('budget-bar')).toBeVisible();
    await expect(page.getByTestId('doc-title')).toHaveText('new');
    await addDropout(page);
    await clickPane(page);
    await page.keyboard.press(`${mod}+s`);
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
    await expect(page.getByTestId('save-name-dialog')).toBeHidden();
    expect(readDoc(file).nodes.map((n) => n.id)).toEqual(['dropout_1']);
  } finally {
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
