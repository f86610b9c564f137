/** The venue's guest link (RP7): this app's guest page with the key the relay issued. */
export function guestUrl(venueId: string, guestKey: string): string {
  if (!venueId || !guestKey) return '';
  return `${location.origin}/g/${venueId}?k=${encodeURIComponent(guestKey)}`;
}
