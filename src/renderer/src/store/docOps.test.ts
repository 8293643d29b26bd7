import { describe, expect, it } from 'vitest';
import { CURRENT_VERSION, DataSettings, HnetDocument, Training } from '../../../shared/document/schema';
import { emptyDocument } from './docOps';

describe('emptyDocument', () => {
  it('is a valid document of the current version with every schema default, however the defaults change', () => {
    const doc = emptyDocument('Fresh');
    expect(HnetDocument.safeParse(doc).success).toBe(true);
    expect(doc.version).toBe(CURRENT_VERSION);
    expect(doc.metadata.name).toBe('Fresh');
    expect(doc.training).toEqual(Training.parse({}));
    expect(doc.data).toEqual(DataSettings.parse({}));
    expect(doc.nodes).toEqual([]);
    expect(doc.edges).toEqual([]);
  });
});
