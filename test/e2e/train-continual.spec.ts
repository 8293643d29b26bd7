/**
 * Continual learning in the Train tab: the schedule and the task order are run settings (refused orders and
 * values said under their fields), a run trains in the order set; how a sequential schedule trains (training.continual:
 * a fresh optimizer per task, fixed embeddings, look-ahead, a subset of earlier tasks per step) is a run setting too,
 * one click sets hypercl's, and the runs table says which each run used; a run with task inference
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

test.describe('continual-learning settings', () => {
  test.use({ serveDocument: { template: 'toy-continual-regression' } });

  test("are run settings: hypercl's in one click, a refused count said under its field, each run's in the runs table", async ({ editor: page }) => {
    test.setTimeout(180_000);
    await openTrain(page);
    const section = page.getByTestId('train-continual');
    const summary = page.getByTestId('train-continual-summary');
    // The document sets none of them: the closed section says so.
    await expect(summary).toHaveText('one optimizer through all tasks, every parameter trained');
    await section.locator('summary').click();
    await expect(page.getByTestId('train-continual-lookAhead')).not.toBeChecked();
    await page.getByTestId('train-continual-hypercl').click();
    for (const key of ['optimizerPerTask', 'fixedEmbeddings', 'currentEmbeddingOnly', 'lookAhead']) await expect(page.getByTestId(`train-continual-${key}`)).toBeChecked();
    await expect(page.getByTestId('train-continual-taskInference')).not.toBeChecked();
    await expect(summary).toHaveText("hypercl's settings");

    const perStep = page.getByTestId('train-continual-per-step');
    await perStep.fill('0');
    await expect(page.getByTestId('train-continual-error')).toHaveText('Earlier tasks per step must be at least 1');
    await expect(page.getByTestId('train-start')).toBeDisabled();
    await perStep.fill('1');
    // The look-ahead takes the step of Adam or SGD: with RMSprop it is refused here, not when the run starts.
    await page.getByTestId('train-optimizer').selectOption('rmsprop');
    await expect(page.getByTestId('train-continual-error')).toHaveText('The look-ahead regulariser needs the step of Adam or SGD: choose one of them, or untick look-ahead');
    await expect(page.getByTestId('train-start')).toBeDisabled();
    await page.getByTestId('train-form').screenshot({ path: screenshotPath('train-continual-refused-light') });
    await page.getByTestId('train-optimizer').selectOption('adam');
    await expect(page.getByTestId('train-continual-error')).toBeHidden();
    await expect(summary).toHaveText("hypercl's settings, 1 earlier task regularised per step");
    await expect(page.getByTestId('train-start')).toBeEnabled();
    await page.getByTestId('train-form').screenshot({ path: screenshotPath('train-continual-settings-light') });

    await page.getByTestId('train-steps').fill('10');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
    await expect(page.getByTestId('train-step')).toHaveText('30 / 30');

    // A second run without the look-ahead: the table shows the setting that differs, run by run.
    await page.getByTestId('train-continual-lookAhead').uncheck();
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
    const table = page.getByTestId('run-history');
    await expect(table.locator('thead')).toContainText('continual');
    const rows = table.locator('tbody tr');
    await expect(rows.first().locator('[data-column="setting:continual"]')).toHaveText('optimizer per task, fixed embeddings, current embedding only, 1 earlier/step');
    await expect(rows.nth(1).locator('[data-column="setting:continual"]')).toHaveText('optimizer per task, fixed embeddings, current embedding only, look-ahead, 1 earlier/step');
    await screenshot(page, 'train-continual-runs-light');
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
