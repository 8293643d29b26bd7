/** External links the editor may open (documentation, papers): https only, to a short list of hosts. */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'arxiv.org', 'doi.org', 'pytorch.org', 'js.tensorflow.org'];

/** Whether `url` may be opened in the user's browser: https, an allowlisted host, no credentials, default port. */
export function isAllowedExternalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return false;
  return EXTERNAL_HOSTS.includes(u.hostname.toLowerCase());
}
