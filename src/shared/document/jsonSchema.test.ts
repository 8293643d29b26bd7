import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_SCHEMA_ID, documentJsonSchema, documentJsonSchemaText } from './jsonSchema';
import { CURRENT_VERSION } from './schema';

const published = readFileSync(new URL('../../../docs/hnet.schema.json', import.meta.url), 'utf8');

describe('docs/hnet.schema.json', () => {
  it('is what the zod schema generates today (run `npx tsx scripts/json-schema.ts` if not)', () => {
    expect(JSON.parse(published)).toEqual(documentJsonSchema());
    // Same text too, so the file is byte-for-byte what the script writes (line endings aside).
    expect(published.replace(/\r\n/g, '\n')).toBe(documentJsonSchemaText());
  });

  it('describes files as written by hand: identified, with defaults optional and unknown fields allowed', () => {
    const schema = documentJsonSchema() as {
      $id: string;
      title: string;
      required: string[];
      additionalProperties: unknown;
      properties: Record<string, { default?: unknown; const?: unknown; items?: { required?: string[] } }>;
    };
    expect(schema.$id).toBe(DOCUMENT_SCHEMA_ID);
    expect(schema.title).toBe('Hypernet Studio document');
    expect(schema.required.sort()).toEqual(['format', 'nodes', 'version']);
    expect(schema.properties.format.const).toBe('hypernet-studio');
    expect(schema.properties.version.const).toBe(CURRENT_VERSION);
    expect(schema.properties.training.default).toBeDefined();
    expect(schema.properties.nodes.items?.required?.sort()).toEqual(['id', 'type']);
    expect(schema.additionalProperties).toEqual({});
  });
});
