/** IANA time zone names ("Europe/Paris", "Asia/Tokyo", "UTC"): the configured default and the one Teams sends. */

/** Longer than any IANA name: anything longer is refused without asking Intl. */
const MAX_NAME = 64;

/**
 * The zone as Intl knows it ("asia/tokyo" → "Asia/Tokyo", "Etc/UTC" → "UTC"), or undefined for anything that is
 * not an IANA zone name Intl accepts: not a string, empty, too long, a UTC offset ("+01:00"), a Windows name
 * ("Tokyo Standard Time"), a typo.
 */
export function ianaTimeZone(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_NAME || /^[+\-\d]/.test(trimmed)) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
