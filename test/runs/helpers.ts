/** What the run tests share: a stub shell that records pushes, and waiting for a run to end (templates, waiting and errors: test/helpers). */
import { join } from 'node:path';
import { Push } from '../../src/shared/api/contract';
import type { StreamEvent } from '../../src/shared/api/events';
import type { RunSummary } from '../../src/shared/api/runs';
import { createAppService, type AppService, type AppServiceOptions, type Shell } from '../../src/main/app/service';
import { templatesDir } from '../helpers/templates';
import { until } from '../helpers/wait';

export interface Received {
  at: number;
  /**
   * Pushes delivered in one synchronous turn of the event loop share a flush number (one flush of the batcher
   * sends its events together), so tests group them by turn, not by how close their clocks happen to be.
   */
  flush: number;
  /** Who started the run; undefined for a run restored from the saved queue. */
  caller: string | undefined;
  runId: string;
  event: StreamEvent;
}

export interface Harness {
  service: AppService<string>;
  shell: Shell<string>;
  pushes: Received[];
  /** Stream events received for one run, in order. */
  events(runId: string): StreamEvent[];
}

/** A service over a stub shell whose pushes are validated against the contract and kept. */
export function harness(dir: string, options: AppServiceOptions = {}, over: Partial<Shell<string>> = {}): Harness {
  const pushes: Received[] = [];
  let flush = 0;
  let turnOpen = false;
  const shell: Shell<string> = {
    mode: 'browser',
    version: '0.0.0',
    platform: process.platform,
    templatesDir,
    draftsDir: join(dir, 'drafts'),
    initialFile: () => null,
    chooseFileToOpen: async () => null,
    chooseFileToSave: async () => null,
    recent: null,
    setDirty: () => {},
    openExternal: async () => false,
    push: (caller, message) => {
      // Timed before parsing: a big steps event takes a few milliseconds to check, which is not the batcher's time.
      const at = performance.now();
      const m = Push.parse(message);
      if (m.type !== 'engine') return;
      if (!turnOpen) {
        turnOpen = true;
        flush++;
        setImmediate(() => (turnOpen = false));
      }
      pushes.push({ at, flush, caller, runId: m.runId, event: m.event });
    },
    ...over,
  };
  const service = createAppService(shell, options);
  return { service, shell, pushes, events: (runId) => pushes.filter((p) => p.runId === runId).map((p) => p.event) };
}

const FINAL = new Set(['done', 'stopped', 'diverged', 'crashed', 'failed', 'interrupted']);

/** Wait until a run has ended (its status is final) and return its summary. */
export async function ended(service: AppService<string>, runId: string, limitMs = 120_000): Promise<RunSummary> {
  let summary: RunSummary | null = null;
  await until(
    async () => {
      summary = (await service.invoke('run.get', { runId }, 'w')).summary;
      return FINAL.has(summary.status);
    },
    `run ${runId} to end`,
    limitMs,
  );
  return summary!;
}

/** Every step point the editor received for a run, from its `steps` pushes. */
export function streamedSteps(events: StreamEvent[]): number[] {
  return events.flatMap((e) => (e.event === 'steps' ? e.points.step : []));
}
