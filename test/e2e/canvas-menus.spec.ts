/**
 * Everyday canvas work: a wire dropped on empty canvas opens a search of the node types that can take it and
 * wires the one chosen; a double-click on the canvas opens the search there; context menus on nodes and on the
 * canvas; nodes added from the palette never stack; the dock resizes by dragging, is remembered, and keeps the
 * minimap clear of the graph.
 */
import { clickPane, edgeEl, expect, handleEl, mod, nodeEl, screenshot, test, type DocJson } from './fixtures';

const doc: DocJson = {
  metadata: { name: 'Canvas test' },
  nodes: [
    { id: 'data', type: 'data.sinusoid', position: { x: 0, y: 200 }, params: {} },
    { id: 'hyper', type: 'head.mlp', position: { x: 300, y: 0 }, params: { hidden: [16] } },
    { id: 'dense_1', type: 'target.dense', position: { x: 650, y: 220 }, params: { units: 1 } },
    { id: 'loss', type: 'objective.mse', position: { x: 950, y: 300 }, params: {} },
  ],
  edges: [
    { source: 'data', sourcePort: 'context', target: 'hyper', targetPort: 'context' },
    { source: 'data', sourcePort: 'x', target: 'dense_1', targetPort: 'x' },
    { source: 'hyper', sourcePort: 'weights', target: 'dense_1', targetPort: 'kernel' },
    { source: 'dense_1', sourcePort: 'y', target: 'loss', targetPort: 'prediction' },
    { source: 'data', sourcePort: 'y', target: 'loss', targetPort: 'target' },
  ],
};

test.use({ serveDocument: { json: doc } });

const positions = (page: import('@playwright/test').Page) =>
  page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => [e.getAttribute('data-id'), (e as HTMLElement).style.transform]));

test('a wire dropped on empty canvas searches the node types that take it and wires the one chosen', async ({ editor: page }) => {
  const from = handleEl(page, 'hyper', 'weights', 'source');
  const a = (await from.boundingBox())!;
  const box = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + 60, a.y + 80, { steps: 6 });
  await page.mouse.move(box.x + 420, box.y + box.height - 120, { steps: 10 });
  await page.mouse.up();
  const search = page.getByTestId('quick-add');
  await expect(search).toBeVisible();
  await expect(page.getByTestId('quick-add-for')).toContainText('hyper.weights (weights)');
  // Only types with an input for weights: Dense is offered, a dataset or a loss is not.
  await expect(page.getByTestId('quick-add-target.dense')).toBeVisible();
  await expect(page.getByTestId('quick-add-data.sinusoid')).toHaveCount(0);
  await expect(page.getByTestId('quick-add-objective.mse')).toHaveCount(0);
  await screenshot(page, 'canvas-wire-search');
  await page.getByTestId('quick-add-search').fill('conv');
  await page.keyboard.press('Enter');
  await expect(search).toBeHidden();
  const added = nodeEl(page, 'conv2d_1');
  await expect(added).toBeVisible();
  await expect(edgeEl(page, 'hyper.weights->conv2d_1.kernel')).toBeAttached();
  // The node landed where the wire was dropped (to its right), not in the middle of the view.
  const b = (await added.boundingBox())!;
  expect(Math.abs(b.x - (box.x + 420))).toBeLessThan(40);
});

test('a wire dragged back from an input searches the types that can drive it', async ({ editor: page }) => {
  // dense_1's bias is not wired: drag a wire back from it.
  const to = handleEl(page, 'dense_1', 'bias', 'target');
  const a = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x - 60, a.y + 100, { steps: 6 });
  await page.mouse.move(a.x - 220, a.y + 260, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByTestId('quick-add-for')).toContainText('drive dense_1.bias (weights)');
  await expect(page.getByTestId('quick-add-head.low_rank')).toBeVisible();
  await expect(page.getByTestId('quick-add-target.dense')).toHaveCount(0);
  await page.getByTestId('quick-add-head.low_rank').click();
  await expect(edgeEl(page, 'low_rank_head_1.weights->dense_1.bias')).toBeAttached();
});

