/** Adding nodes (palette, quick add), undo/redo, copy/paste/duplicate/delete, select all. */
import { clickPane, expect, mod, nodeEl, test } from './fixtures';

async function nodeIds(page: import('@playwright/test').Page): Promise<string[]> {
  return page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
}

test('the palette search filters node types and Enter adds the first match', async ({ editor: page }) => {
  const before = await nodeIds(page);
  const search = page.getByTestId('palette-search');
  await search.fill('dense');
  await expect(page.getByTestId('palette-target.dense')).toBeVisible();
  await expect(page.getByTestId('palette-head.mlp')).toBeHidden();
  await search.press('Enter');
  await expect(page.locator('.react-flow__node')).toHaveCount(before.length + 1);
  const added = (await nodeIds(page)).filter((id) => !before.includes(id));
  expect(added).toEqual(['dense_4']);
  // The new node is selected and the inspector shows its parameters.
  await expect(nodeEl(page, 'dense_4')).toHaveClass(/selected/);
  await expect(page.getByTestId('inspector')).toContainText('dense_4');
  await expect(page.getByTestId('param-units')).toHaveValue('32');
  await expect(page.getByTestId('save-status')).toHaveText('Unsaved changes');
});

test('clicking a palette entry adds that node; "/" opens quick add', async ({ editor: page }) => {
  await page.getByTestId('palette-search').fill('task embedding');
  await page.getByTestId('palette-context.task_embedding').click();
  await expect(nodeEl(page, 'task_embedding_1')).toBeVisible();

  await clickPane(page);
  await page.keyboard.press('/');
  await expect(page.getByTestId('quick-add')).toBeVisible();
  await page.getByTestId('quick-add-search').fill('low rank');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('quick-add')).toBeHidden();
  await expect(nodeEl(page, 'low_rank_head_1')).toBeVisible();
});

test('undo and redo every edit, from the keyboard and the toolbar', async ({ editor: page }) => {
  await nodeEl(page, 'dense_1').click();
  const units = page.getByTestId('param-units');
  await expect(units).toHaveValue('40');
  await units.fill('64');
  await expect(nodeEl(page, 'dense_1')).toContainText('64');

  // Typing in one field is one undo step.
  await clickPane(page);
  await page.keyboard.press(`${mod}+z`);
  await expect(nodeEl(page, 'dense_1')).toContainText('40');
  await page.keyboard.press(`${mod}+Shift+z`);
  await expect(nodeEl(page, 'dense_1')).toContainText('64');
  await page.getByTestId('tool-undo').click();
  await expect(nodeEl(page, 'dense_1')).toContainText('40');
  await page.getByTestId('tool-redo').click();
  await expect(nodeEl(page, 'dense_1')).toContainText('64');

  // A drag is one undo step, however many moves it takes. (Positions in flow coordinates: the view may pan.)
  const node = nodeEl(page, 'dense_2');
  const flowPosition = () => node.evaluate((el) => (el as HTMLElement).style.transform);
  const before = await flowPosition();
  const box = (await node.boundingBox())!;
  await node.locator('.hn-node__head').hover();
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 40 + i * 6, box.y + 20 - i * 6);
  await page.mouse.up();
  expect(await flowPosition()).not.toBe(before);
  await page.keyboard.press(`${mod}+z`);
  await expect.poll(flowPosition).toBe(before);
  // ...and the edit before it is still the next undo step.
  await page.keyboard.press(`${mod}+z`);
  await expect(nodeEl(page, 'dense_1')).toContainText('40');
});

