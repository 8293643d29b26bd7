/**
 * Experiments from the Train tab: a sweep over the learning rate repeated over two seeds runs to the end (the
 * queue takes what the limit does not), its results show mean ± sd per configuration with a plot; the runs table
 * sorts, renames (the chart legend follows), overlays any number of runs, and deletes; and a table of 1,000
 * recorded runs shows (the time it takes is printed, not asserted).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, openTrain, screenshot, test } from './fixtures';

test.describe('sweeps and the runs table', () => {
  test.use({ serveDocument: { template: 'sinusoid-family' } });

  test('a learning-rate sweep over two seeds, then rename, overlay, sort and delete', async ({ editor: page }) => {
    test.setTimeout(180_000);
    await openTrain(page);
    await page.getByTestId('train-steps').fill('40');
    await page.getByTestId('sweep-open').click();
    await page.getByTestId('sweep-key-0').selectOption('learningRate');
    await page.getByTestId('sweep-values-0').fill('0.001, 0.01x');
    // A value that is not one is refused before anything starts, naming the field.
    await expect(page.getByTestId('sweep-problem')).toContainText('learningRate');
    await expect(page.getByTestId('sweep-start')).toBeDisabled();
    await page.getByTestId('sweep-values-0').fill('0.001, 0.01');
    await page.getByTestId('sweep-seeds').fill('1,2');
    await expect(page.getByTestId('sweep-start')).toHaveText('Start sweep (4 runs)');
    await page.getByTestId('sweep-start').click();

    const table = page.getByTestId('run-history');
    await expect(table.locator('tbody tr')).toHaveCount(4);
    await expect(table.locator('tr[data-status="done"]')).toHaveCount(4, { timeout: 120_000 });
    // The table shows what differs: the learning rate and the seed, not the batch size.
    await expect(table.locator('thead')).toContainText('lr');
    await expect(table.locator('thead')).toContainText('seed');
    await expect(table.locator('thead')).not.toContainText('batch');
    const results = page.getByTestId('sweep-results');
    await expect(results).toContainText('sweep learningRate, 2 seeds (1, 2)');
    const configs = page.getByTestId('sweep-table').locator('tbody tr');
    await expect(configs).toHaveCount(2);
    await expect(configs.first()).toContainText('2/2');
    await expect(configs.first()).toContainText('±');
    await expect(page.getByTestId('sweep-chart')).toBeVisible();

    // Sort by learning rate, both ways.
    await page.getByTestId('runs-sort-setting:learningRate').click();
    await expect(table.locator('tbody tr').first().locator('td[data-column="setting:learningRate"]')).toHaveText('0.001');
    await page.getByTestId('runs-sort-setting:learningRate').click();
    await expect(table.locator('tbody tr').first().locator('td[data-column="setting:learningRate"]')).toHaveText('0.01');

    // Rename the first row; the name is kept on disk and the legend uses it.
    await table.locator('tbody tr').first().getByTestId('run-rename').click();
    await page.getByTestId('run-rename-input').fill('fast lr');
    await page.getByTestId('run-rename-input').press('Enter');
    await expect(table.getByTestId('run-select').filter({ hasText: 'fast lr' })).toHaveCount(1);

    // Overlay three runs.
    for (let i = 0; i < 3; i++) await table.getByTestId('run-compare').nth(i).check();
    await expect(page.getByTestId('loss-chart')).toContainText('comparing 3 runs');
    await expect(page.getByTestId('loss-chart')).toContainText('fast lr');
    await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-series', '3');
    await screenshot(page, 'train-sweep-light');

    // The table as a file, provenance added: what a results table is regenerated from.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('runs-export-csv').click()]);
    expect(csv.suggestedFilename()).toBe('Sinusoid-family-runs.csv');
    const text = readFileSync((await csv.path())!, 'utf8').trim().split('\r\n');
    expect(text[0]).toMatch(/^name,status,started,backend,lr,.*,id,app version,document sha256,graph sha256,data sha256,seed$/);
    expect(text).toHaveLength(5);
    expect(text.find((l) => l.startsWith('fast lr,done'))).toMatch(/,[0-9a-f]{64},[0-9a-f]{64},[0-9a-f]{64},[12]$/);

    // The shown run's weights as safetensors, beside its other records.
    await page.getByTestId('train-export-safetensors').click();
    await expect(page.getByTestId('train-exported')).toContainText('model.safetensors');

    // Delete one run (asked first).
    await table.locator('tbody tr').nth(3).getByTestId('run-delete').click();
    await page.getByTestId('confirm-delete-run').getByRole('button', { name: 'Delete' }).click();
    await expect(table.locator('tbody tr')).toHaveCount(3);
    await expect(configs.filter({ hasText: '1/1' })).toHaveCount(1);
  });

  test('a table of 1,000 runs', async ({ editor: page, docPath }) => {
    test.setTimeout(180_000);
    await openTrain(page);
    await page.getByTestId('train-steps').fill('20');
    await page.getByTestId('train-start').click();
    const table = page.getByTestId('run-history');
    await expect(table.locator('tr[data-status="done"]')).toHaveCount(1, { timeout: 60_000 });
    // 999 more recorded runs on disk, copies of that one under new ids (a listing reads each run.json).
    const runs = join(dirname(docPath!), 'model.runs');
    const id = (await table.locator('tbody tr').first().getAttribute('data-run-id'))!;
    const record = JSON.parse(readFileSync(join(runs, id, 'run.json'), 'utf8')) as { id: string; metrics: Record<string, number> };
    for (let i = 0; i < 999; i++) {
      const copy = `run-20260101-${String(Math.floor(i / 60)).padStart(4, '0')}${String(i % 60).padStart(2, '0')}-${String(i).padStart(6, 'a')}`;
      cpSync(join(runs, id, 'run.json'), join(runs, copy, 'run.json'));
      writeFileSync(join(runs, copy, 'run.json'), JSON.stringify({ ...record, id: copy, metrics: { loss: i / 1000, mse: i / 1000 } }));
    }
    const t0 = Date.now();
    await page.getByTestId('run-history').getByText('refresh').click();
    await expect(table).toHaveAttribute('data-runs', '1000', { timeout: 60_000 });
    await expect(table.locator('tbody tr')).toHaveCount(1000);
    console.log(`runs table: 1,000 runs listed and shown in ${Date.now() - t0} ms`);
    await page.getByTestId('runs-sort-metric:loss').click();
    await expect(table.locator('tbody tr').first().locator('td[data-column="metric:loss"]')).toHaveText('0');
    await screenshot(page, 'train-runs-1000-light');
  });
});
