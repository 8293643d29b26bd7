/** The token guards the server; text from documents is always text. */
import { expect, nodeEl, test, type DocJson } from './fixtures';

test('requests without the token are refused', async ({ served, request }) => {
  const page = await request.get(`${served.origin}/`);
  expect([401, 403]).toContain(page.status());
  const wrong = await request.get(`${served.origin}/?token=${'x'.repeat(43)}`);
  expect([401, 403]).toContain(wrong.status());
  const ok = await request.get(served.url);
  expect(ok.status()).toBe(200);
});

test('the page moves the token from its address to sessionStorage, and a reload still works', async ({ editor: page, served }) => {
  expect(await page.evaluate(() => window.location.search)).not.toContain('token');
  expect(page.url()).not.toContain(served.token);
  expect(await page.evaluate(() => window.sessionStorage.getItem('hnet.token'))).toBe(served.token);
  // The cookie the page got is not the token.
  const cookies = await page.context().cookies();
  expect(cookies.length).toBeGreaterThan(0);
  for (const c of cookies) expect(c.value).not.toBe(served.token);
  await page.reload();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  expect(page.url()).not.toContain('token');
  // The API answers after the reload: the document's templates list loads through it.
  expect(await page.evaluate(() => window.sessionStorage.getItem('hnet.token'))).toBe(served.token);
  await expect(page.getByTestId('budget-bar')).toBeVisible();
});

const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

test('a label full of HTML renders as text', async ({ editor: page }) => {
  await nodeEl(page, 'dense_1').click();
  await page.getByTestId('inspector-label').fill(hostile);
  await expect(nodeEl(page, 'dense_1')).toContainText('<img src=x onerror=');
  await expect(nodeEl(page, 'dense_1').locator('img, script')).toHaveCount(0);
  // An image that fails to load fires its error event: once one of our own has, a rendered `<img onerror>`
  // from the label would have fired too.
  await page.evaluate(
    () =>
      new Promise<void>((done) => {
        const probe = new Image();
        probe.onerror = () => done();
        probe.onload = () => done();
        probe.src = 'x';
      }),
  );
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});

const doc: DocJson = {
  metadata: { name: `<script>window.__pwned=3</script>Model` },
  nodes: [
    { id: 'data', type: 'data.sinusoid', label: hostile, position: { x: 0, y: 0 } },
    { id: 'loss', type: 'objective.mse', label: '<b>bold?</b>', position: { x: 400, y: 0 } },
  ],
  edges: [
    { source: 'data', sourcePort: 'y', target: 'loss', targetPort: 'target' },
    { source: 'data', sourcePort: 'y', target: 'loss', targetPort: 'prediction' },
  ],
};

test.describe('a document with hostile text', () => {
  test.use({ serveDocument: { json: doc } });

  test('names and labels from the file render as text', async ({ editor: page }) => {
    await expect(page.getByTestId('doc-title')).toHaveText('<script>window.__pwned=3</script>Model');
    await expect(nodeEl(page, 'data')).toContainText('<img src=x');
    await expect(nodeEl(page, 'loss')).toContainText('<b>bold?</b>');
    await expect(page.locator('.react-flow__node b, .react-flow__node img')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });
});
