/**
 * One form field that validates as you type: the text is parsed and checked with the field's zod schema on
 * every keystroke; a valid value is committed to the document at once, an invalid one stays in the field with
 * the reason under it and never reaches the document.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import { fieldSentence, issuePhrase } from '../../../shared/issues';
import type { ParamField } from '../store/catalog';

/**
 * A field's text read as a value, or why not: `error` is the predicate of a sentence whose subject is the field
 * ("must be at most 10"); the field shows it after its label ("Learning rate must be at most 10").
 */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** The first issue of a failed zod check, as a predicate ("must be at most 10"); the field adds its label. */
export function zodMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? issuePhrase(issue) : 'is invalid';
}

export function checkWith(schema: z.ZodType, value: unknown): Parsed {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value } : { ok: false, error: zodMessage(r.error) };
}

function parseNumber(text: string, integer: boolean): Parsed {
  const t = text.trim();
  if (t === '') return { ok: false, error: 'needs a number' };
  const n = Number(t);
  if (!Number.isFinite(n)) return { ok: false, error: `must be a number, not "${t}"` };
  if (integer && !Number.isInteger(n)) return { ok: false, error: 'must be a whole number' };
  return { ok: true, value: n };
}

/** Text -> value for a parameter field, checked with the parameter's own schema. */
export function parseFieldText(field: Pick<ParamField, 'kind' | 'optional' | 'itemKind' | 'schema'>, text: string): Parsed {
  let value: unknown;
  if (field.optional && text.trim() === '' && field.kind !== 'string') return checkWith(field.schema, undefined);
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const p = parseNumber(text, field.kind === 'integer');
      if (!p.ok) return p;
      value = p.value;
      break;
    }
    case 'numberList': {
      const parts = text.split(/[\s,]+/).filter(Boolean);
      const values: number[] = [];
      for (const [i, part] of parts.entries()) {
        const p = parseNumber(part, field.itemKind === 'integer');
        if (!p.ok) return { ok: false, error: `item ${i + 1} ${p.error}` };
        values.push(p.value as number);
      }
      value = values;
      break;
    }
    case 'string':
      value = field.optional && text === '' ? undefined : text;
      break;
    case 'json':
      try {
        value = JSON.parse(text);
      } catch {
        return { ok: false, error: 'is not valid JSON' };
      }
      break;
    default:
      value = text;
  }
  return checkWith(field.schema, value);
}

export function formatFieldValue(kind: ParamField['kind'], value: unknown): string {
  if (value === undefined || value === null) return '';
  if (kind === 'numberList' && Array.isArray(value)) return value.join(', ');
  if (kind === 'json') return JSON.stringify(value);
  return String(value);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

interface TextFieldProps {
  label: ReactNode;
  help?: string;
  value: unknown;
  format: (v: unknown) => string;
  parse: (text: string) => Parsed;
  commit: (v: unknown) => void;
  multiline?: boolean;
  placeholder?: string;
  testId?: string;
  inputMode?: 'decimal' | 'numeric' | 'text';
  suffix?: ReactNode;
}

/** A text input that validates as you type and commits only valid values. */
export function TextField({ label, help, value, format, parse, commit, multiline, placeholder, testId, inputMode, suffix }: TextFieldProps) {
  const id = useId();
  const [text, setText] = useState(() => format(value));
  const [error, setError] = useState<string | null>(null);
  const lastCommitted = useRef<unknown>(value);

  // The document changed underneath (undo, another field): show its value unless the field holds the same one.
  useEffect(() => {
    if (same(value, lastCommitted.current)) return;
    lastCommitted.current = value;
    setText(format(value));
    setError(null);
  }, [value, format]);

  const onChange = (t: string) => {
    setText(t);
    const p = parse(t);
    if (!p.ok) {
      setError(p.error);
      return;
    }
    setError(null);
    if (!same(p.value, value)) {
      lastCommitted.current = p.value;
      commit(p.value);
    }
  };

  const onBlur = () => {
    // Leaving a field with an invalid value puts the document's value back.
    if (error) {
      setText(format(value));
      setError(null);
    }
  };

  const common = {
    id,
    value: text,
    placeholder,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-err` : help ? `${id}-help` : undefined,
    'data-testid': testId,
    onBlur,
    spellCheck: false,
  };
  return (
    <div className={`hn-field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <div className="hn-field__control">
        {multiline ? (
          <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} />
        ) : (
          <input {...common} type="text" inputMode={inputMode} onChange={(e) => onChange(e.target.value)} />
        )}
        {suffix}
      </div>
      {error ? (
        <div className="hn-field__error" id={`${id}-err`} role="alert" data-testid={testId ? `${testId}-error` : undefined}>
          {typeof label === 'string' ? fieldSentence(label, error) : error}
        </div>
      ) : help ? (
        <div className="hn-field__help" id={`${id}-help`}>
          {help}
        </div>
      ) : null}
    </div>
  );
}

export function SelectField({ label, help, value, options, commit, testId }: { label: ReactNode; help?: string; value: string; options: string[]; commit: (v: string) => void; testId?: string }) {
  const id = useId();
  return (
    <div className="hn-field">
      <label htmlFor={id}>{label}</label>
      <div className="hn-field__control">
        <select id={id} value={value} onChange={(e) => commit(e.target.value)} data-testid={testId}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      {help && <div className="hn-field__help">{help}</div>}
    </div>
  );
}

export function CheckField({ label, help, value, commit, testId }: { label: ReactNode; help?: string; value: boolean; commit: (v: boolean) => void; testId?: string }) {
  const id = useId();
  return (
    <div className="hn-field hn-field--check">
      <input id={id} type="checkbox" checked={value} onChange={(e) => commit(e.target.checked)} data-testid={testId} />
      <label htmlFor={id}>{label}</label>
      {help && <div className="hn-field__help">{help}</div>}
    </div>
  );
}
