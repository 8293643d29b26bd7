/**
 * User strings (names, descriptions, citations, labels) as they may appear in files an export writes: READMEs,
 * comments, manifests. Control characters are removed (an escape sequence in a README would act on the terminal
 * of whoever cats it), and so are the bidirectional overrides that can make text read differently from what it
 * is. Tabs are kept, line breaks only where the text may span lines.
 *
 * @example
 * plainText('Net\u001b]52;c;ZXZpbA==\u0007 v2') // 'Net]52;c;ZXZpbA== v2'
 */
// C0 controls but tab and line feed, DEL, C1 controls, and the bidi embedding/override/isolate characters.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function plainText(text: string, opts: { multiline?: boolean } = {}): string {
  const kept = text.replace(/\r\n?/g, '\n').replace(CONTROL, '');
  return opts.multiline ? kept : kept.replace(/[\n\t]+/g, ' ');
}