test('a double-click on the canvas opens the search at the cursor and adds the node there', async ({ editor: page }) => {
  const box = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.dblclick(box.x + 200, box.y + box.height - 140);
  const dialog = page.getByTestId('quick-add');
  await expect(dialog).toBeVisible();
  const d = (await dialog.boundingBox())!;
  expect(Math.abs(d.x - (box.x + 200))).toBeLessThan(4);
  await page.getByTestId('quick-add-search').fill('accuracy');
  await page.keyboard.press('Enter');
  const n = (await nodeEl(page, 'accuracy_metric_1').boundingBox())!;
  expect(Math.abs(n.x - (box.x + 200))).toBeLessThan(30);
});

test('context menus: on a node (duplicate, disconnect, make block, delete) and on the canvas (add here, paste, layout, fit)', async ({ editor: page }) => {
  await nodeEl(page, 'dense_1').click({ button: 'right' });
  const menu = page.getByTestId('node-menu');
  await expect(menu).toBeVisible();
  for (const item of ['duplicate', 'make-block', 'disconnect', 'delete']) await expect(page.getByTestId(`menu-${item}`)).toBeVisible();
  await screenshot(page, 'canvas-node-menu');
  await page.getByTestId('menu-duplicate').click();
  await expect(nodeEl(page, 'dense_2')).toBeVisible();
  await page.keyboard.press(`${mod}+c`);

  // Disconnect takes every wire of the node (its copy sits over it, 40 px down and right: click its corner).
  await nodeEl(page, 'dense_1').click({ button: 'right', position: { x: 12, y: 12 } });
  await page.getByTestId('menu-disconnect').click();
  await expect(page.locator('.react-flow__edge[data-testid*="dense_1"]')).toHaveCount(0);
  await page.keyboard.press(`${mod}+z`);
  await expect(edgeEl(page, 'hyper.weights->dense_1.kernel')).toBeAttached();

  // The canvas menu: paste lands at the click; add node here opens the search there.
  const box = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.click(box.x + 150, box.y + 120, { button: 'right' });
  await expect(page.getByTestId('canvas-menu')).toBeVisible();
  for (const item of ['add', 'paste', 'layout', 'fit']) await expect(page.getByTestId(`menu-${item}`)).toBeVisible();
  await screenshot(page, 'canvas-pane-menu');
  await page.getByTestId('menu-paste').click();
  await expect(nodeEl(page, 'dense_3')).toBeVisible();
  const pasted = (await nodeEl(page, 'dense_3').boundingBox())!;
  expect(Math.abs(pasted.x - (box.x + 150))).toBeLessThan(30);
  await page.mouse.click(box.x + 500, box.y + 60, { button: 'right' });
  await page.getByTestId('menu-layout').click();
  await page.mouse.click(box.x + 500, box.y + 60, { button: 'right' });
  await page.getByTestId('menu-add').click();
  await expect(page.getByTestId('quick-add')).toBeVisible();
  await page.keyboard.press('Escape');
  // Escape closes a menu without doing anything.
  await nodeEl(page, 'dense_3').click({ button: 'right' });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('node-menu')).toHaveCount(0);
  await expect(nodeEl(page, 'dense_3')).toBeVisible();
  await page.mouse.click(box.x + 500, box.y + 60, { button: 'right' });
  await page.getByTestId('menu-fit').click();
  await expect(page.getByTestId('canvas-menu')).toHaveCount(0);
});

test('nodes added from the palette land at the middle of the view, each offset from the last', async ({ editor: page }) => {
  await clickPane(page);
  const before = await positions(page);
  for (let i = 0; i < 7; i++) await page.getByTestId('palette-target.dense').click();
  const after = (await positions(page)).filter(([id]) => !before.some(([b]) => b === id));
  expect(after).toHaveLength(7);
  expect(new Set(after.map(([, t]) => t)).size).toBe(7);
  await screenshot(page, 'canvas-placement');
});

