/** Broken shapes show on the node and in the problems panel; a click selects the node and centres it. */
import { clickPane, dragWire, expect, handleEl, nodeEl, screenshot, test, type DocJson } from './fixtures';

test('a shape mismatch is listed; clicking it selects and centres the node', async ({ editor: page }) => {
  const panel = page.getByTestId('problems-panel');
  await expect(panel).toContainText('No problems');
  const budgetBefore = await page.getByTestId('budget-hyper').textContent();

  // The regressor's last layer should have 1 unit; 3 makes the loss compare [B, 3] with [B, 1].
  await nodeEl(page, 'dense_3').click();
  await page.getByTestId('param-units').fill('3');
  await expect(panel).toContainText('loss.target');
  await expect(panel).toContainText('prediction [B, 3] and target [B, 1] differ');
  await expect(panel).toContainText('HN030');
  await expect(nodeEl(page, 'loss').locator('.hn-node')).toHaveClass(/has-error/);
  await expect(page.getByTestId('node-error-loss')).toContainText('[B, 3]');
  // The budget keeps the last values, marked stale, and counts the problems.
  await expect(page.getByTestId('budget-bar')).toHaveClass(/is-stale/);
  await expect(page.getByTestId('budget-hyper')).toHaveText(budgetBefore ?? '');
  await expect(page.getByTestId('budget-problems')).toContainText('2 problems');
  await screenshot(page, 'problems-panel');

  // Move the view away, then click the problem.
  await clickPane(page);
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await page.mouse.move(canvas.x + 200, canvas.y + 200);
  await page.mouse.down();
  await page.mouse.move(canvas.x + 600, canvas.y + 400, { steps: 8 });
  await page.mouse.up();
  await panel.locator('[data-node="loss"]').first().click();
  await expect(nodeEl(page, 'loss')).toHaveClass(/selected/);
  await expect(page.getByTestId('inspector')).toContainText('Mean squared error');
  await expect
    .poll(async () => {
      const b = (await nodeEl(page, 'loss').boundingBox())!;
      return Math.hypot(b.x + b.width / 2 - (canvas.x + canvas.width / 2), b.y + b.height / 2 - (canvas.y + canvas.height / 2));
    })
    .toBeLessThan(40);

  // Fixing it clears the problem.
  await nodeEl(page, 'dense_3').click();
  await page.getByTestId('param-units').fill('1');
  await expect(panel).toContainText('No problems');
  await expect(page.getByTestId('budget-bar')).not.toHaveClass(/is-stale/);
});

const mnistDoc: DocJson = {
  metadata: { name: 'MNIST image into Dense' },
  nodes: [
    { id: 'digits', type: 'data.mnist', position: { x: 0, y: 100 }, params: { layout: 'image' } },
    { id: 'dense_1', type: 'target.dense', position: { x: 350, y: 100 }, params: { units: 10 } },
    { id: 'ce', type: 'objective.cross_entropy', position: { x: 700, y: 100 }, params: {} },
  ],
  edges: [
    { source: 'dense_1', sourcePort: 'y', target: 'ce', targetPort: 'logits' },
    { source: 'digits', sourcePort: 'y', target: 'ce', targetPort: 'labels' },
  ],
};

test.describe('document-level and wiring problems', () => {
  test.use({ serveDocument: { json: mnistDoc } });

  test('wiring an image into a Dense names the node and what to do', async ({ editor: page }) => {
    const panel = page.getByTestId('problems-panel');
    await expect(panel).toContainText('dense_1.x');
    await dragWire(page, handleEl(page, 'digits', 'x', 'source'), handleEl(page, 'dense_1', 'x', 'target'));
    await expect(page.locator('[data-testid="rf__edge-digits.x->dense_1.x"]')).toBeAttached();
    await expect(page.getByTestId('edge-label-digits.x->dense_1.x')).toHaveText('[B, 28, 28, 1]');
    await expect(panel).toContainText('Flatten');
    await expect(page.getByTestId('node-error-dense_1')).toContainText('Flatten');
  });

  test('problems without a node are listed too', async ({ editor: page }) => {
    await nodeEl(page, 'ce').click();
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('problems-panel')).toContainText('no objective');
  });
});

const singleTaskDoc: DocJson = {
  metadata: { name: 'A task embedding on one task' },
  nodes: [
    { id: 'data', type: 'data.spirals', position: { x: 0, y: 100 }, params: {} },
    { id: 'emb', type: 'context.task_embedding', position: { x: 300, y: 0 }, params: { dim: 4 } },
    { id: 'h', type: 'head.linear', position: { x: 600, y: 0 }, params: {} },
    { id: 'd', type: 'target.dense', position: { x: 600, y: 250 }, params: { units: 2 } },
    { id: 'loss', type: 'objective.cross_entropy', position: { x: 900, y: 200 }, params: {} },
  ],
  edges: [
    { source: 'data', sourcePort: 'task', target: 'emb', targetPort: 'task' },
    { source: 'emb', sourcePort: 'embedding', target: 'h', targetPort: 'context' },
    { source: 'data', sourcePort: 'x', target: 'd', targetPort: 'x' },
    { source: 'h', sourcePort: 'weights', target: 'd', targetPort: 'kernel' },
    { source: 'd', sourcePort: 'y', target: 'loss', targetPort: 'logits' },
    { source: 'data', sourcePort: 'y', target: 'loss', targetPort: 'labels' },
  ],
};

test.describe('warnings', () => {
  test.use({ serveDocument: { json: singleTaskDoc } });

  test('a task embedding on single-task data is a warning on the node; the graph still compiles', async ({ editor: page }) => {
    const panel = page.getByTestId('problems-panel');
    await expect(panel).toContainText('compiles, with a warning');
    const row = panel.locator('[data-node="emb"]');
    await expect(row).toHaveAttribute('data-severity', 'warning');
    await expect(row).toHaveAttribute('data-code', 'HN034');
    await expect(row).toContainText('emb.task');
    await expect(row).toContainText('this context is constant');
    await expect(page.getByTestId('budget-bar')).not.toHaveClass(/is-stale/);
    // On the node too, as a warning, not an error.
    await expect(page.getByTestId('node-warning-emb')).toContainText('this context is constant');
    await expect(nodeEl(page, 'emb').locator('.hn-node')).not.toHaveClass(/has-error/);
    await screenshot(page, 'problems-warning');
    await row.click();
    await expect(nodeEl(page, 'emb')).toHaveClass(/selected/);
  });
});
