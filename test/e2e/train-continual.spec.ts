/**
 * A continual-learning run with task inference (training.continual.taskInference) shows CL1/CL2/CL3 and the
 * rate of inferred tasks under its accuracy matrix.
 */
import { expect, readTemplate, screenshot, test, type DocJson } from './fixtures';

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
