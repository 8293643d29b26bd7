/**
 * Where the app's own files are. Sources run from src/main/** (tsx, vitest) and the build runs from out/main
 * (or app.asar/out/main when packaged), so folders are found by walking up to the package root rather than by a
 * fixed number of `..`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'hypernet-studio';

/** The folder holding Hypernet Studio's package.json, searched upwards from `from` (a file or folder). */
export function findPackageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package folder above ${from}`);
    dir = parent;
  }
}

/** The templates shipped with the app (`templates/*.hnet.json` next to package.json). */
export const defaultTemplatesDir = (): string => join(findPackageRoot(), 'templates');

/** The blocks shipped with the app (`blocks/*.hnet-block.json` next to package.json). */
export const defaultBlocksDir = (): string => join(findPackageRoot(), 'blocks');

/** The version in package.json. */
export function packageVersion(root: string = findPackageRoot()): string {
  try {
    const v = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Crash-recovery drafts of the browser mode; the Electron shell uses userData/drafts instead. */
export const defaultBrowserDraftsDir = (): string => join(homedir(), '.hypernet-studio', 'drafts');
