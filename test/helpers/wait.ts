/** Waiting for a condition rather than for a time: a check polled until it holds, with a limit that names it. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (every 25 ms) until it holds; fails naming `what` after `limitMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 90_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
