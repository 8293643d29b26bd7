/**
 * A webgpu run started from the Train tab (issue 13): the Backend list offers webgpu, the run trains on the
 * server's WebGPU adapter (here Chromium's SwiftShader Vulkan driver, a CPU implementation: correct and slow),
 * the backend badge names the adapter, and the run trains to the end with its loss on the chart.
 */
import { expect, openTrain, screenshot, test, trainStep } from './fixtures';

test.use({ serveEnv: { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' } });

test('a webgpu run from the Train tab: the adapter in the badge, trained to the end', async ({ editor: page }) => {
  test.setTimeout(180_000);
  await openTrain(page);
  const backend = page.getByTestId('train-backend');
  await expect(backend.locator('option')).toContainText(['auto', 'webgpu', 'wasm', 'pytorch']);
  await backend.selectOption('webgpu');
  await page.getByTestId('train-steps').fill('40');
  await page.getByTestId('train-start').click();

  await expect.poll(() => trainStep(page), { timeout: 120_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('train-backend-badge')).toHaveText('webgpu (SwiftShader driver 5.0.0)');
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('train-failure')).toHaveCount(0);
  expect(await trainStep(page)).toBe(40);
  await screenshot(page, 'train-webgpu');
});
