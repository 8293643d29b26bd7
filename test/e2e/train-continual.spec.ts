/**
 * Continual learning in the Train tab: the schedule and the task order are run settings (refused orders and
 * values said under their fields), a run trains in the order set, and a run with task inference
 * (training.continual.taskInference) shows CL1/CL2/CL3 and the rate of inferred tasks under its accuracy matrix.
 */
import { expect, openTrain, readTemplate, screenshot, screenshotPath, test, type DocJson } from './fixtures';

test.describe('schedule and task order', () => {
  test.use({ serveDocument: { template: 'toy-continual-regression' } });

  test('are set in the Train tab, checked by field, and the runs train with them', async ({ editor: page }) => {
    test.setTimeout(180_000);
    await openTrain(page);
    const order = page.getByTestId('train-tasks');
    await expect(page.getByTestId('train-schedule')).toHaveValue('sequential');
    await expect(order).toHaveValue('');
    await expect(page.getByTestId('train-tasks-help')).toHaveText('all 3 tasks in order');

    // Refused settings name their field and keep Run disabled.
    await order.fill('0, 5');
    await expect(page.getByTestId('train-tasks-error')).toHaveText('Task order: task 5 does not exist; the dataset has 3 tasks (0 to 2)');
    await expect(page.getByTestId('train-start')).toBeDisabled();
    await order.fill('2 0 2');
    await expect(page.getByTestId('train-tasks-error')).toHaveText('Task order lists task 2 twice');
    await page.getByTestId('train-lr').fill('20');
    await expect(page.getByTestId('train-lr-error')).toHaveText('Learning rate must be at most 10');
    await page.getByTestId('train-form').screenshot({ path: screenshotPath('train-order-refused-light') });
    await page.getByTestId('train-lr').fill('0.001');
    await expect(page.getByTestId('train-lr-error')).toBeHidden();

    // Sequential, task 2 then task 0: the accuracy matrix has a row after each, in that order.
    await order.fill('2, 0');
    await expect(page.getByTestId('train-tasks-help')).toHaveText('trains task 2 → 0');
    await expect(page.getByTestId('train-start')).toBeEnabled();
    await page.getByTestId('train-steps').fill('10');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
    await expect(page.getByTestId('train-step')).toHaveText('20 / 20');
    const rows = page.getByTestId('accuracy-matrix').locator('tbody th');
    await expect(rows).toHaveText(['after 2', 'after 0']);

    // Interleaved over the same tasks: one phase of 10 steps, no matrix; the runs table shows what differs.
    await page.getByTestId('train-schedule').selectOption('interleaved');
    await expect(page.getByTestId('train-steps').locator('..')).not.toContainText('/ task');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
    await expect(page.getByTestId('train-step')).toHaveText('10 / 10');
    await expect(page.getByTestId('accuracy-matrix')).toBeHidden();
    const table = page.getByTestId('run-history');
    await expect(table.locator('thead')).toContainText('schedule');
    await expect(table.locator('tbody')).toContainText('interleaved');
    await expect(table.locator('tbody')).toContainText('sequential');
    await screenshot(page, 'train-schedule-order-light');
  });
});

const doc = readTemplate('split-mnist-hnet') as DocJson & { training: Record<string, unknown>; data?: Record<string, unknown> };
doc.training = { ...doc.training, tasks: [0, 1], continual: { optimizerPerTask: true, currentEmbeddingOnly: true, taskInference: true } };
doc.data = { ...(doc.data ?? {}), maxEvalSamples: 200 };

test.describe('task inference', () => {
  test.use({ serveDocument: { json: doc } });

  test('shows the task-inference accuracies beside the accuracy matrix', async ({ editor: page }) => {
    test.setTimeout(180_000);
    await page.getByTestId('dock-tab-train').click();
    await expect(page.getByTestId('train-panel')).toBeVisible();
    await page.getByTestId('train-steps').fill('10');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 150_000 });
    await expect(page.getByTestId('accuracy-matrix').locator('tbody tr')).toHaveCount(2);
    const line = page.getByTestId('task-inference');
    await expect(line).toContainText(/CL1 \d\.\d+ · CL2 \d\.\d+ · CL3 \d\.\d+ · task inferred \d\.\d+/);
    await line.scrollIntoViewIfNeeded();
    await screenshot(page, 'train-task-inference-light');
  });
});
