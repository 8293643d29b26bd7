/**
 * Classification in the Train tab: while an MNIST classifier trains, the inspector shows the confusion matrix of
 * the test split and a row of test images with their predicted labels, both following the live model; the norm of
 * each generated tensor is charted per route. Stopping keeps every metric recorded so far, also after a reload.
 * A classifier of 2-D points (spirals) gets the matrix and no images.
 */
import type { Page } from '@playwright/test';
import { chartPoints, expect, nextPaint, screenshot, screenshotPath, test, toggleTheme, trainStep } from './fixtures';

const accuracy = async (page: Page) => Number(await page.getByTestId('confusion-matrix').getAttribute('data-accuracy'));

test.describe('MNIST classifier', () => {
  test.use({ serveDocument: { template: 'chunked-compression' } });

  test('confusion matrix and classified test images follow training; weight norms are charted; stopping keeps the metrics', async ({ editor: page }) => {
    test.setTimeout(300_000);
    await page.getByTestId('dock-tab-train').click();
    await page.getByTestId('train-steps').fill('20000');
    await page.getByTestId('train-start').click();
    await expect.poll(() => trainStep(page), { timeout: 90_000 }).toBeGreaterThan(5);

    await page.getByTestId('train-inspect').click();
    const matrix = page.getByTestId('confusion-matrix');
    await expect(matrix).toBeVisible({ timeout: 30_000 });
    await expect(matrix).toHaveAttribute('data-classes', '10');
    await expect(matrix.locator('tbody tr')).toHaveCount(10);
    await expect(matrix.locator('tbody tr').first().locator('td')).toHaveCount(10);
    // Rows are true classes, columns predicted ones; every cell says so to assistive technology.
    await expect(matrix.locator('thead th[scope="col"]').nth(4)).toHaveAttribute('aria-label', 'predicted 3');
    await expect(matrix.locator('tbody th[scope="row"]').nth(7)).toHaveAttribute('aria-label', 'true 7');
    await expect(matrix.locator('tbody tr').nth(2).locator('td').nth(5)).toHaveAttribute('aria-label', /^true 2, predicted 5: \d+ of \d+ \(\d/);
    const samples = Number(await matrix.getAttribute('data-samples'));
    expect(samples).toBeGreaterThan(100);
    const counted = await matrix.locator('tbody td').evaluateAll((tds) => tds.reduce((a, td) => a + Number(td.textContent || 0), 0));
    expect(counted).toBe(samples);

    const images = page.getByTestId('sample-predictions');
    await expect(images).toHaveAttribute('data-count', '12');
    await expect(images.locator('li')).toHaveCount(12);
    await expect(images.locator('canvas').first()).toHaveJSProperty('width', 28);
    await expect(images.locator('li').first()).toHaveAttribute('aria-label', /^sample 0: true \d, predicted \d/);
    const wrong = Number(await images.getAttribute('data-wrong'));
    await expect(images.locator('li[data-correct="false"]')).toHaveCount(wrong);

    // The views follow the live model: accuracy on the test split climbs as training goes on.
    const first = await accuracy(page);
    await expect.poll(() => accuracy(page), { timeout: 120_000 }).toBeGreaterThan(Math.min(0.8, first + 0.2));
    // Generated-weight norms, recorded at every evaluation (every 250 steps), one series per generated tensor.
    await expect.poll(() => chartPoints(page, 'weight-norms-chart'), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    const norms = page.getByTestId('weight-norms-chart');
    await expect(norms.locator('.u-legend .u-series')).toHaveText(['dense_1.kernel', 'dense_1.bias', 'dense_2.kernel', 'dense_2.bias']);

    // Screenshots: the default layout (palette and inspector open), then the Train tab over the whole width of a
    // taller window, in both themes.
    await matrix.scrollIntoViewIfNeeded();
    await screenshot(page, 'train-classification-light');
    await page.getByRole('button', { name: 'Palette', exact: true }).click();
    await page.getByRole('button', { name: 'Inspector', exact: true }).click();
    await page.setViewportSize({ width: 1440, height: 1300 });
    // The page has the new size and has laid out and painted at it (charts resize through ResizeObserver,
    // whose callbacks run before the paint).
    await page.waitForFunction(() => window.innerWidth === 1440 && window.innerHeight === 1300);
    await nextPaint(page);
    await matrix.scrollIntoViewIfNeeded();
    await screenshot(page, 'train-classification-wide-light');
    await page.getByTestId('weights-inspector').screenshot({ path: screenshotPath('train-classification-inspector-light') });
    await toggleTheme(page);
    await screenshot(page, 'train-classification-wide-dark');
    await page.getByTestId('weights-inspector').screenshot({ path: screenshotPath('train-classification-inspector-dark') });
    await page.getByTestId('theme-toggle').click();
    await page.setViewportSize({ width: 1440, height: 900 });

    // Stop: the evaluations and generated-weight norms recorded so far stay, plus the final evaluation at the stop.
    // (At least two evaluations first: the run keeps training, so it gets there; this waited on the screenshots'
    // sleeps before.)
    await expect.poll(() => chartPoints(page, 'eval-chart'), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    const evalsBefore = await chartPoints(page, 'eval-chart');
    const normsBefore = await chartPoints(page, 'weight-norms-chart');
    await page.getByTestId('train-stop').click();
    await expect(page.getByTestId('train-status')).toHaveText('stopped', { timeout: 30_000 });
    const stoppedAt = await trainStep(page);
    expect(stoppedAt).toBeLessThan(20_000);
    await expect.poll(() => chartPoints(page, 'eval-chart')).toBeGreaterThanOrEqual(evalsBefore);
    expect(await chartPoints(page, 'weight-norms-chart')).toBeGreaterThanOrEqual(normsBefore);
    const lossPoints = await chartPoints(page, 'loss-chart');
    expect(lossPoints).toBeGreaterThan(10);
    const run = page.getByTestId('run-history').locator('tr[data-status="stopped"]');
    await expect(run).toHaveCount(1);
    await expect(page.getByTestId('run-history').locator('thead')).toContainText('accuracy');
    await expect(run.locator('td[data-column="metric:accuracy"]')).toHaveText(/^0\.\d/);
    // The inspector now answers from the checkpoint written at the stop.
    await expect(page.getByTestId('weights-inspector')).toContainText(`checkpoint · step ${stoppedAt}`, { timeout: 20_000 });
    const evalsAfter = await chartPoints(page, 'eval-chart');

    // A reload reads the same record back from disk.
    await page.reload();
    await page.getByTestId('dock-tab-train').click();
    await page.getByTestId('run-history').getByTestId('run-select').first().click();
    await expect(page.getByTestId('train-status')).toHaveText('stopped');
    await expect.poll(() => trainStep(page)).toBe(stoppedAt);
    await expect.poll(() => chartPoints(page, 'eval-chart')).toBe(evalsAfter);
    expect(await chartPoints(page, 'loss-chart')).toBeGreaterThan(10);
    expect(await chartPoints(page, 'weight-norms-chart')).toBeGreaterThanOrEqual(normsBefore);
  });
});

test.describe('spirals classifier', () => {
  test.use({ serveDocument: { template: 'spirals-per-sample' } });

  test('points that are not images get the confusion matrix and no images', async ({ editor: page }) => {
    test.setTimeout(120_000);
    await page.getByTestId('dock-tab-train').click();
    await page.getByTestId('train-steps').fill('300');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 90_000 });
    await page.getByTestId('train-inspect').click();
    const matrix = page.getByTestId('confusion-matrix');
    await expect(matrix).toHaveAttribute('data-classes', '3', { timeout: 30_000 });
    await expect(matrix.locator('tbody tr')).toHaveCount(3);
    await expect(page.getByTestId('sample-predictions')).toHaveCount(0);
    await page.getByTestId('weights-inspector').screenshot({ path: screenshotPath('train-spirals-inspector-light') });
  });
});
