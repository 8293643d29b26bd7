/**
 * Fixtures for the editor's end-to-end tests: a fresh `hnet serve` per test (optionally serving a document
 * file), the page opened at the printed address, and helpers that find things the way React Flow marks them
 * (`data-id` on nodes, `data-handleid` on ports) and by `data-testid`, never by layout.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { regressorDoc } from './documents';
import { repoRoot, startServe, type Served } from './server';

export { expect };

export interface DocEdgeJson {
  id?: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

export interface DocJson {
  metadata?: { name?: string; description?: string; [k: string]: unknown };
  nodes: { id: string; type: string; label?: string; params?: Record<string, unknown>; position?: { x: number; y: number } }[];
  edges?: DocEdgeJson[];
  [k: string]: unknown;
}

/** What the served document is: none (the gallery shows), a template copied to a temp file, or given JSON. */
export type ServeDocument = { none: true } | { template: string } | { json: DocJson };

interface Fixtures {
  serveDocument: ServeDocument;
  /** More environment for `hnet serve`. */
  serveEnv: Record<string, string>;
  served: Served;
  /** Path of the temporary file `hnet serve` was given, when there is one. */
  docPath: string | undefined;
  editor: Page;
}

export const templatesDir = join(repoRoot, 'templates');

export function templateIds(): string[] {
  return readdirSync(templatesDir)
    .filter((f) => f.endsWith('.hnet.json'))
    .map((f) => f.replace(/\.hnet\.json$/, ''))
    .sort();
}

export function readTemplate(id: string): DocJson {
  return JSON.parse(readFileSync(join(templatesDir, `${id}.hnet.json`), 'utf8')) as DocJson;
}

/** The React Flow id the editor gives an edge: its own id, or `source.port->target.port`. */
export function edgeKey(e: DocEdgeJson): string {
  return e.id !== undefined ? `id:${e.id}` : `${e.source}.${e.sourcePort}->${e.target}.${e.targetPort}`;
}

export const test = base.extend<Fixtures>({
  serveDocument: [{ json: regressorDoc }, { option: true }],
  serveEnv: [{}, { option: true }],

  docPath: async ({ serveDocument }, use) => {
    if ('none' in serveDocument) return use(undefined);
    const dir = mkdtempSync(join(tmpdir(), 'hnet-e2e-doc-'));
    const path = join(dir, 'model.hnet.json');
    if ('template' in serveDocument) copyFileSync(join(templatesDir, `${serveDocument.template}.hnet.json`), path);
    else writeFileSync(path, `${JSON.stringify({ format: 'hypernet-studio', version: 2, ...serveDocument.json }, null, 2)}\n`);
    await use(path);
    rmSync(dir, { recursive: true, force: true });
  },

  served: async ({ docPath, serveEnv }, use) => {
    const served = await startServe(docPath, undefined, { env: serveEnv });
    await use(served);
    await served.close();
  },

  editor: async ({ page, served, serveDocument }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(served.url);
    await expect(page.getByTestId('budget-bar')).toBeVisible();
    if ('none' in serveDocument) await expect(page.getByTestId('gallery')).toBeVisible();
    else {
      await expect(page.locator('.react-flow__node').first()).toBeVisible();
      await waitForStillView(page);
    }
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

/**
 * Wait until the canvas stops moving (the first fit, an animated fit or zoom), so positions can be measured: the
 * viewport's transform is set (not the identity React Flow starts with) and the same over several consecutive
 * animation frames. An animated fit or zoom changes it every frame, so a transform that holds still over frames
 * is one at rest. Like before, gives up quietly after a few seconds (a view that really is at the identity).
 */
export async function waitForStillView(page: Page): Promise<void> {
  await page
    .waitForFunction(
      () =>
        new Promise<boolean>((done) => {
          const el = document.querySelector<HTMLElement>('.react-flow__viewport');
          const transform = () => el?.style.transform ?? '';
          let last = transform();
          let still = 0;
          const frame = () => {
            const now = transform();
            if (now === '' || now === 'translate(0px, 0px) scale(1)' || now !== last) return done(false);
            last = now;
            if (++still >= 8) return done(true);
            requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        }),
      undefined,
      { timeout: 6000, polling: 'raf' },
    )
    .catch(() => undefined);
}

/** Wait until the page has painted twice more (what a change just made in the page has been drawn before). */
export async function nextPaint(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
}

/** Toggle the theme and wait until it applied (the root's data-theme) and the page has painted it. */
export async function toggleTheme(page: Page): Promise<void> {
  const before = await page.locator('html').getAttribute('data-theme');
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', before === 'dark' ? 'light' : 'dark');
  await nextPaint(page);
}

export const nodeEl = (page: Page, id: string): Locator => page.locator(`.react-flow__node[data-id="${id}"]`);

export const handleEl = (page: Page, nodeId: string, port: string, side: 'source' | 'target'): Locator =>
  page.locator(`.react-flow__node[data-id="${nodeId}"] .react-flow__handle.${side}[data-handleid="${port}"]`);

export const edgeEl = (page: Page, key: string): Locator => page.locator(`[data-testid="rf__edge-${key}"]`);

/** Drag a wire from one handle to another with the mouse, as a user does. */
export async function dragWire(page: Page, from: Locator, to: Locator): Promise<void> {
  await from.scrollIntoViewIfNeeded();
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('handle not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 20, a.y + a.height / 2 + 10, { steps: 4 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Click on an empty part of the canvas (clears the selection and puts the focus on the canvas). */
export async function clickPane(page: Page): Promise<void> {
  const box = await page.getByTestId('canvas').boundingBox();
  if (!box) throw new Error('no canvas');
  await page.mouse.click(box.x + 12, box.y + 12);
}

/** Mod key for shortcuts (Meta on macOS, Control elsewhere). */
export const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

/** Where a screenshot named `name` goes: test-results/screenshots/NAME.png (element screenshots use it too). */
export const screenshotPath = (name: string) => join(repoRoot, 'test-results', 'screenshots', `${name}.png`);

/** Save a full-page screenshot under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = screenshotPath(name);
  await page.screenshot({ path });
  return path;
}

/** Open the Train dock tab and wait for its panel. */
export async function openTrain(page: Page): Promise<void> {
  await page.getByTestId('dock-tab-train').click();
  await expect(page.getByTestId('train-panel')).toBeVisible();
}

/** The step the Train tab's counter shows (its data-step). */
export const trainStep = async (page: Page) => Number(await page.getByTestId('train-step').getAttribute('data-step'));

/** How many points a chart plots (its data-points), by test id. */
export const chartPoints = async (page: Page, chart: string) => Number(await page.getByTestId(chart).getAttribute('data-points'));
