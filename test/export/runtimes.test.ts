import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED, runtimesModule } from '../../scripts/runtimes/embed';

describe('src/shared/codegen/runtimes.generated.ts', () => {
  it('holds the runtime files as they are (run `npm run runtimes` after changing src/runtime)', () => {
    expect(readFileSync(GENERATED, 'utf8') === runtimesModule(), 'runtimes.generated.ts is stale: run `npm run runtimes`').toBe(true);
  });
});
