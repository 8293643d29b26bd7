import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { RunOverrides } from './api/runs';
import { fieldMessage, issuePhrase, labelOf } from './issues';

const first = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a refusal');
  return r.error.issues[0];
};

describe('fieldMessage', () => {
  it("names the field and says the limit plainly, never zod's own words", () => {
    const m = fieldMessage('Learning rate', first(RunOverrides.shape.learningRate, 20));
    expect(m).toBe('Learning rate must be at most 10');
    expect(m).not.toMatch(/Too big|expected|<=/);
    expect(fieldMessage('Learning rate', first(RunOverrides.shape.learningRate, 0))).toBe('Learning rate must be greater than 0');
    expect(fieldMessage('Batch size', first(RunOverrides.shape.batchSize, 0))).toBe('Batch size must be at least 1');
  });

  it('says whole numbers, choices, lengths and list items in words', () => {
    expect(fieldMessage('Seed', first(z.number().int(), 1.5))).toBe('Seed must be a whole number');
    expect(fieldMessage('Schedule', first(z.enum(['sequential', 'interleaved']), 'x'))).toBe('Schedule must be one of sequential, interleaved');
    expect(fieldMessage('Name', first(z.string().min(1), ''))).toBe('Name must not be empty');
    expect(fieldMessage('Name', first(z.string().max(3), 'abcd'))).toBe('Name must be at most 3 characters');
    expect(fieldMessage('Hidden sizes', first(z.array(z.number().int().min(1)), [4, 0]))).toBe('Hidden sizes: item 2 must be at least 1');
    expect(fieldMessage('Task order', first(RunOverrides.shape.tasks, []))).toBe('Task order needs at least one value');
  });

  it('passes a custom message through as the predicate', () => {
    const custom = z.number().refine((n) => n % 2 === 0, 'must be even');
    expect(issuePhrase(first(custom, 3))).toBe('must be even');
  });
});

describe('labelOf', () => {
  it('turns a key into a label', () => {
    expect(labelOf('chunkEmbeddingDim')).toBe('Chunk embedding dim');
    expect(labelOf('units')).toBe('Units');
  });
});
