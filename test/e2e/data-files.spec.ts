/**
 * Data files at edit time (issue 15, item 7): a data.csv node whose file is missing is a problem in the Problems
 * panel naming the node and param before any run; the browser mode's picker lists the files of the document's
 * folder, and choosing one shows the first rows with the input and target columns marked, and clears the problem.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, nodeEl, readTemplate, screenshot, test, type DocJson } from './fixtures';

const doc: DocJson = readTemplate('spirals-per-sample');
const spirals = doc.nodes.find((n) => n.id === 'spirals')!;
spirals.type = 'data.csv';
spirals.params = { path: 'points-missing.csv', features: 2, classes: 3, labelColumn: 'label' };

test.use({ serveDocument: { json: doc } });

test('a missing CSV is a problem naming the node; the picker chooses one beside the document and previews it', async ({ editor: page, docPath }) => {
  const problem = page.locator('[data-testid^="problem-"][data-node="spirals"]');
  await expect(problem).toHaveCount(1);
  await expect(problem).toHaveAttribute('data-code', 'HN051');
  await expect(problem.locator('.hn-problem__where')).toHaveText('spirals.path');
  await expect(problem).toContainText('file not found');

  // A CSV beside the document, one in a subfolder, and a file that is not offered (not a CSV).
  const dir = dirname(docPath!);
  const rows = ['x,y,label', ...Array.from({ length: 30 }, (_, i) => `${Math.cos(i).toFixed(3)},${Math.sin(i).toFixed(3)},${i % 3}`)].join('\n');
  writeFileSync(join(dir, 'points.csv'), `${rows}\n`);
  writeFileSync(join(dir, 'notes.md'), 'not data\n');

  await problem.click();
  await expect(nodeEl(page, 'spirals')).toHaveClass(/selected/);
  const files = page.getByTestId('data-files');
  await expect(files).toBeVisible();
  await screenshot(page, 'data-files-missing');

  await files.getByTestId('choose-file-path').click();
  const dialog = page.getByTestId('data-file-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('data-file-points.csv')).toBeVisible();
  await expect(dialog.getByTestId('data-file-notes.md')).toHaveCount(0);
  await screenshot(page, 'data-files-picker');
  await dialog.getByTestId('data-file-points.csv').click();
  await expect(dialog).toBeHidden();

  await expect(page.getByTestId('param-path')).toHaveValue('points.csv');
  await expect(problem).toHaveCount(0);
  const preview = page.getByTestId('data-preview');
  await expect(preview).toContainText('30 rows, 3 columns');
  await expect(preview.locator('tbody tr')).toHaveCount(5);
  await expect(preview.getByTestId('data-col-0')).toHaveAttribute('data-role', 'input');
  await expect(preview.getByTestId('data-col-1')).toHaveAttribute('data-role', 'input');
  await expect(preview.getByTestId('data-col-2')).toHaveAttribute('data-role', 'target');
  await screenshot(page, 'data-files-preview');

  // A label column the header lacks is a problem of that param, found without a run.
  await page.getByTestId('param-labelColumn').fill('class');
  await page.getByTestId('param-labelColumn').press('Enter');
  await expect(problem).toHaveCount(1);
  await expect(problem.locator('.hn-problem__where')).toHaveText('spirals.labelColumn');
  await expect(problem).toContainText('no column named "class"');
});
