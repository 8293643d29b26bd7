/**
 * The static twin from the editor: "Train static twin" trains the same target network with ordinary weights
 * (same data, budget and seed) and compares it with the run it is the twin of; the run list marks it. A template
 * with a full budget offers it as a setting, recorded on the run.
 */
import { expect, openTrain, screenshot, test } from './fixtures';

test.describe('spirals, per-sample weights', () => {
  test.use({ serveDocument: { template: 'spirals-per-sample' } });

  test('trains the static twin beside the hypernetwork and compares the two', async ({ editor: page }) => {
    test.setTimeout(180_000);
    await openTrain(page);
    // This document has no full budget: no such setting.
    await expect(page.getByTestId('train-full-budget')).toHaveCount(0);
    await page.getByTestId('train-steps').fill('300');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 90_000 });

    await page.getByTestId('train-static-twin').click();
    const history = page.getByTestId('run-history');
    await expect(history.locator('tbody tr')).toHaveCount(2);
    await expect(history.locator('tbody tr').first()).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
    await expect(page.getByTestId('train-status')).toHaveText('done');
    await expect(page.getByTestId('train-step')).toContainText('300');
    await expect(page.getByTestId('loss-chart')).toContainText('static twin');

    // The newest run is the twin, marked as such; the two are compared.
    await expect(history.locator('tbody tr').first().getByTestId('run-static-twin')).toBeVisible();
    await expect(history.locator('tbody tr').nth(1).getByTestId('run-static-twin')).toHaveCount(0);
    await expect(history.getByTestId('run-compare').first()).toBeChecked();
    await expect(history.getByTestId('run-compare').nth(1)).toBeChecked();
    await expect.poll(async () => Number(await page.getByTestId('loss-chart').getAttribute('data-series')), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'train-static-twin-light');
  });
});

test.describe('a template with a full budget', () => {
  test.use({ serveDocument: { template: 'low-rank-dense' } });

  test('offers the full budget, and the run records it', async ({ editor: page }) => {
    test.setTimeout(120_000);
    await openTrain(page);
    const full = page.getByTestId('train-full-budget');
    await expect(full).toBeVisible();
    await expect(page.getByTestId('train-panel')).toContainText('Rank 32 and 6,000 steps');
    // Ticking it shows the full budget's training in the fields (6,000 steps); unticking brings the default's back.
    await expect(page.getByTestId('train-steps')).toHaveValue('1500');
    await full.check();
    await expect(page.getByTestId('train-steps')).toHaveValue('6000');
    await full.uncheck();
    await expect(page.getByTestId('train-steps')).toHaveValue('1500');
    await full.check();
    await page.getByTestId('train-steps').fill('5');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 90_000 });
    await expect(page.getByTestId('run-history').locator('tbody tr').first()).toContainText('full budget');
  });
});
