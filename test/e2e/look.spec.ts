/** Themes, the help dialog, and screenshots of the editor to look at. */
import type { Page } from '@playwright/test';
import { regressorDoc } from './documents';
import { expect, handleEl, nodeEl, screenshot, test, waitForStillView, type DocJson } from './fixtures';

test('light and dark themes; the choice is remembered', async ({ editor: page }) => {
  await page.evaluate(() => localStorage.removeItem('hnet.theme'));
  await page.emulateMedia({ colorScheme: 'light' });
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await nodeEl(page, 'dense_1').click();
  await screenshot(page, 'editor-light');

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('.react-flow')).toHaveClass(/dark/);
  await screenshot(page, 'editor-dark');

  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.keyboard.press('t');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});

test('the help dialog lists the keyboard shortcuts', async ({ editor: page }) => {
  await page.keyboard.press('?');
  const help = page.getByTestId('help-dialog');
  await expect(help).toBeVisible();
  for (const label of ['Undo', 'Redo', 'Copy selected nodes', 'Paste', 'Duplicate selected nodes', 'Delete selection', 'Select all nodes', 'Save', 'Save as…', 'Open…', 'New document', 'Auto-layout', 'Fit view', 'Quick add a node'])
    await expect(help).toContainText(label);
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('fit view and zoom keep every node reachable; the minimap is there', async ({ editor: page }) => {
  await expect(page.locator('.react-flow__minimap')).toBeVisible();
  await page.keyboard.press('-');
  await page.keyboard.press('-');
  await page.keyboard.press('f');
  for (const id of ['waves', 'hyper', 'dense_1', 'dense_2', 'dense_3', 'loss', 'error']) await expect(nodeEl(page, id)).toBeInViewport();
});

/**
 * Zoom with the keyboard until the canvas draws the far view (`far`) or the full one (`full`). On a loaded machine
 * a key press can land while the previous zoom still animates and zoom less, so it presses up to 40 times
 * (a few are enough on a quiet one).
 */
async function zoomUntil(page: Page, detail: 'far' | 'full'): Promise<void> {
  const canvas = page.getByTestId('canvas');
  for (let i = 0; i < 40 && (await canvas.getAttribute('data-detail')) !== detail; i++) {
    await page.keyboard.press(detail === 'far' ? '-' : '=');
    await waitForStillView(page);
  }
  await expect(canvas).toHaveAttribute('data-detail', detail);
}

/** Each node's box (offset size, unaffected by the zoom) and the path of every wire React Flow draws, by id. */
async function geometry(page: Page): Promise<{ sizes: Record<string, [number, number]>; wires: Record<string, string> }> {
  return page.evaluate(() => {
    const sizes: Record<string, [number, number]> = {};
    for (const el of document.querySelectorAll<HTMLElement>('.react-flow__node')) sizes[el.dataset.id ?? ''] = [el.offsetWidth, el.offsetHeight];
    const wires: Record<string, string> = {};
    for (const el of document.querySelectorAll<SVGElement>('.react-flow__edge')) wires[el.dataset.id ?? ''] = el.querySelector('.react-flow__edge-path')?.getAttribute('d') ?? '';
    return { sizes, wires };
  });
}

/**
 * Whether two SVG paths are the same curve. React Flow measures handles in screen pixels divided by the zoom, so
 * a handle measured again at another zoom differs in the fourth decimal.
 */
function sameCurve(a: string, b: string): boolean {
  const na = a.match(/-?[\d.]+(e-?\d+)?/g)?.map(Number) ?? [];
  const nb = b.match(/-?[\d.]+(e-?\d+)?/g)?.map(Number) ?? [];
  return na.length === nb.length && na.every((x, i) => Math.abs(x - nb[i]) < 0.01);
}

test.describe('zoomed out', () => {
  // dense_3 with 3 units: the loss and the metric compare [B, 3] with [B, 1], so both nodes have a problem.
  test.use({ serveDocument: { json: { ...regressorDoc, nodes: regressorDoc.nodes.map((n) => (n.id === 'dense_3' ? { ...n, params: { units: 3 } } : n)) } } });

  test('nodes become plain boxes of the same size with the wires in place, and come back when zooming in', async ({ editor: page }) => {
    const canvas = page.getByTestId('canvas');
    await expect(canvas).toHaveAttribute('data-detail', 'full');
    await expect(page.getByTestId('node-error-loss')).toContainText('[B, 3]');
    const near = await geometry(page);
    expect(Object.keys(near.wires)).toHaveLength(regressorDoc.edges!.length);
    const handles = await page.locator('.react-flow__handle').count();
    const ports = await page.locator('.hn-port').count();
    expect(ports).toBeGreaterThan(0);
    await expect(page.locator('.hn-edge-label')).not.toHaveCount(0);

    await zoomUntil(page, 'far');
    await expect(page.locator('.react-flow__node')).toHaveCount(regressorDoc.nodes.length);
    await expect(page.locator('.hn-node.is-far')).toHaveCount(regressorDoc.nodes.length);
    await expect(page.locator('.hn-node__head, .hn-port, .hn-node__params, .hn-node__error')).toHaveCount(0);
    // Test ids stay; a node with a problem is marked, its message is left for the full view (and the tooltip).
    await expect(page.getByTestId('node-dense_1')).toHaveClass(/is-far/);
    await expect(page.getByTestId('node-loss')).toHaveClass(/has-error/);
    await expect(page.getByTestId('node-waves')).not.toHaveClass(/has-error/);
    await expect(page.getByTestId('node-loss')).toHaveAttribute('title', /\[B, 3\]/);
    // Every handle is still there and shown, nodes keep their size, wires their curves; labels are left out.
    await expect(page.locator('.react-flow__handle')).toHaveCount(handles);
    await expect(handleEl(page, 'dense_1', 'kernel', 'target')).toBeVisible();
    await expect(page.locator('.hn-edge-label')).toHaveCount(0);
    const far = await geometry(page);
    expect(far.sizes).toEqual(near.sizes);
    for (const [id, d] of Object.entries(near.wires)) expect(sameCurve(far.wires[id] ?? '', d), `wire ${id} in place`).toBe(true);
    await screenshot(page, 'canvas-far-view');

    await zoomUntil(page, 'full');
    await expect(page.locator('.hn-node.is-far')).toHaveCount(0);
    await expect(page.locator('.hn-port')).toHaveCount(ports);
    await expect(nodeEl(page, 'dense_1').getByText('units')).toBeVisible();
    await expect(page.getByTestId('node-error-loss')).toContainText('[B, 3]');
    await expect(page.locator('.hn-edge-label')).not.toHaveCount(0);
    const back = await geometry(page);
    expect(back.sizes).toEqual(near.sizes);
    for (const [id, d] of Object.entries(near.wires)) expect(sameCurve(back.wires[id] ?? '', d), `wire ${id} back in place`).toBe(true);
  });
});

/** `n` copies of the regressor in a grid, ids suffixed with the copy's number: a graph as big as asked. */
function copies(doc: DocJson, n: number): DocJson {
  const cols = Math.ceil(Math.sqrt(n / 2));
  return {
    ...doc,
    metadata: { name: `${n} regressors`, description: 'Copies of the regressor in a grid.' },
    nodes: Array.from({ length: n }, (_, k) =>
      doc.nodes.map((node) => ({ ...node, id: `${node.id}_${k}`, position: { x: (node.position?.x ?? 0) + (k % cols) * 1700, y: (node.position?.y ?? 0) + Math.floor(k / cols) * 600 } })),
    ).flat(),
    edges: Array.from({ length: n }, (_, k) => (doc.edges ?? []).map((e) => ({ ...e, source: `${e.source}_${k}`, target: `${e.target}_${k}` }))).flat(),
  };
}

test.describe('a big graph zoomed out', () => {
  const big = copies(regressorDoc, 45); // 315 nodes, 630 wires
  test.use({ serveDocument: { json: big } });

  test('opens in the far view, its wires drawn together on the curves React Flow draws when zoomed in', async ({ editor: page }) => {
    await expect(page.getByTestId('canvas')).toHaveAttribute('data-detail', 'far');
    await expect(page.locator('.hn-node.is-far')).toHaveCount(big.nodes.length);
    await expect(page.locator('.react-flow__edge')).toHaveCount(0);
    const farWires = page.locator('[data-testid="far-wires"] path');
    const counts = await farWires.evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('data-wires'))));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(big.edges!.length);
    // One path per look: the wires carrying generated weights are drawn as weights.
    await expect(page.locator('[data-testid="far-wires"] path.kind-weights')).toHaveAttribute('data-wires', String(6 * 45));
    const drawn = await farWires.evaluateAll((ps) => ps.flatMap((p) => (p.getAttribute('d') ?? '').split(/(?=M)/)));
    await screenshot(page, 'canvas-big-far-view');

    await zoomUntil(page, 'full');
    await expect(page.getByTestId('far-wires')).toHaveCount(0);
    await expect(page.locator('.hn-node.is-far')).toHaveCount(0);
    const wires = Object.entries((await geometry(page)).wires);
    expect(wires.length).toBeGreaterThan(0);
    for (const [id, d] of wires) expect(drawn.some((f) => sameCurve(f, d)), `wire ${id} was drawn on the same curve`).toBe(true);
  });
});
