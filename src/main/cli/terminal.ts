/**
 * What the CLI prints reaches a terminal, and a document's labels, names and paths are the user's (or an
 * attacker's) text: an escape sequence in a node label could clear the screen, retitle the window or write the
 * clipboard (OSC 52). Every line the CLI writes goes through {@link terminalText}, which shows control characters
 * as visible `\uXXXX` escapes (also valid inside JSON strings) and keeps only the newlines and tabs of the
 * CLI's own formatting.
 */

/**
 * C0 controls but tab and newline, DEL, C1 controls (CSI U+009B is an escape on its own in some terminals), and the
 * bidirectional overrides and isolates that make text read differently from what it is.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` safe to write to a terminal: each unsafe character becomes `\uXXXX`.
 *
 * @example
 * terminalText('dense\u001b[2J') // 'dense\\u001b[2J'
 */
export const terminalText = (text: string): string =>
  text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
