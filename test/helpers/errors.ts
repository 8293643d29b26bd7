/** Asserting how a promise fails: with which error class, code and message. */
import { expect } from 'vitest';
import { AppError } from '../../src/main/app/errors';

/** The error `p` rejects with, checked to be a `type`; fails when `p` resolves. */
export async function rejection<E extends Error>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(`expected a ${type.name}, but the promise resolved`);
}

/** An app request that fails with `code` (and a message matching `message`), said without a stack trace. */
export async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<AppError> {
  const e = await rejection(p, AppError);
  expect(e.code).toBe(code);
  if (message) expect(e.message).toMatch(message);
  expect(e.message).not.toMatch(/\n\s+at /);
  return e;
}
