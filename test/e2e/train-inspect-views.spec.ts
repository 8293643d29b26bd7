/**
 * The inspector's views per target kind, on runs that ended (answered from their checkpoints): a SIREN's
 * reconstruction of any test digit beside the digit, with its error; a generated convolution kernel as a grid of
 * filters on a symmetric scale; classified test images from any index of the test split, picked by number, by a
 * step back or forward, or by a click on an image.
 */
import type { Page } from '@playwright/test';
import { expect, nextPaint, readTemplate, screenshotPath, test, toggleTheme, type DocJson } from './fixtures';

/** A template with a small test split, so its run's evaluation and the inspector's answers are quick. */
function small(template: string, maxEvalSamples: number): DocJson {
  return { ...readTemplate(template), data: { maxEvalSamples, evalBatchSize: 100 } };
}

/**
 * A screenshot of the whole inspector: the Train tab over a tall, wide window (palette and node inspector closed),
 * since an element taller than the dock's scrolling panel is captured cut off.
 */
async function inspectorShot(page: Page, name: string): Promise<void> {
  if (await page.getByRole('button', { name: 'Palette', exact: true }).getAttribute('aria-pressed') !== 'false') {
    await page.getByRole('button', { name: 'Palette', exact: true }).click();
    await page.getByRole('button', { name: 'Inspector', exact: true }).click();
    await page.setViewportSize({ width: 1440, height: 1400 });
    await page.waitForFunction(() => window.innerWidth === 1440 && window.innerHeight === 1400);
  }
  await nextPaint(page);
  await page.getByTestId('weights-inspector').scrollIntoViewIfNeeded();
  await page.getByTestId('weights-inspector').screenshot({ path: screenshotPath(name) });
}

async function trainAndInspect(page: Page, steps: number): Promise<void> {
  await page.getByTestId('dock-tab-train').click();
  await page.getByTestId('train-steps').fill(String(steps));
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  await page.getByTestId('train-inspect').click();
  await expect(page.getByTestId('inspect-source')).toHaveAttribute('data-source', 'checkpoint', { timeout: 30_000 });
}

test.describe('SIREN hypernetwork', () => {
  test.use({ serveDocument: { json: small('siren-inr', 200) } });

  test('the chosen test digit beside the SIREN generated for it, with PSNR and MSE', async ({ editor: page }) => {
    test.setTimeout(240_000);
    await trainAndInspect(page, 60);
    const recon = page.getByTestId('reconstruction');
    await expect(recon).toHaveAttribute('data-index', '0', { timeout: 30_000 });
    await expect(recon.getByTestId('reconstruction-original')).toHaveJSProperty('width', 28);
    await expect(recon.getByTestId('reconstruction-image')).toHaveJSProperty('height', 28);
    await expect(recon.getByTestId('reconstruction-error')).toHaveText(/^PSNR \d+\.\d\d dB · MSE 0\.\d+$/);
    const psnr = Number(await recon.getAttribute('data-psnr'));
    const mse = Number(await recon.getAttribute('data-mse'));
    expect(psnr).toBeCloseTo(10 * Math.log10(1 / mse), 6);
    // Better than a blank image would be: the digit's mean square intensity is above 0.05 for MNIST digits.
    expect(psnr).toBeGreaterThan(10);

    // Any test digit: bounded by the test split, typed or stepped.
    await expect(page.getByTestId('inspect-sample-count')).toHaveText('of 200');
    await expect(page.getByTestId('inspect-sample-prev')).toBeDisabled();
    await page.getByTestId('inspect-sample').fill('500');
    await expect(page.getByTestId('inspect-sample')).toHaveValue('199');
    await expect(recon).toHaveAttribute('data-index', '199', { timeout: 30_000 });
    await expect(page.getByTestId('inspect-sample-next')).toBeDisabled();
    await page.getByTestId('inspect-sample-prev').click();
    await expect(recon).toHaveAttribute('data-index', '198', { timeout: 30_000 });
    await expect(page.getByTestId('inspect-source')).toContainText('evaluation sample 198 of task 0');
    await page.getByTestId('weights-inspector').screenshot({ path: screenshotPath('train-inspect-siren-light') });
    await toggleTheme(page);
    await page.getByTestId('weights-inspector').screenshot({ path: screenshotPath('train-inspect-siren-dark') });
  });
});

test.describe('HA static CNN', () => {
  test.use({ serveDocument: { json: small('ha-static-mnist-cnn', 100) } });

  test('the generated conv kernel as a grid of 16 × 16 filters with a symmetric legend', async ({ editor: page }) => {
    test.setTimeout(240_000);
    await trainAndInspect(page, 10);
    const grid = page.getByTestId('filter-grid');
    await expect(grid).toHaveAttribute('data-tiles', '256', { timeout: 30_000 });
    await expect(grid).toHaveAttribute('data-rows', '16');
    await expect(grid).toHaveAttribute('data-cols', '16');
    await expect(grid).toContainText('16 filters (rows) × 16 input channels (columns), 7×7 each');
    await expect(page.getByTestId('weights-heatmap')).toHaveCount(0);
    const span = Number(await grid.getAttribute('data-span'));
    expect(span).toBeGreaterThan(0);
    const legend = (await grid.getByTestId('filter-legend').innerText()).split(/\s+/).map(Number);
    expect(legend).toEqual([-Number(span.toPrecision(3)), 0, Number(span.toPrecision(3))]);
    await inspectorShot(page, 'train-inspect-filters-light');
    await toggleTheme(page);
    await inspectorShot(page, 'train-inspect-filters-dark');
  });
});

test.describe('MNIST classifier', () => {
  test.use({ serveDocument: { json: small('chunked-compression', 300) } });

  test('classified test images from any index of the test split', async ({ editor: page }) => {
    test.setTimeout(240_000);
    await trainAndInspect(page, 20);
    const images = page.getByTestId('sample-predictions');
    const first = images.locator('li').first();
    await expect(first).toHaveAttribute('data-index', '0', { timeout: 30_000 });
    await expect(page.getByTestId('inspect-sample-count')).toHaveText('of 300');
    await page.getByTestId('inspect-sample').fill('250');
    await expect(first).toHaveAttribute('data-index', '250', { timeout: 30_000 });
    await expect(first).toHaveAttribute('aria-current', 'true');
    await expect(images.locator('li')).toHaveCount(12);
    await page.getByTestId('inspect-sample-next').click();
    await expect(first).toHaveAttribute('data-index', '251', { timeout: 30_000 });
    // A click on a later image chooses it.
    await images.locator('li[data-index="255"] button').click();
    await expect(first).toHaveAttribute('data-index', '255', { timeout: 30_000 });
    await expect(page.getByTestId('inspect-sample')).toHaveValue('255');
    await inspectorShot(page, 'train-inspect-samples-light');
    // The end of the split: the last images only.
    await page.getByTestId('inspect-sample').fill('296');
    await expect(first).toHaveAttribute('data-index', '296', { timeout: 30_000 });
    await expect(images.locator('li')).toHaveCount(4);
    await page.getByTestId('inspect-sample-next').click();
    await page.getByTestId('inspect-sample-next').click();
    await page.getByTestId('inspect-sample-next').click();
    await expect(first).toHaveAttribute('data-index', '299', { timeout: 30_000 });
    await expect(page.getByTestId('inspect-sample-next')).toBeDisabled();
  });
});
