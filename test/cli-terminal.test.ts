/**
 * Nothing a document says reaches the terminal as a control sequence: labels, names and ids with escape codes
 * (clear screen, OSC 52 clipboard writes, a lone CSI) come out of `hnet validate`, `hnet train` and usage errors
 * as visible `\uXXXX` text, while the CLI's own newlines stay.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalText } from '../src/main/cli/terminal';
import { hnet, root } from './helpers/cli';

const TIMEOUT = 120_000;
/** Every control character but newline and tab, C1 controls and the bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const CLEAR = '\u001b[2J\u001b[H';
const CLIPBOARD = '\u001b]52;c;ZWNobyBwd25lZA==\u0007';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hnet-term-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function hostileDoc(edit: (d: { metadata: { name: string }; nodes: Array<{ id: string; label?: string; params?: Record<string, unknown> }> }) => void, prefix = 'doc'): string {
  const d = JSON.parse(readFileSync(join(root, 'templates', 'sinusoid-family.hnet.json'), 'utf8'));
  d.metadata.name = `Evil${CLEAR}`;
  for (const n of d.nodes) n.label = `${n.id}${CLIPBOARD}\u009b2J\u202e`;
  edit(d);
  const file = join(dir, `${prefix}-${Math.random().toString(16).slice(2)}.hnet.json`);
  writeFileSync(file, JSON.stringify(d));
  return file;
}

describe('terminalText', () => {
  it('shows control characters as \\uXXXX and keeps newlines and tabs', () => {
    expect(terminalText(`a${CLEAR}b`)).toBe('a\\u001b[2J\\u001b[Hb');
    expect(terminalText(`x${CLIPBOARD}`)).toBe('x\\u001b]52;c;ZWNobyBwd25lZA==\\u0007');
    expect(terminalText('\u009b\u007f\r\u202e\u2066')).toBe('\\u009b\\u007f\\u000d\\u202e\\u2066');
    expect(terminalText('line 1\n\tline 2 → é 漢')).toBe('line 1\n\tline 2 → é 漢');
  });

  it('keeps JSON valid: the escapes it writes are JSON escapes of the same characters', () => {
    const text = JSON.stringify({ label: `a\u009b\u202e${CLEAR}` });
    expect(JSON.parse(terminalText(text))).toEqual({ label: `a\u009b\u202e${CLEAR}` });
  });
});

describe('the CLI prints no control sequences from a document', () => {
  it('hnet validate: a file name with escape codes, valid and with problems', () => {
    const good = hostileDoc(() => {}, `evil${CLEAR}`);
    const ok = hnet(['validate', good]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('evil\\u001b[2J');
    expect(ok.stdout + ok.stderr).not.toMatch(CONTROL);
    const bad = hostileDoc((d) => {
      const dense = d.nodes.find((n) => n.id === 'dense_1')!;
      dense.params = { ...dense.params, units: -3 };
    }, `bad${CLIPBOARD}`);
    const r = hnet(['validate', bad]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('bad\\u001b]52');
    expect(r.stdout + r.stderr).not.toMatch(CONTROL);
  }, TIMEOUT);

  it('hnet train: start, progress lines and the summary', () => {
    const file = hostileDoc(() => {});
    const r = hnet(['train', file, '--steps', '4']);
    expect(r.stderr + r.stdout).not.toMatch(CONTROL);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/done at step 4/);
    const json = hnet(['train', file, '--steps', '2', '--json']);
    expect(json.stdout + json.stderr).not.toMatch(CONTROL);
    for (const line of json.stdout.split('\n').filter(Boolean)) JSON.parse(line);
  }, TIMEOUT);

  it('usage errors that quote an argument', () => {
    const r = hnet(['validate', `--bogus${CLEAR}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('\\u001b[2J');
    expect(r.stderr).not.toMatch(CONTROL);
    const missing = hnet(['validate', join(dir, `missing${CLIPBOARD}.hnet.json`)]);
    expect(missing.status).toBe(1);
    expect(missing.stdout + missing.stderr).toContain('\\u001b]52');
    expect(missing.stdout + missing.stderr).not.toMatch(CONTROL);
  }, TIMEOUT);
});
