/**
 * The mark an export leaves in its folder: `hnet-export.json`, listing every file the export wrote with a hash
 * of its content. Exporting again into a folder is allowed without asking when the folder is empty, or holds an
 * earlier export whose files nobody has changed since; anything else (a folder of the user's, an export with
 * hand-edited files) asks first (`hnet export --force`, a confirmation in the app). Pure: the exporter (main) and
 * the code view's zip (renderer) both write it.
 */

export const EXPORT_MARKER = 'hnet-export.json';

export interface ExportMarker {
  format: 'hnet-export';
  version: 1;
  /** What was generated (tfjs or pytorch). */
  to: string;
  /** Relative path -> content hash (FNV-1a, 32 bits, hex) of every file written, the marker itself aside. */
  files: Record<string, string>;
}

/**
 * A hash of file content that tells a hand-edited file from the one written; not a security measure (whoever can
 * edit the folder can edit the marker too).
 */
export function contentHash(content: Uint8Array | string): string {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${bytes.length.toString(16)}-${h.toString(16).padStart(8, '0')}`;
}

/** The marker's text for the files written (path -> content). */
export function exportMarkerText(to: string, files: Record<string, Uint8Array | string>): string {
  const marker: ExportMarker = {
    format: 'hnet-export',
    version: 1,
    to,
    files: Object.fromEntries(Object.entries(files).map(([path, content]) => [path, contentHash(content)])),
  };
  return `${JSON.stringify(marker, null, 2)}\n`;
}

/** The marker in `text`, or null when it is not one (a file of the user's that happens to have the name). */
export function parseExportMarker(text: string): ExportMarker | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Partial<ExportMarker>;
  if (m.format !== 'hnet-export' || m.version !== 1 || typeof m.to !== 'string' || typeof m.files !== 'object' || m.files === null) return null;
  const files: Record<string, string> = {};
  for (const [path, hash] of Object.entries(m.files)) {
    if (typeof hash !== 'string') return null;
    files[path] = hash;
  }
  return { format: 'hnet-export', version: 1, to: m.to, files };
}
