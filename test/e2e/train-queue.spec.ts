/**
 * The run queue in the Train tab: with `hnet serve --max-runs 1`, a run started while another trains waits,
 * shown as "Queued (position 1)" in its status line and history row; its Stop button takes it out of the queue.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, openTrain, screenshot, templatesDir, test } from './fixtures';
import { startServe } from './server';

/** The editor at `url`, once its graph shows, on the Train tab. */
async function openTrainAt(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await openTrain(page);
}

test('a run beyond --max-runs waits queued with its position, and Stop cancels it', async ({ browser }) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'hnet-e2e-queue-'));
  const docPath = join(dir, 'waves.hnet.json');
  copyFileSync(join(templatesDir, 'sinusoid-family.hnet.json'), docPath);
  const served = await startServe(docPath, undefined, { args: ['--max-runs', '1'] });
  const first = await browser.newPage();
  const second = await browser.newPage();
  try {
    // One tab trains a long run...
    await openTrainAt(first, served.url);
    await first.getByTestId('train-steps').fill('100000');
    await first.getByTestId('train-start').click();
    await expect(first.getByTestId('train-status')).toHaveText('running', { timeout: 90_000 });

    // ...so a run started from another tab waits for its slot.
    await openTrainAt(second, served.url);
    await second.getByTestId('train-steps').fill('100000');
    await second.getByTestId('train-start').click();
    const status = second.getByTestId('train-status');
    await expect(status).toHaveText('Queued (position 1)');
    await expect(status).toHaveAttribute('data-status', 'queued');
    const row = second.getByTestId('run-history').locator('tr[data-status="queued"]');
    await expect(row.getByTestId('run-status')).toHaveText('Queued (position 1)');
    await expect(second.getByTestId('train-pause')).toBeDisabled();
    await expect(second.getByTestId('train-stop')).toBeEnabled();
    await screenshot(second, 'train-queued-light');

    // Stop takes it out of the queue: it ends stopped, never having started; the first run goes on.
    await second.getByTestId('train-stop').click();
    await expect(status).toHaveText('stopped');
    await expect(second.getByTestId('train-step')).toHaveAttribute('data-step', '0');
    await expect(first.getByTestId('train-status')).toHaveText('running');
    await first.getByTestId('train-stop').click();
    await expect(first.getByTestId('train-status')).toHaveText('stopped', { timeout: 30_000 });
  } finally {
    await first.close();
    await second.close();
    await served.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the queue card pauses, reorders and cancels, and the queue survives a restart of the app', async ({ browser }) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'hnet-e2e-queue-'));
  const home = mkdtempSync(join(tmpdir(), 'hnet-e2e-home-'));
  const docPath = join(dir, 'waves.hnet.json');
  copyFileSync(join(templatesDir, 'sinusoid-family.hnet.json'), docPath);
  let served = await startServe(docPath, undefined, { args: ['--max-runs', '1'], home });
  let page = await browser.newPage();
  try {
    await openTrainAt(page, served.url);
    await page.getByTestId('train-steps').fill('100000');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('running', { timeout: 90_000 });
    // Two more runs (a repeat over two seeds) wait behind it.
    await page.getByTestId('sweep-open').click();
    await page.getByTestId('sweep-seeds').fill('7,8');
    await page.getByTestId('sweep-start').click();
    const card = page.getByTestId('queue-card');
    await expect(card.getByTestId('queue-run')).toHaveCount(2);
    const ids = await card.getByTestId('queue-run').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')));
    // Move the first down, pause the queue, stop the running run: nothing starts.
    await card.getByTestId('queue-down').first().click();
    await expect(card.getByTestId('queue-run').first()).toHaveAttribute('data-run-id', ids[1]!);
    await card.getByTestId('queue-pause').click();
    await expect(card).toHaveAttribute('data-paused', 'true');
    await expect(card.getByTestId('queue-pause')).toHaveText('resume queue');
    // The table shows the repeat's runs since it started; all runs again, then the one training.
    await page.getByTestId('runs-group').selectOption('');
    await page.getByTestId('run-history').locator('tr[data-status="running"]').getByTestId('run-select').click();
    await page.getByTestId('train-stop').click();
    await expect(page.getByTestId('train-status')).toHaveText('stopped', { timeout: 30_000 });
    await expect(card.getByTestId('queue-run')).toHaveCount(2);
    await screenshot(page, 'train-queue-card-light');

    // The app closes and starts again: the queue is there, paused, in the order the user gave it.
    await page.close();
    await served.close();
    served = await startServe(docPath, undefined, { args: ['--max-runs', '1'], home });
    page = await browser.newPage();
    await openTrainAt(page, served.url);
    const again = page.getByTestId('queue-card');
    await expect(again).toHaveAttribute('data-paused', 'true');
    expect(await again.getByTestId('queue-run').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))).toEqual([ids[1], ids[0]]);
    const table = page.getByTestId('run-history');
    await expect(table.locator('tr[data-status="queued"]')).toHaveCount(2);
    // Resume: the first of them trains; cancel the other, then stop the one training.
    await again.getByTestId('queue-pause').click();
    await expect(table.locator(`tr[data-run-id="${ids[1]}"]`)).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
    await again.getByTestId('queue-cancel').click();
    await expect(table.locator(`tr[data-run-id="${ids[0]}"]`)).toHaveAttribute('data-status', 'stopped');
    await expect(page.getByTestId('queue-card')).toHaveCount(0);
    await table.locator(`tr[data-run-id="${ids[1]}"]`).getByTestId('run-select').click();
    await page.getByTestId('train-stop').click();
    await expect(page.getByTestId('train-status')).toHaveText('stopped', { timeout: 30_000 });
  } finally {
    await page.close();
    await served.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});
