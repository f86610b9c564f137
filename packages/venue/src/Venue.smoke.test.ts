import { describe, expect, it } from 'vitest';
import { must, venueWorld } from './test-support';

describe('venue smoke', () => {
  it('plays through a programme with a request', () => {
    const w = venueWorld();
    const admin = w.device('admin', 'admin');
    const tv = w.device('tv', 'player');
    must(admin.venue.loadPlaylist(['t1', 't2', 't3']));
    w.net.flush();
    must(tv.venue.claimLease());
    expect(must(tv.venue.advance(null))).not.toBeNull();
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t1');
    must(admin.venue.playNext('t9'));
    w.net.flush();
    const now = tv.venue.snapshot().nowPlaying!.entry;
    must(tv.venue.advance(now));
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t9');
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t2');
    w.net.flush();
    expect(admin.venue.snapshot().nowPlaying?.track).toBe('t2');
    expect(admin.venue.upNext(3).map((e) => e.track)).toEqual(['t3', 't1', 't2']);
  });
});
