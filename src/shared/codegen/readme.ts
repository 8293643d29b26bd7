/**
 * What both exports' READMEs open with: the graph's name as the title, its description as quoted paragraphs and
 * its citation. User strings go through markdownText (a README is read in terminals too); a title stays on one line.
 */
import type { Lines } from './code';
import { markdownText } from './naming';
import { plainText } from './plainText';
import type { ExportMetadata } from './project';

export function readmeHeading(L: Lines, name: string, flavour: string, metadata: ExportMetadata): void {
  L.line(`# ${markdownText(plainText(name))} (${flavour})`);
  L.line('');
  if (metadata.description) {
    for (const para of metadata.description.split(/\n\s*\n/)) L.line(`> ${markdownText(para).replace(/\n/g, ' ')}`);
    L.line('');
  }
  if (metadata.citation) {
    L.line(`Citation: ${markdownText(metadata.citation).replace(/\n/g, ' ')}`);
    L.line('');
  }
}
