import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, describeIssue, type InvalidPush } from './client';

/** A transport whose pushes the test sends, counting the client's subscriptions to it. */
function fakeTransport() {
  const listeners = new Set<(push: unknown) => void>();
  return {
    subscriptions: () => listeners.size,
    send: (push: unknown) => {
      for (const l of [...listeners]) l(push);
    },
    invoke: async () => undefined,
    onPush(listener: (push: unknown) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const menuPush = { type: 'menu', command: 'save' };

afterEach(() => vi.restoreAllMocks());

describe('the client’s pushes', () => {
  it('hands valid pushes to every listener, and unsubscribes from the transport when the last one leaves', () => {
    const t = fakeTransport();
    const api = createClient(t, 'browser');
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = api.onPush((p) => a.push(p));
    const offB = api.onPush((p) => b.push(p));
    expect(t.subscriptions()).toBe(1);
    t.send(menuPush);
    expect(a).toEqual([menuPush]);
    expect(b).toEqual([menuPush]);
    offA();
    t.send(menuPush);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
    offB();
    expect(t.subscriptions()).toBe(0);
  });

  it('drops a push that fails validation, warns once with its zod issue and tells the onInvalidPush listeners', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const t = fakeTransport();
    const api = createClient(t, 'electron');
    const valid: unknown[] = [];
    const invalid: InvalidPush[] = [];
    api.onPush((p) => valid.push(p));
    api.onPush((p) => valid.push(p));
    const off = api.onInvalidPush((p) => invalid.push(p));
    const bad = { type: 'engine', runId: 'r1', event: { event: 'eval', step: 'ten', metrics: {} } };
    t.send(bad);
    expect(valid).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/dropped a push that fails validation: .+/);
    expect(invalid).toHaveLength(1);
    expect(invalid[0].raw).toBe(bad);
    expect(invalid[0].issues.length).toBeGreaterThan(0);
    expect(invalid[0].issue).toBe(describeIssue(invalid[0].issues));
    off();
    t.send({ type: 'no-such-push' });
    expect(invalid).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('names where the message is wrong and what is wrong there', () => {
    const t = fakeTransport();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = createClient(t, 'browser');
    const invalid: InvalidPush[] = [];
    api.onPush(() => {});
    api.onInvalidPush((p) => invalid.push(p));
    t.send({ type: 'open', document: 42 });
    expect(invalid[0].issue).toMatch(/^document: \S/);
    expect(describeIssue([])).toMatch(/contract/);
  });

  it('a listener that throws does not keep the push from the others, and its error is still thrown (later)', () => {
    const thrown: unknown[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      try {
        task();
      } catch (e) {
        thrown.push(e);
      }
    });
    const t = fakeTransport();
    const api = createClient(t, 'browser');
    const got: unknown[] = [];
    api.onPush(() => {
      throw new Error('listener failed');
    });
    api.onPush((p) => got.push(p));
    t.send(menuPush);
    expect(got).toEqual([menuPush]);
    expect(thrown).toEqual([new Error('listener failed')]);
  });
});
