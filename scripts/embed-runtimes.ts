/** Writes src/shared/codegen/runtimes.generated.ts from src/runtime/. Run after changing a runtime file. */
import { writeFileSync } from 'node:fs';
import { GENERATED, runtimesModule } from './runtimes/embed';

writeFileSync(GENERATED, runtimesModule());
console.log(`wrote ${GENERATED}`);