test('invalid values are shown under the field and never reach the document', async ({ editor: page }) => {
  await nodeEl(page, 'dense_1').click();
  const units = page.getByTestId('param-units');
  await units.fill('0');
  // Named by the field's label, the limit said plainly (never zod's "Too small: expected number to be >=1").
  await expect(page.getByTestId('param-units-error')).toHaveText('Units must be at least 1');
  await units.fill('12.5');
  await expect(page.getByTestId('param-units-error')).toHaveText('Units must be a whole number');
  await expect(nodeEl(page, 'dense_1')).toContainText('40');
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
  await nodeEl(page, 'hyper').click();
  const hidden = page.getByTestId('param-hidden');
  await expect(hidden).toHaveValue('64, 64');
  await hidden.fill('32, x');
  await expect(page.getByTestId('param-hidden-error')).toHaveText(/^Hidden\b.*: item 2 must be a number, not "x"$/);
  await hidden.fill('32, 16');
  await expect(nodeEl(page, 'hyper')).toContainText('32, 16');
});

test('copy, paste, duplicate, select all and delete', async ({ editor: page }) => {
  const count = await page.locator('.react-flow__node').count();
  await nodeEl(page, 'dense_1').click();
  await page.keyboard.press(`${mod}+c`);
  await page.keyboard.press(`${mod}+v`);
  await expect(nodeEl(page, 'dense_4')).toBeVisible();
  await expect(nodeEl(page, 'dense_4')).toHaveClass(/selected/);
  await page.keyboard.press(`${mod}+d`);
  await expect(nodeEl(page, 'dense_5')).toBeVisible();
  await expect(page.locator('.react-flow__node')).toHaveCount(count + 2);

  // Copying two connected nodes keeps the wire between them. (The copies overlap dense_1's lower right part.)
  await nodeEl(page, 'dense_1').click({ position: { x: 8, y: 8 } });
  await nodeEl(page, 'dense_2').click({ modifiers: ['Shift'], position: { x: 8, y: 8 } });
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
  await page.keyboard.press(`${mod}+c`);
  await page.keyboard.press(`${mod}+v`);
  await expect(nodeEl(page, 'dense_6')).toBeVisible();
  await expect(nodeEl(page, 'dense_7')).toBeVisible();
  await expect(page.locator('[data-testid="rf__edge-dense_6.y->dense_7.x"]')).toBeAttached();

  await page.keyboard.press('Delete');
  await expect(page.locator('.react-flow__node')).toHaveCount(count + 2);
  await clickPane(page);
  await page.keyboard.press(`${mod}+a`);
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(count + 2);
  await page.keyboard.press('Backspace');
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  await page.keyboard.press(`${mod}+z`);
  await expect(page.locator('.react-flow__node')).toHaveCount(count + 2);
});

test('auto-layout moves nodes and is one undo step', async ({ editor: page }) => {
  const before = await nodeEl(page, 'hyper').boundingBox();
  await page.getByTestId('tool-autoLayout').click();
  await expect.poll(async () => JSON.stringify(await nodeEl(page, 'hyper').boundingBox())).not.toBe(JSON.stringify(before));
  await expect(page.getByTestId('save-status')).toHaveText('Unsaved changes');
  await page.getByTestId('tool-undo').click();
  await expect(page.getByTestId('save-status')).toHaveText('Saved');
});

test('box select with Shift+drag, and dragging a node type from the palette onto the canvas', async ({ editor: page }) => {
  const a = (await nodeEl(page, 'dense_1').boundingBox())!;
  const c = (await nodeEl(page, 'dense_3').boundingBox())!;
  await page.keyboard.down('Shift');
  await page.mouse.move(a.x - 10, a.y - 10);
  await page.mouse.down();
  await page.mouse.move((a.x + c.x) / 2, c.y + c.height / 2, { steps: 5 });
  await page.mouse.move(c.x + c.width + 10, c.y + c.height + 10, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  for (const id of ['dense_1', 'dense_2', 'dense_3']) await expect(nodeEl(page, id)).toHaveClass(/selected/);
  await expect(page.getByTestId('inspector')).toContainText('nodes selected');

  const count = await page.locator('.react-flow__node').count();
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.getByTestId('palette-probe').dragTo(page.getByTestId('canvas'), { targetPosition: { x: canvas.width / 2, y: 60 } });
  await expect(page.locator('.react-flow__node')).toHaveCount(count + 1);
  await expect(nodeEl(page, 'probe_1')).toBeVisible();
});
