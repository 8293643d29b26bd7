/** Themes, the help dialog, and screenshots of the editor to look at. */
import { expect, nodeEl, screenshot, test } from './fixtures';

test('light and dark themes; the choice is remembered', async ({ editor: page }) => {
  await page.evaluate(() => localStorage.removeItem('hnet.theme'));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await nodeEl(page, 'dense_1').click();
  await screenshot(page, 'editor-light');

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('.react-flow')).toHaveClass(/dark/);
  await screenshot(page, 'editor-dark');

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.keyboard.press('t');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});

test('the help dialog lists the keyboard shortcuts', async ({ editor: page }) => {
  await page.keyboard.press('?');
  const help = page.getByTestId('help-dialog');
  await expect(help).toBeVisible();
  for (const label of ['Undo', 'Redo', 'Copy selected nodes', 'Paste', 'Duplicate selected nodes', 'Delete selection', 'Select all nodes', 'Save', 'Save as…', 'Open…', 'New document', 'Auto-layout', 'Fit view', 'Quick add a node'])
    await expect(help).toContainText(label);
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('fit view and zoom keep every node reachable; the minimap is there', async ({ editor: page }) => {
  await expect(page.locator('.react-flow__minimap')).toBeVisible();
  await page.keyboard.press('-');
  await page.keyboard.press('-');
  await page.keyboard.press('f');
  for (const id of ['waves', 'hyper', 'dense_1', 'dense_2', 'dense_3', 'loss', 'error']) await expect(nodeEl(page, id)).toBeInViewport();
});
