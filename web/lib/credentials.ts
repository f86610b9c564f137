/**
 * What this device knows about the venues it was paired with: tokens, device ids, the relay each
 * lives on. Kept with idb-keyval (IndexedDB), never in cookies or localStorage.
 */
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import type { Role } from '@djamms/protocol';

/** One venue as this device holds it. */
export interface VenueCredential {
  venueId: string;
  libraryId: string;
  role: Role;
  token: string;
  deviceId: string;
  /** The relay's http(s) origin, e.g. `https://relay.example.com`. */
  relay: string;
  /** The venue's name as last seen, for the home screen before the document loads. */
  name: string;
  addedAt: number;
}

let store: UseStore | undefined;
const db = () => (store ??= createStore('djamms-device', 'keyval'));

const RELAY_KEY = 'relay-url';

/** The relay this app talks to: the configured one, or the page's own origin. */
export async function relayUrl(): Promise<string> {
  const saved = await get<string>(RELAY_KEY, db());
  return saved || location.origin;
}

/** Points the app at another relay (a PWA hosted elsewhere); an empty string restores the default. */
export async function setRelayUrl(url: string): Promise<void> {
  const clean = url.trim().replace(/\/+$/, '');
  if (clean) await set(RELAY_KEY, clean, db());
  else await del(RELAY_KEY, db());
}

/** The credential for a venue, or undefined when this device was never paired with it. */
export function credentialFor(venueId: string): Promise<VenueCredential | undefined> {
  return get<VenueCredential>(`venue:${venueId}`, db());
}

/** What a venue screen needs to render before the credential is read: never the token. */
export type CredentialHint = Omit<VenueCredential, 'token'>;

/**
 * A synchronous hint (localStorage) so a venue opens without waiting for IndexedDB to hand over
 * the credential; the token itself stays in IndexedDB and is read before the relay is contacted.
 */
export function credentialHint(venueId: string): CredentialHint | null {
  try {
    const raw = localStorage.getItem(`djamms-hint:${venueId}`);
    return raw ? (JSON.parse(raw) as CredentialHint) : null;
  } catch {
    return null;
  }
}

/** Remembers a venue credential (replacing any earlier one for that venue). */
export function saveCredential(credential: VenueCredential): Promise<void> {
  const { token: _secret, ...hint } = credential;
  try {
    localStorage.setItem(`djamms-hint:${credential.venueId}`, JSON.stringify(hint));
  } catch {
    // No localStorage: venues open after the IndexedDB read instead.
  }
  return set(`venue:${credential.venueId}`, credential, db());
}

/** Forgets a venue on this device. */
export function forgetCredential(venueId: string): Promise<void> {
  localStorage.removeItem(`djamms-hint:${venueId}`);
  return del(`venue:${venueId}`, db());
}

/** Every venue this device knows, newest first. */
export async function knownVenues(): Promise<VenueCredential[]> {
  const all = await keys<string>(db());
  const found = await Promise.all(
    all.filter((k) => String(k).startsWith('venue:')).map((k) => get<VenueCredential>(k, db())),
  );
  return found.filter((c): c is VenueCredential => !!c).sort((a, b) => b.addedAt - a.addedAt);
}

/** Where each role lands after pairing. */
export function homeOf(credential: Pick<VenueCredential, 'venueId' | 'role'>): string {
  const screen =
    credential.role === 'player' ? 'player' : credential.role === 'kiosk' ? 'kiosk' : 'admin';
  return `/v/${credential.venueId}/${screen}`;
}
