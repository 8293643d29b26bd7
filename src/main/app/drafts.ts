/**
 * Crash-recovery drafts: the editor writes its unsaved work here every few seconds; after a crash, the next
 * launch lists what is left and offers to restore it. One file per editor window, named by a validated id, written
 * atomically so a crash during autosave cannot destroy the previous draft.
 */
import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { Draft } from '../../shared/api/contract';
import { AppError, ioReason } from './errors';
import { isTempFileName, readDocumentText, writeFileAtomic } from './files';

type DraftRecord = z.infer<typeof Draft>;

/** Draft ids are chosen by the editor; only these characters ever reach a file name. */
const DRAFT_ID = /^[A-Za-z0-9_-]{1,100}$/;
export const isDraftId = (id: string): boolean => DRAFT_ID.test(id);

const SUFFIX = '.draft.json';

export interface DraftStore {
  write(id: string, name: string, text: string): void;
  /** Every readable draft, newest first. */
  list(): DraftRecord[];
  discard(id: string): void;
}

function checkId(id: string): void {
  if (!isDraftId(id)) throw new AppError('invalid_request', 'a draft id may only contain letters, digits, "-" and "_" (at most 100)');
}

export function createDraftStore(dir: string): DraftStore {
  const fileOf = (id: string) => join(dir, `${id}${SUFFIX}`);
  return {
    write(id, name, text) {
      checkId(id);
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        throw new AppError('io', `cannot create the drafts folder: ${ioReason(e)}`);
      }
      const record: DraftRecord = { id, name, savedAt: new Date().toISOString(), text };
      writeFileAtomic(fileOf(id), JSON.stringify(record));
    },
    list() {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return [];
      }
      const out: DraftRecord[] = [];
      for (const name of names) {
        if (!name.endsWith(SUFFIX) || isTempFileName(name)) continue;
        const id = name.slice(0, -SUFFIX.length);
        if (!isDraftId(id)) continue;
        try {
          const r = Draft.safeParse(JSON.parse(readDocumentText(join(dir, name))));
          // A draft whose recorded id disagrees with its file name was not written by us; skip it.
          if (r.success && r.data.id === id) out.push(r.data);
        } catch {
          // unreadable or torn (it cannot be torn by us, but a disk can fail): skip it, keep the rest
        }
      }
      return out.sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
    },
    discard(id) {
      checkId(id);
      try {
        unlinkSync(fileOf(id));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new AppError('io', `cannot discard the draft: ${ioReason(e)}`);
      }
    },
  };
}
