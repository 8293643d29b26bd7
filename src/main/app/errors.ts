/**
 * Errors the app service reports to the editor. Each has a stable code the renderer can branch on and a sentence
 * a user can act on; neither ever carries a stack or an internal path the user did not choose.
 */
export type AppErrorCode =
  /** The request does not name a method of the contract. */
  | 'unknown_method'
  /** The request's params do not match the method's input schema (or the wire message is malformed). */
  | 'invalid_request'
  /** A document handle the app never handed out (or one from an earlier launch). */
  | 'unknown_handle'
  /** A template or draft id that is not in the listing, or not a valid id at all. */
  | 'not_found'
  /** Reading or writing a file failed (permissions, disk full, the file was removed). */
  | 'io'
  /** Refused by policy (a link off the allowlist, a request from a page that is not the editor). */
  | 'forbidden'
  /** A run was asked for a document that does not compile; the message lists the problems. */
  | 'invalid_document'
  /** The run is not in a state that allows this (pausing a finished run, resuming one that is running). */
  | 'conflict'
  /** A bug: the app produced something the contract does not allow. */
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** What crosses the wire for a failure: the message and code, never a stack. */
export function errorPayload(e: unknown): { message: string; code: AppErrorCode } {
  if (e instanceof AppError) return { message: e.message, code: e.code };
  const m = e instanceof Error ? e.message : String(e);
  return { message: m.length > 500 ? `${m.slice(0, 500)}...` : m, code: 'internal' };
}

/** A file-system error in words (`no such file`, `permission denied`, ...). */
export function ioReason(e: unknown): string {
  switch ((e as NodeJS.ErrnoException | null)?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ELOOP':
      return 'too many symbolic links';
    default: {
      const m = e instanceof Error ? e.message : String(e);
      return m.replace(/^[A-Z]+: /, '').slice(0, 200);
    }
  }
}
