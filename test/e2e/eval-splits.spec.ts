/**
 * An MNIST run in the Train tab: evaluations during training read the validation split held out of the 60,000
 * training digits, and the evaluation chart says so (the end of each task and the final metrics: the test set).
 */
import { expect, screenshot, test } from './fixtures';

test.describe('MNIST evaluation splits', () => {
  test.use({
    serveDocument: {
      json: {
        metadata: { name: 'MNIST logistic regression', description: 'One dense layer on the official MNIST split.' },
        nodes: [
          { id: 'digits', type: 'data.mnist', params: { validation: 5000 }, position: { x: 0, y: 200 } },
          { id: 'dense', type: 'target.dense', params: { units: 10 }, position: { x: 300, y: 200 } },
          { id: 'loss', type: 'objective.cross_entropy', params: {}, position: { x: 600, y: 100 } },
          { id: 'accuracy', type: 'metric.accuracy', params: {}, position: { x: 600, y: 300 } },
        ],
        edges: [
          { source: 'digits', sourcePort: 'x', target: 'dense', targetPort: 'x' },
          { source: 'dense', sourcePort: 'y', target: 'loss', targetPort: 'logits' },
          { source: 'digits', sourcePort: 'y', target: 'loss', targetPort: 'labels' },
          { source: 'dense', sourcePort: 'y', target: 'accuracy', targetPort: 'logits' },
          { source: 'digits', sourcePort: 'y', target: 'accuracy', targetPort: 'labels' },
        ],
        data: { maxEvalSamples: 500 },
        training: { optimizer: { type: 'adam', learningRate: 0.01 }, batchSize: 32, steps: 60, evalEvery: 20, seed: 1 },
      },
    },
  });

  test('the evaluation chart names the validation split during training and the test set at the end', async ({ editor: page }) => {
    test.setTimeout(180_000);
    await page.getByTestId('dock-tab-train').click();
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-status')).toHaveText('done', { timeout: 120_000 });
    const chart = page.getByTestId('eval-chart');
    await expect(chart).toBeVisible();
    await expect(chart.locator('.hn-chart__name')).toHaveText('Evaluation: accuracy (validation split during training, test set at task ends)');
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, 'train-eval-splits-light');
  });
});
