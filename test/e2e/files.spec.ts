/** Save to the served file and find the same graph after a reload; bad files are refused with clear errors. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickPane, expect, mod, nodeEl, readTemplate, templateIds, test } from './fixtures';

test('save writes the served file; a reload shows the same graph', async ({ editor: page, docPath }) => {
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  await page.getByTestId('palette-search').fill('dropout');
  await page.getByTestId('palette-search').press('Enter');
  await expect(nodeEl(page, 'dropout_1')).toBeVisible();
  await page.getByTestId('inspector-label').fill('regulariser');
  await expect(nodeEl(page, 'dropout_1')).toContainText('regulariser');
  await expect(page.getByTestId('save-status')).toHaveText('Unsaved changes');

  await clickPane(page);
  await page.keyboard.press(`${mod}+s`);
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  const saved = JSON.parse(readFileSync(docPath!, 'utf8')) as { nodes: { id: string; label?: string }[]; ui?: { viewport?: unknown } };
  expect(saved.nodes.find((n) => n.id === 'dropout_1')?.label).toBe('regulariser');
  expect(saved.ui?.viewport).toBeTruthy();

  await page.reload();
  await expect(nodeEl(page, 'dropout_1')).toBeVisible();
  await expect(nodeEl(page, 'dropout_1')).toContainText('regulariser');
  for (const id of ['waves', 'hyper', 'dense_1', 'dense_2', 'dense_3', 'loss', 'error']) await expect(nodeEl(page, id)).toBeAttached();
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
});

test('saving from the toolbar after editing document settings', async ({ editor: page, docPath }) => {
  await clickPane(page);
  await page.getByTestId('doc-name').fill('Renamed model');
  await page.getByTestId('training-batch').fill('64');
  await page.getByTestId('training-batch').fill('0');
  await expect(page.getByTestId('training-batch-error')).toBeVisible();
  await page.getByTestId('training-batch').fill('48');
  await expect(page.getByTestId('doc-title')).toHaveText('Renamed model');
  await page.getByTestId('tool-save').click();
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  const saved = JSON.parse(readFileSync(docPath!, 'utf8')) as { metadata: { name: string }; training: { batchSize: number } };
  expect(saved.metadata.name).toBe('Renamed model');
  expect(saved.training.batchSize).toBe(48);
});

const badFiles: { name: string; text: string; expect: RegExp }[] = [
  { name: 'broken.hnet.json', text: '{ "format": "hypernet-studio", "version": 1, "nodes": [ }', expect: /HN001/ },
  { name: 'not-a-doc.hnet.json', text: '{"hello": "world"}', expect: /not a Hypernet Studio document.*HN002/ },
  {
    name: 'hostile.hnet.json',
    text: '{"format":"hypernet-studio","version":1,"nodes":[{"id":"a","type":"target.dense","params":{"__proto__":{"polluted":true}}}]}',
    expect: /__proto__.*HN004|HN004.*__proto__/,
  },
  {
    name: 'unknown-type.hnet.json',
    text: '{"format":"hypernet-studio","version":1,"nodes":[{"id":"a","type":"target.evil"}]}',
    expect: /unknown node type "target.evil".*HN011/,
  },
  { name: 'newer.hnet.json', text: '{"format":"hypernet-studio","version":99,"nodes":[]}', expect: /HN003/ },
];

for (const bad of badFiles) {
  test(`opening ${bad.name} shows why and leaves the graph untouched`, async ({ editor: page }) => {
    const before = await page.locator('.react-flow__node').count();
    await page.getByTestId('file-input').setInputFiles({ name: bad.name, mimeType: 'application/json', buffer: Buffer.from(bad.text) });
    const dialog = page.getByTestId('load-errors');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`Cannot open ${bad.name}`);
    await expect(dialog.getByTestId('dialog-lines')).toContainText(bad.expect);
    await dialog.getByTestId('dialog-ok').click();
    await expect(dialog).toBeHidden();
    await expect(page.locator('.react-flow__node')).toHaveCount(before);
    await expect(page.getByTestId('doc-title')).toHaveText('Sinusoid regressor');
    expect(await page.evaluate(() => ({} as Record<string, unknown>).polluted)).toBeUndefined();
  });
}

test('a good file opened from disk replaces the graph (after asking about unsaved changes)', async ({ editor: page }) => {
  await nodeEl(page, 'dense_1').click();
  await page.getByTestId('param-units').fill('41');
  const other = {
    format: 'hypernet-studio',
    version: 1,
    metadata: { name: 'Other model' },
    nodes: [{ id: 'only', type: 'data.moons', position: { x: 0, y: 0 } }],
  };
  await page.getByTestId('file-input').setInputFiles({ name: 'other.hnet.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) });
  await expect(page.getByTestId('confirm-discard')).toBeVisible();
  await page.getByTestId('dialog-discard').click();
  await expect(nodeEl(page, 'only')).toBeVisible();
  await expect(page.locator('.react-flow__node')).toHaveCount(1);
  await expect(page.getByTestId('doc-title')).toHaveText('Other model');
});

test('unsaved work is autosaved and offered back after a reload', async ({ editor: page, served }) => {
  await nodeEl(page, 'dense_2').click();
  await page.getByTestId('param-units').fill('17');
  await expect(nodeEl(page, 'dense_2')).toContainText('17');
  // Autosave writes a draft after a few seconds without edits: wait until it is on disk, with the edit in it.
  const drafts = join(served.home, '.hypernet-studio', 'drafts');
  const draftTexts = () => {
    if (!existsSync(drafts)) return [];
    return readdirSync(drafts)
      .filter((f) => f.endsWith('.draft.json'))
      .map((f) => {
        try {
          return String((JSON.parse(readFileSync(join(drafts, f), 'utf8')) as { text?: unknown }).text ?? '');
        } catch {
          return '';
        }
      });
  };
  await expect.poll(() => draftTexts().some((t) => /"units":\s*17\b/.test(t)), { timeout: 30_000 }).toBe(true);
  await page.reload();
  const banner = page.getByTestId('drafts-banner');
  await expect(banner).toBeVisible();
  await expect(nodeEl(page, 'dense_2')).toContainText('40');
  await banner.getByRole('button', { name: 'Recover' }).click();
  await expect(nodeEl(page, 'dense_2')).toContainText('17');
  await expect(page.getByTestId('save-status')).toHaveText('Unsaved changes');
});

test.describe('browser mode without a file', () => {
  test.use({ serveDocument: { none: true } });

  test('"Download a copy" downloads the document; it is a copy, so nothing counts as saved', async ({ editor: page }) => {
    const id = templateIds()[0];
    const name = readTemplate(id).metadata?.name ?? id;
    await page.getByTestId(`template-${id}`).getByRole('button', { name: 'Open template' }).click();
    await expect(page.getByTestId('save-status')).toHaveText('Not saved yet');
    const download = page.waitForEvent('download');
    await page.getByTestId('tool-downloadCopy').click();
    const file = await download;
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    expect(file.suggestedFilename()).toBe(`${slug}.hnet.json`);
    const text = readFileSync(await file.path(), 'utf8');
    expect(JSON.parse(text).metadata.name).toBe(name);
    await expect(page.getByTestId('notice').last()).toContainText('Downloaded a copy');
    await expect(page.getByTestId('save-status')).toHaveText('Not saved yet');
  });
});
