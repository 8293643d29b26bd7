/**
 * A PyTorch-backend run started from the Train tab (issue 10 item 2): Backend "pytorch" in the form, the run
 * trains in a Python subprocess (/usr/bin/python3 with torch, found without HNET_PYTHON), the backend badge
 * names pytorch and its device, pause and resume work, and the inspector answers while the run is live (the
 * Python process writes its state between two steps; paused too): heatmap and predicted curve from the live
 * model, moving on after resume. Once the run has ended it is inspected from its last checkpoint. A second,
 * short run trains to the end.
 */
import { join } from 'node:path';
import { expect, screenshot, test, trainStep } from './fixtures';
import { repoRoot } from './server';

test('a pytorch run from the Train tab: badge, pause/resume, live inspection, inspected from its checkpoint after', async ({ editor: page }) => {
  test.setTimeout(240_000);
  await page.getByTestId('dock-tab-train').click();
  await expect(page.getByTestId('train-panel')).toBeVisible();
  await page.getByTestId('train-backend').selectOption('pytorch');
  // Long enough that it is still running whatever the machine's speed: it is paused, then stopped.
  await page.getByTestId('train-steps').fill('200000');
  await page.getByTestId('train-start').click();

  await expect.poll(() => trainStep(page), { timeout: 120_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('train-backend-badge')).toHaveText(/^pytorch \((cpu|cuda)/);
  await expect(page.getByTestId('train-failure')).toHaveCount(0);

  // Pause (a `pause` line on train.py's stdin): the counter stops.
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-status')).toHaveText('paused');

  // Live (paused): the inspector answers from the Python process's state. It asks again every second while the
  // run is live, and its answers (server round-trips) are the clock for what follows.
  const inspect = page.getByTestId('train-inspect');
  const inspector = page.getByTestId('weights-inspector');
  const source = inspector.getByTestId('inspect-source');
  const cells = async () => Number(await page.getByTestId('weights-heatmap').getAttribute('data-cells'));
  const answers = async () => Number((await inspector.getAttribute('data-answers')) ?? 0);
  const nextAnswer = async () => {
    const n = await answers();
    await expect.poll(answers, { timeout: 30_000 }).toBeGreaterThan(n);
  };
  await inspect.click();
  await expect.poll(cells, { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('predictions')).toHaveAttribute('data-pred', /\d/, { timeout: 30_000 });
  await expect(source).toHaveAttribute('data-source', 'live', { timeout: 30_000 });
  // Steps already printed may still arrive; then the counter holds still from one answer to the next.
  await expect
    .poll(async () => {
      const a = await trainStep(page);
      await nextAnswer();
      return (await trainStep(page)) === a;
    }, { timeout: 60_000 })
    .toBe(true);
  const paused = await trainStep(page);
  // Paused, it keeps answering at one step (at or after the last streamed), and the counter stays where it is.
  const held = Number(await source.getAttribute('data-step'));
  expect(held).toBeGreaterThanOrEqual(paused);
  const seen = await answers();
  await expect.poll(answers, { timeout: 30_000 }).toBeGreaterThanOrEqual(seen + 2);
  await expect(source).toHaveAttribute('data-step', String(held));
  expect(await trainStep(page)).toBe(paused);
  await screenshot(page, 'train-pytorch-live');
  await inspector.scrollIntoViewIfNeeded();
  await inspector.screenshot({ path: join(repoRoot, 'test-results', 'screenshots', 'train-pytorch-live-inspector.png') });

  // Resume: the counter moves again, and so does the live inspection; then stop.
  await page.getByTestId('train-pause').click();
  await expect(page.getByTestId('train-status')).toHaveText('running');
  await expect.poll(() => trainStep(page), { timeout: 60_000 }).toBeGreaterThan(paused);
  await expect.poll(async () => Number(await source.getAttribute('data-step')), { timeout: 60_000 }).toBeGreaterThan(held);
  await expect(source).toHaveAttribute('data-source', 'live');
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-status')).toHaveText('stopped', { timeout: 60_000 });
  await expect(page.getByTestId('train-backend-badge')).toHaveText(/^pytorch/);
  await expect(page.getByTestId('train-checkpoints').locator('li').first()).toBeVisible({ timeout: 20_000 });

  // Ended: inspected from its last checkpoint.
  await expect(source).toHaveAttribute('data-source', 'checkpoint', { timeout: 60_000 });
  await expect.poll(cells, { timeout: 60_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('predictions')).toHaveAttribute('data-pred', /\d/, { timeout: 30_000 });
  await screenshot(page, 'train-pytorch-ended');
  await inspector.scrollIntoViewIfNeeded();
  await inspector.screenshot({ path: join(repoRoot, 'test-results', 'screenshots', 'train-pytorch-ended-inspector.png') });

  // A short run trains to the end, with an evaluation metric.
  await page.getByTestId('train-steps').fill('60');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
  await expect(page.getByTestId('train-step')).toContainText('60');
  await expect(page.getByTestId('train-backend-badge')).toHaveText(/^pytorch/);
  await expect(page.getByTestId('eval-chart')).toBeVisible();
  const history = page.getByTestId('run-history');
  await expect(history.locator('tr[data-status="done"]')).toHaveCount(1);
  await expect(history.locator('thead')).toContainText('mse');
  await expect(history.locator('tr[data-status="done"] td[data-column="metric:mse"]')).toHaveText(/^\d/);
});
