/** What a code generator takes and returns (both generators share these). */

/** Document metadata that is not part of the IR: shown in READMEs, and kept as string data in code. */
export interface ExportMetadata {
  name?: string;
  description?: string;
  citation?: string;
}

export interface GenerateOptions {
  metadata?: ExportMetadata;
}

/** A generated project: relative path -> file text. Data files are added by the exporter. */
export interface GeneratedProject {
  files: Record<string, string>;
}