test('the dock resizes by dragging its edge, is remembered across a reload, and the minimap stays clear of it', async ({ editor: page }) => {
  const dock = page.getByTestId('dock');
  const h0 = (await dock.boundingBox())!.height;
  const handle = (await page.getByTestId('dock-resizer').boundingBox())!;
  await page.mouse.move(handle.x + 300, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + 300, handle.y - 200, { steps: 8 });
  await page.mouse.up();
  const h1 = (await dock.boundingBox())!.height;
  expect(h1).toBeGreaterThan(h0 + 150);
  const map = page.locator('.react-flow__minimap');
  const dockTop = (await dock.boundingBox())!.y;
  if (await map.count()) expect((await map.boundingBox())!.y + (await map.boundingBox())!.height).toBeLessThanOrEqual(dockTop);
  await screenshot(page, 'canvas-dock-resized');
  await page.reload();
  await expect(nodeEl(page, 'hyper')).toBeVisible();
  expect(Math.abs((await page.getByTestId('dock').boundingBox())!.height - h1)).toBeLessThan(3);
  // Dragged very high, the dock stops at three quarters of the window and the short canvas drops its minimap.
  const h = (await page.getByTestId('dock-resizer').boundingBox())!;
  await page.mouse.move(h.x + 300, h.y + 2);
  await page.mouse.down();
  await page.mouse.move(h.x + 300, 5, { steps: 8 });
  await page.mouse.up();
  expect((await page.getByTestId('dock').boundingBox())!.height).toBeLessThanOrEqual(900 * 0.75 + 1);
  await expect(map).toHaveCount(0);
  // A double-click on the edge puts the default height back.
  await page.getByTestId('dock-resizer').dblclick();
  expect(Math.abs((await page.getByTestId('dock').boundingBox())!.height - h0)).toBeLessThan(3);
});

test.describe('wire labels', () => {
  test.use({ serveDocument: { template: 'spirals-per-sample' } });

  test('per-sample labels of a head feeding a kernel and a bias are laid out apart, at any zoom', async ({ editor: page }) => {
    const kernel = page.getByTestId('edge-label-hyper.weights->dense_1.kernel');
    const bias = page.getByTestId('edge-label-hyper.weights->dense_1.bias');
    await expect(kernel).toHaveText('B × [2, 16]');
    await expect(bias).toHaveText('B × [16]');
    const apart = async () => {
      const boxes = await page.locator('.hn-edge-label').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
          expect(overlap, `labels ${i} and ${j} overlap`).toBe(false);
        }
    };
    await expect.poll(async () => (await page.locator('.hn-edge-label[data-shifted="true"]').count()) > 0).toBe(true);
    await apart();
    await screenshot(page, 'canvas-labels-apart');
    await page.locator('.react-flow__controls-zoomin').click();
    await page.locator('.react-flow__controls-zoomin').click();
    await expect.poll(async () => (await page.locator('.hn-edge-label[data-shifted="true"]').count()) > 0).toBe(true);
    await apart();
  });
});

test.describe('bypass', () => {
  test.use({ serveDocument: { template: 'sinusoid-family' } });

  test('a layer bypassed from its menu passes its input through; the budget drops and comes back', async ({ editor: page, docPath }) => {
    const generated = await page.getByTestId('budget-generated').textContent();
    await nodeEl(page, 'dense_2').click({ button: 'right' });
    await expect(page.getByTestId('menu-bypass')).toHaveText('Bypass (pass the input through)');
    await page.getByTestId('menu-bypass').click();
    await expect(nodeEl(page, 'dense_2').locator('[data-bypassed="true"]')).toBeVisible();
    await expect(page.getByTestId('problems-panel')).toContainText('No problems');
    await expect(page.getByTestId('budget-generated')).not.toHaveText(generated ?? '');
    await screenshot(page, 'canvas-bypassed');
    await page.keyboard.press(`${mod}+s`);
    await expect(page.getByTestId('save-status')).toHaveText('Saved');
    const saved = JSON.parse((await import('node:fs')).readFileSync(docPath!, 'utf8')) as { nodes: { id: string; bypass?: boolean }[] };
    expect(saved.nodes.find((n) => n.id === 'dense_2')?.bypass).toBe(true);
    // A node that cannot pass a tensor through offers no bypass.
    await nodeEl(page, 'hyper').click({ button: 'right' });
    await expect(page.getByTestId('menu-bypass')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await nodeEl(page, 'dense_2').click({ button: 'right' });
    await expect(page.getByTestId('menu-bypass')).toHaveText('Stop bypassing');
    await page.getByTestId('menu-bypass').click();
    await expect(nodeEl(page, 'dense_2').locator('[data-bypassed="true"]')).toHaveCount(0);
    await expect(page.getByTestId('budget-generated')).toHaveText(generated ?? '');
  });
});
