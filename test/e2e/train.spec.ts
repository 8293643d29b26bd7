/**
 * Live training in the editor: the Train dock tab starts a run of the served document with the form's settings,
 * shows the step counter and the loss chart filling, pauses, resumes and stops it, inspects the generated
 * weights (heatmap, interpolation slider, predicted curve), keeps a run history that survives a server restart
 * and compares two runs; a continual-learning document shows its accuracy matrix.
 */
import { chartPoints, expect, openTrain, screenshot, screenshotPath, test, toggleTheme, trainStep } from './fixtures';
import { startServe } from './server';

test.describe('sinusoid family', () => {
  test.use({ serveDocument: { template: 'sinusoid-family' } });

  test('runs, pauses, resumes, stops, inspects, compares and keeps its history', async ({ editor: page, docPath, browser }) => {
    test.setTimeout(240_000);
    await openTrain(page);
    // The form starts from the document's training section.
    await expect(page.getByTestId('train-steps')).toHaveValue('8000');
    await expect(page.getByTestId('train-lr')).toHaveValue('0.0003');
    await page.getByTestId('train-steps').fill('4000');
    await page.getByTestId('train-start').click();

    await expect.poll(() => trainStep(page), { timeout: 90_000 }).toBeGreaterThan(20);
    await expect(page.getByTestId('train-step')).toContainText('/ 4000');
    await expect.poll(() => chartPoints(page, 'loss-chart')).toBeGreaterThan(10);
    await expect(page.getByTestId('train-backend-badge')).toBeVisible();

    // Pause: the counter stops.
    await page.getByTestId('train-pause').click();
    await expect(page.getByTestId('train-status')).toHaveText('paused');
    await expect(page.getByTestId('train-pause')).toHaveText('Resume');

    // Inspect the generated weights while paused (live model). The inspector asks the server again every second
    // while the run is live; its answers (server round-trips) are the clock: steps already sent may still arrive,
    // then the counter holds still over two more answers.
    await page.getByTestId('train-inspect').click();
    const answers = async () => Number(await page.getByTestId('weights-inspector').getAttribute('data-answers'));
    await expect.poll(answers, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const paused = await trainStep(page);
    const seen = await answers();
    await expect.poll(answers, { timeout: 30_000 }).toBeGreaterThanOrEqual(seen + 2);
    expect(await trainStep(page)).toBe(paused);
    await expect.poll(async () => Number(await page.getByTestId('weights-heatmap').getAttribute('data-cells')), { timeout: 30_000 }).toBeGreaterThan(0);
    const pred = page.getByTestId('predictions');
    await expect(pred).toHaveAttribute('data-pred', /\d/, { timeout: 20_000 });
    const before = await pred.getAttribute('data-pred');
    await page.getByTestId('context-slider').fill('1');
    await expect.poll(() => pred.getAttribute('data-pred'), { timeout: 20_000 }).not.toBe(before);
    await page.getByTestId('weights-inspector').screenshot({ path: screenshotPath('train-inspector-light') });

    // Resume: the counter moves again.
    await page.getByTestId('train-pause').click();
    await expect(page.getByTestId('train-status')).toHaveText('running');
    await expect.poll(() => trainStep(page), { timeout: 30_000 }).toBeGreaterThan(paused);

    await screenshot(page, 'train-running-light');
    await toggleTheme(page);
    await screenshot(page, 'train-running-dark');
    await page.getByTestId('theme-toggle').click();

    // Stop keeps the curves.
    await page.getByTestId('train-stop').click();
    await expect(page.getByTestId('train-status')).toHaveText('stopped', { timeout: 30_000 });
    expect(await chartPoints(page, 'loss-chart')).toBeGreaterThan(10);
    await expect(page.getByTestId('train-checkpoints')).toBeVisible();

    // A second, short run.
    await page.getByTestId('train-steps').fill('400');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 90_000 });
    await expect(page.getByTestId('train-step')).toContainText('400');

    // Export the trained weights.
    await page.getByTestId('train-export').click();
    await expect(page.getByTestId('train-exported')).toContainText('weights');

    // Both runs in the history; compare them.
    const history = page.getByTestId('run-history');
    await expect(history.locator('tbody tr')).toHaveCount(2);
    await history.getByTestId('run-compare').nth(0).check();
    await history.getByTestId('run-compare').nth(1).check();
    await expect(page.getByTestId('loss-chart')).toContainText('comparing 2 runs');
    await expect.poll(() => chartPoints(page, 'loss-chart')).toBeGreaterThan(10);
    await screenshot(page, 'train-compare-light');

    // A new server on the same document finds both runs on disk.
    const again = await startServe(docPath);
    try {
      const p2 = await browser.newPage();
      await p2.goto(again.url);
      await expect(p2.locator('.react-flow__node').first()).toBeVisible();
      await openTrain(p2);
      await expect(p2.getByTestId('run-history').locator('tbody tr')).toHaveCount(2);
      await expect(p2.getByTestId('run-history').locator('tr[data-status="done"]')).toHaveCount(1);
      await p2.getByTestId('run-select').first().click();
      await expect.poll(() => chartPoints(p2, 'loss-chart'), { timeout: 20_000 }).toBeGreaterThan(10);
      await p2.close();
    } finally {
      await again.close();
    }
  });
});

test.describe('continual learning', () => {
  test.use({ serveDocument: { template: 'toy-continual-regression' } });

  test('shows the accuracy matrix of a sequential run', async ({ editor: page }) => {
    test.setTimeout(180_000);
    await openTrain(page);
    await page.getByTestId('train-steps').fill('60');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
    const matrix = page.getByTestId('accuracy-matrix');
    await expect(matrix.locator('tbody tr')).toHaveCount(3);
    await expect(page.getByTestId('eval-chart')).toBeVisible();
    await screenshot(page, 'train-continual-light');
    await page.getByTestId('accuracy-matrix').scrollIntoViewIfNeeded();
    await toggleTheme(page);
    await screenshot(page, 'train-continual-dark');
    await page.getByTestId('accuracy-matrix').screenshot({ path: screenshotPath('train-matrix-dark') });
  });
});
