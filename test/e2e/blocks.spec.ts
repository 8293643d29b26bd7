/**
 * Blocks (subgraphs), as a user makes and uses them: select nodes and make a block from the context menu, name
 * it, open it (breadcrumb, boundary), promote an inner parameter and edit it from the block, see an inner
 * problem named block/node, save, reopen, save the block to the library and insert it again from the palette,
 * insert a shipped block and wire it, ungroup. The saved document is read to check what was written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { clickPane, dragWire, expect, handleEl, mod, nodeEl, screenshot, test } from './fixtures';

interface SavedNode {
  id: string;
  type: string;
  parent?: string;
  label?: string;
  params?: Record<string, unknown>;
  block?: { description: string; inputs: { name: string; node: string; port: string }[]; outputs: { name: string; node: string; port: string }[]; promoted: { node: string; param: string }[] };
}
interface Saved {
  version: number;
  nodes: SavedNode[];
  edges: { source: string; sourcePort: string; target: string; targetPort: string }[];
}
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Saved;

test.describe('blocks', () => {
  test.use({ serveDocument: { template: 'split-mnist-hnet' } });

  test('make a block, open it, promote a parameter, see inner problems by block/node, save, library, ungroup', async ({ editor: page, docPath }) => {
    // Select the task embedding and the chunked head, and make a block of them from the node's context menu.
    await nodeEl(page, 'task_emb').click();
    await nodeEl(page, 'hyper').click({ modifiers: ['Shift'] });
    await nodeEl(page, 'hyper').click({ button: 'right' });
    await expect(page.getByTestId('node-menu')).toBeVisible();
    await expect(page.getByTestId('menu-make-block')).toHaveText(/Make a block of 2 nodes/);
    await page.getByTestId('menu-make-block').click();
    const block = nodeEl(page, 'block_1');
    await expect(block).toBeVisible();
    await expect(nodeEl(page, 'hyper')).toHaveCount(0);
    // Its ports are the wires that cross its boundary; the wires now end on them.
    await expect(handleEl(page, 'block_1', 'task', 'target')).toBeAttached();
    await expect(handleEl(page, 'block_1', 'weights', 'source')).toBeAttached();
    await expect(page.getByTestId('block-inspector')).toBeVisible();
    await expect(page.getByTestId('problems-panel')).toContainText('No problems');

    // Name and describe it.
    await page.getByTestId('block-name').fill('Generator');
    await page.getByTestId('block-name').press('Enter');
    await page.getByTestId('block-description').fill('Task embedding into a chunked head.');
    await page.getByTestId('block-description').blur();
    await expect(block).toContainText('Generator');
    await expect(block).toContainText('Task embedding into a chunked head.');
    await screenshot(page, 'blocks-made');

    // Open it: the breadcrumb says where we are, the boundary shows its ports, the inner nodes are there.
    await block.dblclick();
    await expect(page.getByTestId('breadcrumb')).toContainText('Generator');
    await expect(nodeEl(page, 'hyper')).toBeVisible();
    await expect(nodeEl(page, 'dense_1')).toHaveCount(0);
    await expect(page.getByTestId('block-boundary-inputs')).toContainText('task');
    await expect(page.getByTestId('block-boundary-outputs')).toContainText('weights');
    // Promote the head's chunk size to the block.
    await nodeEl(page, 'hyper').click();
    await page.getByTestId('promote-chunkSize').check();
    await screenshot(page, 'blocks-inside');
    await page.getByTestId('crumb-0').click();
    await expect(page.getByTestId('breadcrumb')).toHaveCount(0);
    await expect(nodeEl(page, 'dense_1')).toBeVisible();

    // Edit the promoted parameter from the block: a bad value is a problem named generator/hyper.
    await block.click();
    const field = page.getByTestId('promoted-hyper-chunkSize').locator('input');
    await field.fill('1000');
    await field.press('Enter');
    await expect(page.getByTestId('block-param-block_1-hyper-chunkSize')).toHaveText('1,000');
    // Disconnect the embedding inside the block (its wire in through the block goes too): the problems name the
    // nodes through the block, and the block's face shows them.
    await block.dblclick();
    await nodeEl(page, 'task_emb').click({ button: 'right' });
    await page.getByTestId('menu-disconnect').click();
    await page.getByTestId('crumb-0').click();
    const problem = page.getByTestId('problems-panel').locator('[data-node="hyper"]').first();
    await expect(problem).toContainText('block_1/hyper.context');
    await expect(page.getByTestId('node-error-block_1')).toContainText('3 problems · task_emb.task');
    await screenshot(page, 'blocks-inner-problem');
    // A click on the problem opens the block and selects the node.
    await problem.click();
    await expect(page.getByTestId('breadcrumb')).toContainText('Generator');
    await expect(nodeEl(page, 'hyper')).toHaveClass(/selected/);
    // Wire it again inside the block, and the task in through the block's port.
    await dragWire(page, handleEl(page, 'task_emb', 'embedding', 'source'), handleEl(page, 'hyper', 'context', 'target'));
    await page.getByTestId('crumb-0').click();
    await dragWire(page, handleEl(page, 'digits', 'task', 'source'), handleEl(page, 'block_1', 'task', 'target'));
    await expect(page.getByTestId('problems-panel')).toContainText('No problems');

    // Save: the document is version 2, with the block and the nodes inside it.
    await clickPane(page);
    await page.keyboard.press(`${mod}+s`);
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
    const saved = read(docPath!);
    expect(saved.version).toBe(2);
    const b = saved.nodes.find((n) => n.id === 'block_1')!;
    expect(b).toMatchObject({ type: 'block', label: 'Generator' });
    expect(b.block).toMatchObject({
      description: 'Task embedding into a chunked head.',
      inputs: [{ name: 'task', node: 'task_emb', port: 'task' }],
      outputs: [{ name: 'weights', node: 'hyper', port: 'weights' }],
      promoted: [{ node: 'hyper', param: 'chunkSize' }],
    });
    expect(saved.nodes.filter((n) => n.parent === 'block_1').map((n) => n.id)).toEqual(['task_emb', 'hyper']);
    expect(saved.nodes.find((n) => n.id === 'hyper')?.params?.chunkSize).toBe(1000);
    // Wires still join the real nodes.
    expect(saved.edges).toContainEqual({ source: 'hyper', sourcePort: 'weights', target: 'dense_1', targetPort: 'kernel' });

    // Save it to the block library: the palette lists it, and inserting it adds a copy with fresh ids.
    await block.click();
    await page.getByTestId('block-save-library').click();
    await expect(page.getByTestId('notice').last()).toContainText('Saved "Generator" to the block library');
    const item = page.getByTestId('palette-block-library:generator');
    await expect(item).toBeVisible();
    await item.click();
    await expect(nodeEl(page, 'block_2')).toBeVisible();
    await expect(nodeEl(page, 'block_2')).toContainText('Generator');
    await nodeEl(page, 'block_2').dblclick();
    await expect(nodeEl(page, 'hyper_2')).toBeVisible();
    await expect(nodeEl(page, 'task_emb_2')).toBeVisible();
    await page.getByTestId('crumb-0').click();

    // Ungroup the first block from its context menu: its nodes come back to the top level, wired as before.
    await block.click({ button: 'right' });
    await page.getByTestId('menu-ungroup').click();
    await expect(nodeEl(page, 'block_1')).toHaveCount(0);
    await expect(nodeEl(page, 'hyper')).toBeVisible();
    await page.keyboard.press(`${mod}+s`);
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
    const after = read(docPath!);
    expect(after.nodes.find((n) => n.id === 'hyper')?.parent).toBeUndefined();
    expect(after.edges).toContainEqual({ source: 'hyper', sourcePort: 'weights', target: 'dense_1', targetPort: 'kernel' });
  });

  test('a shipped block from the palette is wired by its ports and the graph compiles', async ({ editor: page }) => {
    // Replace the template's own generator by the shipped one.
    await nodeEl(page, 'task_emb').click();
    await nodeEl(page, 'hyper').click({ modifiers: ['Shift'] });
    await page.keyboard.press('Delete');
    await page.getByTestId('palette-search').fill('task-conditioned');
    await page.getByTestId('palette-block-shipped:task-conditioned-chunked-generator').click();
    const id = 'generator';
    await expect(nodeEl(page, id)).toContainText('Task-conditioned chunked generator');
    await expect(page.getByTestId(`block-param-${id}-hyper-chunkSize`)).toHaveText('2,000');
    await page.locator('.react-flow__controls-fitview').click();
    await dragWire(page, handleEl(page, 'digits', 'task', 'source'), handleEl(page, id, 'task', 'target'));
    for (const t of ['dense_1', 'dense_2', 'dense_3'])
      for (const port of ['kernel', 'bias']) await dragWire(page, handleEl(page, id, 'weights', 'source'), handleEl(page, t, port, 'target'));
    await expect(page.getByTestId('problems-panel')).toContainText('No problems');
    await expect(page.getByTestId('budget-generated')).not.toHaveText('0');
    await screenshot(page, 'blocks-shipped');
  });
});

test.describe('old documents', () => {
  test.use({ serveDocument: { template: 'sinusoid-family' } });

  test('a version-1 file opens through the migration and is saved as version 2', async ({ editor: page, docPath }) => {
    // Write the served file as an older Hypernet Studio did, and reload it.
    const raw = JSON.parse(readFileSync(docPath!, 'utf8')) as Record<string, unknown>;
    writeFileSync(docPath!, `${JSON.stringify({ ...raw, version: 1 }, null, 2)}\n`);
    await page.reload();
    await expect(nodeEl(page, 'hyper')).toBeVisible();
    await expect(page.getByTestId('problems-panel')).toContainText('No problems');
    await nodeEl(page, 'hyper').click();
    await page.getByTestId('inspector-label').fill('Generator');
    await page.getByTestId('inspector-label').press('Enter');
    await page.keyboard.press(`${mod}+s`);
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
    const saved = read(docPath!);
    expect(saved.version).toBe(2);
    expect(saved.nodes.map((n) => n.id)).toEqual((raw.nodes as { id: string }[]).map((n) => n.id));
  });
});
