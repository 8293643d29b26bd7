/**
 * Zod's issues in the UI's words, in one place: a refused value is said as "<field label> must be at most 10",
 * never as zod's own "Too big: expected number to be <=10". The inspector's fields, the Train tab's run settings,
 * the compiler's parameter problems (the Problems panel) and the app's run-settings check all word issues here.
 *
 * @example
 * const r = RunOverrides.shape.learningRate.safeParse(20);
 * if (!r.success) fieldMessage('Learning rate', r.error.issues[0]); // "Learning rate must be at most 10"
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; inclusive?: boolean; origin?: string; expected?: string };

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'on or off',
  array: 'a list',
  object: 'an object',
};

/**
 * What is wrong, as the predicate of a sentence whose subject is the field: "must be at most 10", "must be a
 * whole number", "must be one of sgd, adam". An issue inside a list or object names the item ("item 2 must be at
 * least 1"); {@link fieldMessage} joins it to the field's label.
 */
export function issuePhrase(issue: z.core.$ZodIssue): string {
  const i = issue as Issue;
  const small = issue.code === 'too_small';
  const limit = String(small ? i.minimum : i.maximum);
  const inclusive = i.inclusive !== false;
  let phrase: string;
  if ((issue.code === 'too_small' || issue.code === 'too_big') && (i.origin === 'number' || i.origin === 'int' || i.origin === 'bigint'))
    phrase = `must be ${inclusive ? `at ${small ? 'least' : 'most'}` : small ? 'greater than' : 'less than'} ${limit}`;
  else if ((issue.code === 'too_small' || issue.code === 'too_big') && (i.origin === 'array' || i.origin === 'set'))
    phrase = small && limit === '1' ? 'needs at least one value' : `takes at ${small ? 'least' : 'most'} ${limit} value${limit === '1' ? '' : 's'}`;
  else if ((issue.code === 'too_small' || issue.code === 'too_big') && i.origin === 'string')
    phrase = small && limit === '1' ? 'must not be empty' : `must be at ${small ? 'least' : 'most'} ${limit} character${limit === '1' ? '' : 's'}`;
  else if (issue.code === 'invalid_type') phrase = i.expected === 'int' ? 'must be a whole number' : `must be ${TYPE_NAMES[i.expected ?? ''] ?? i.expected}`;
  else if (issue.code === 'invalid_value') phrase = `must be ${issue.values.length === 1 ? String(issue.values[0]) : `one of ${issue.values.map(String).join(', ')}`}`;
  else if (issue.code === 'not_multiple_of') phrase = `must be a multiple of ${String(issue.divisor)}`;
  else if (issue.code === 'custom' || issue.code === 'invalid_format') phrase = /^(must|is|needs|takes|has)\b/.test(issue.message) ? issue.message : `is invalid: ${issue.message}`;
  else phrase = `is invalid: ${issue.message}`;
  const item = issue.path.map((p) => (typeof p === 'number' ? String(p + 1) : String(p))).join('.');
  return issue.path.length ? `${typeof issue.path[0] === 'number' ? 'item ' : ''}${item} ${phrase}` : phrase;
}

/** "Learning rate must be at most 10"; an item of a list: "Hidden sizes: item 2 must be at least 1". */
export function fieldSentence(label: string, phrase: string): string {
  const subject = label.charAt(0).toUpperCase() + label.slice(1);
  return /^item \d/.test(phrase) ? `${subject}: ${phrase}` : `${subject} ${phrase}`;
}

/** The first issue of a failed check as a sentence naming the field by its label. */
export function fieldMessage(label: string, issue: z.core.$ZodIssue | undefined): string {
  return fieldSentence(label, issue ? issuePhrase(issue) : 'is invalid');
}

/** `chunkEmbeddingDim` -> `Chunk embedding dim`: a field's label when it declares none. */
export function labelOf(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
