import { afterEach, describe, expect, it, vi } from 'vitest';
import { guestUrl } from './guest-link';

afterEach(() => vi.unstubAllGlobals());

describe('the guest link (RP7)', () => {
  it('is this app’s guest page for the venue, carrying the key whole', () => {
    vi.stubGlobal('location', new URL('https://jukebox.example:8443/v/vBar/admin'));
    const key = 'a+b/c=d&e f';
    const link = new URL(guestUrl('vBar', key));
    expect(link.origin).toBe('https://jukebox.example:8443');
    expect(link.pathname).toBe('/g/vBar');
    expect(link.searchParams.get('k')).toBe(key);
  });

  it('is empty until the venue has a guest key', () => {
    vi.stubGlobal('location', new URL('https://jukebox.example/'));
    expect(guestUrl('vBar', '')).toBe('');
    expect(guestUrl('', 'key')).toBe('');
  });
});
