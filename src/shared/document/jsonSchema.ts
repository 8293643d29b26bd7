/**
 * The published JSON Schema of the document (docs/hnet.schema.json), generated from the zod schema so the two
 * cannot disagree. `io: 'input'` describes files as people write them: fields with defaults are optional.
 * scripts/json-schema.ts writes it; jsonSchema.test.ts fails when the committed file is stale.
 */
import { z } from 'zod';
import { CURRENT_VERSION, HnetDocument } from './schema';

export const DOCUMENT_SCHEMA_ID = `urn:hypernet-studio:document:v${CURRENT_VERSION}`;

export function documentJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(HnetDocument, { io: 'input' }) as Record<string, unknown>;
  return {
    $schema,
    $id: DOCUMENT_SCHEMA_ID,
    title: 'Hypernet Studio document',
    description: `A Hypernet Studio project (*.hnet.json), format version ${CURRENT_VERSION}. See docs/FORMAT.md.`,
    ...rest,
  };
}

/** The schema as it is written to docs/hnet.schema.json. */
export function documentJsonSchemaText(): string {
  return `${JSON.stringify(documentJsonSchema(), null, 2)}\n`;
}
