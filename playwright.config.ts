/**
 * End-to-end tests of the editor in a real browser, against the real `hnet serve` (browser mode): each test
 * starts its own server (see test/e2e/fixtures.ts), so tests never share documents, drafts or state.
 *
 * Uses the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium); Playwright's own browser download is
 * never needed.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './test/e2e/global-setup.ts',
  // Failure artefacts (cleaned each run); the screenshots tests take on purpose go to test-results/screenshots.
  outputDir: 'test-results/playwright',
  workers: 1,
  retries: 0,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
