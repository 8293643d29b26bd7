/** Writes docs/hnet.schema.json from the zod schema. Run after changing src/shared/document/schema.ts. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { documentJsonSchemaText } from '../src/shared/document/jsonSchema';

const out = fileURLToPath(new URL('../docs/hnet.schema.json', import.meta.url));
writeFileSync(out, documentJsonSchemaText());
console.log(`wrote ${out}`);
