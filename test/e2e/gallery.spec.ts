/** A new user starts with no document: the gallery offers the templates, and each one opens whole on the canvas. */
import { edgeEl, edgeKey, expect, nodeEl, readTemplate, screenshot, templateIds, test } from './fixtures';

test.use({ serveDocument: { none: true } });

test('the gallery shows every template with its name, description and budget', async ({ editor: page }) => {
  const gallery = page.getByTestId('gallery');
  await expect(gallery).toBeVisible();
  const ids = templateIds();
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) {
    const doc = readTemplate(id);
    const card = page.getByTestId(`template-${id}`);
    await expect(card).toBeVisible();
    await expect(card).toContainText(doc.metadata?.name ?? id);
    await expect(card).toContainText('Hypernetwork');
  }
  await screenshot(page, 'gallery');
});

for (const id of templateIds()) {
  test(`template ${id} opens with every node and wire on the canvas`, async ({ editor: page }) => {
    const doc = readTemplate(id);
    await page.getByTestId(`template-${id}`).getByRole('button', { name: 'Open template' }).click();
    await expect(page.getByTestId('gallery')).toBeHidden();
    for (const n of doc.nodes) await expect(nodeEl(page, n.id), `node ${n.id}`).toBeAttached();
    for (const e of doc.edges ?? []) await expect(edgeEl(page, edgeKey(e)), `edge ${edgeKey(e)}`).toBeAttached();
    await expect(page.locator('.react-flow__node')).toHaveCount(doc.nodes.length);
    await expect(page.locator('.react-flow__edge')).toHaveCount((doc.edges ?? []).length);
    // A new, unsaved document named after the template.
    await expect(page.getByTestId('doc-title')).toHaveText(doc.metadata?.name ?? id);
    await expect(page.getByTestId('save-status')).toHaveText('Not saved yet');
    await expect(page.getByTestId('budget-hyper')).not.toHaveText('—');
    await expect(page.getByTestId('problems-panel')).toContainText('No problems');
  });
}

test('the gallery opens again from the toolbar and closes with Escape', async ({ editor: page }) => {
  await page.getByTestId('gallery-blank').click();
  await expect(page.getByTestId('gallery')).toBeHidden();
  await page.getByTestId('tool-gallery').click();
  await expect(page.getByTestId('gallery')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('gallery')).toBeHidden();
});
