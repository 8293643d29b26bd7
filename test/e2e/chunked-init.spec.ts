/** The chunked head's initialisation choice in the inspector (generated from its parameter schema). */
import { expect, nodeEl, screenshot, test, waitForStillView } from './fixtures';

test.use({ serveDocument: { template: 'chunked-compression' } });

test('a chunked head offers chunked init per_tensor (the default) or per_chunk, and the choice is kept', async ({ editor: page }) => {
  await waitForStillView(page);
  await nodeEl(page, 'hyper').click();
  const field = page.getByTestId('param-chunkInit');
  await expect(field).toHaveValue('per_tensor');
  await expect(page.getByTestId('inspector')).toContainText('chunked init');
  await screenshot(page, 'chunked-init-inspector');
  await field.selectOption('per_chunk');
  await expect(field).toHaveValue('per_chunk');
  await expect(page.getByTestId('save-status')).toHaveText('Unsaved changes');
});
