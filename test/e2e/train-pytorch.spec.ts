/**
 * A PyTorch-backend run started from the Train tab (issue 10 item 2): Backend "pytorch" in the form, the run
 * trains in a Python subprocess (/usr/bin/python3 with torch, found without HNET_PYTHON), the backend badge
 * names pytorch and its device, pause and resume work, and while the run is live the inspector is disabled
 * with its reason (the Python process answers checkpoints, not live requests). Once the run has ended it is
 * inspected from its last checkpoint: heatmap and predicted curve. A second, short run trains to the end.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';
import { repoRoot } from './server';

const step = async (page: Page) => Number(await page.getByTestId('train-step').getAttribute('data-step'));

test('a pytorch run from the Train tab: badge, pause/resume, inspection disabled while live, inspected from its checkpoint after', async ({ editor: page }) => {
  test.setTimeout(240_000);
  await page.getByTestId('dock-tab-train').click();
  await expect(page.getByTestId('train-panel')).toBeVisible();
  await page.getByTestId('train-backend').selectOption('pytorch');
  // Long enough that it is still running whatever the machine's speed: it is paused, then stopped.
  await page.getByTestId('train-steps').fill('200000');
  await page.getByTestId('train-start').click();

  await expect.poll(() => step(page), { timeout: 120_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('train-backend-badge')).toHaveText(/^pytorch \((cpu|cuda)/);
  await expect(page.getByTestId('train-failure')).toHaveCount(0);

  // Pause (SIGSTOP): the counter stops.
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-status')).toHaveText('paused');
  // Steps already printed may still arrive; then it holds still.
  await expect
    .poll(async () => {
      const a = await step(page);
      await page.waitForTimeout(800);
      return (await step(page)) === a;
    }, { timeout: 20_000 })
    .toBe(true);

  // Live: the inspector is disabled, with its reason.
  const inspect = page.getByTestId('train-inspect');
  await expect(inspect).toBeDisabled();
  await expect(inspect).toHaveAttribute('title', /PyTorch run shows once it ends/);
  await expect(page.getByTestId('train-inspect-unavailable')).toContainText('Live inspection of a PyTorch run shows once it ends');
  await expect(page.getByTestId('weights-inspector')).toHaveCount(0);
  await screenshot(page, 'train-pytorch-live');

  // Resume (SIGCONT): the counter moves again; then stop.
  const paused = await step(page);
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-status')).toHaveText('running');
  await expect.poll(() => step(page), { timeout: 60_000 }).toBeGreaterThan(paused);
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-status')).toHaveText('stopped', { timeout: 60_000 });
  await expect(page.getByTestId('train-backend-badge')).toHaveText(/^pytorch/);
  await expect(page.getByTestId('train-inspect-unavailable')).toHaveCount(0);
  await expect(page.getByTestId('train-checkpoints').locator('li').first()).toBeVisible({ timeout: 20_000 });

  // Ended: inspected from its last checkpoint.
  await expect(inspect).toBeEnabled();
  await inspect.click();
  await expect.poll(async () => Number(await page.getByTestId('weights-heatmap').getAttribute('data-cells')), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('predictions')).toHaveAttribute('data-pred', /\d/, { timeout: 30_000 });
  await expect(page.getByTestId('weights-inspector')).toContainText('checkpoint');
  await screenshot(page, 'train-pytorch-ended');
  await page.getByTestId('weights-inspector').scrollIntoViewIfNeeded();
  await page.getByTestId('weights-inspector').screenshot({ path: join(repoRoot, 'test-results', 'screenshots', 'train-pytorch-ended-inspector.png') });

  // A short run trains to the end, with an evaluation metric.
  await page.getByTestId('train-steps').fill('60');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('train-step')).toContainText('60');
  await expect(page.getByTestId('train-backend-badge')).toHaveText(/^pytorch/);
  await expect(page.getByTestId('eval-chart')).toBeVisible();
  const history = page.getByTestId('run-history');
  await expect(history.locator('li[data-status="done"]')).toHaveCount(1);
  await expect(history.locator('li[data-status="done"]')).toContainText(/mse \d/);
});
