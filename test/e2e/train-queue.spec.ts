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
