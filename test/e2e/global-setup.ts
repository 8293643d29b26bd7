/**
 * `hnet serve` builds the editor when its build is missing or older than the sources. Start it once before the
 * tests so that build happens here, not inside the first test's time budget.
 */
import { startServe } from './server';

export default async function globalSetup(): Promise<void> {
  const served = await startServe(undefined, 300_000);
  await served.close();
}
