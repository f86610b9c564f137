import { describe, expect, it } from 'vitest';
import { must, openBar, storedFacts, venueWorld } from './test-support';
import { progress } from './snapshot';
import { TIMING } from './schema';

const playingWorld = () => openBar(venueWorld(), ['t1', 't2', 't3']);

describe('playback', () => {
  it('VM3 a second player cannot claim a live lease, but takes over an expired one and continues', () => {
    const { w, tv } = playingWorld();
    const spare = w.device('spare', 'player');
    expect(spare.venue.claimLease()).toMatchObject({ ok: false, error: 'lease-held' });
    const playing = tv.venue.snapshot().nowPlaying!;
    w.net.disconnect(tv.peer);
    w.tick(TIMING.leaseTtl + 1);
    expect(must(spare.venue.claimLease())).toBe(2);
    const view = spare.venue.snapshot();
    expect(view.activePlayer).toBe('spare-w');
    expect(view.nowPlaying?.entry).toBe(playing.entry);
    expect(spare.venue.advance(playing.entry).ok).toBe(true);
  });

  it('VM3 the old holder yields after a partition heals, and its playback writes are refused', () => {
    const { w, tv } = playingWorld();
    const spare = w.device('spare', 'player');
    w.net.disconnect(tv.peer);
    w.tick(TIMING.leaseTtl + 1);
    must(spare.venue.claimLease());
    must(spare.venue.advance(spare.venue.snapshot().nowPlaying!.entry));
    w.net.reconnect(tv.peer);
    w.net.flush();
    expect(tv.venue.snapshot().activePlayer).toBe('spare-w');
    expect(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry)).toMatchObject({
      error: 'not-active',
    });
    expect(tv.venue.snapshot().nowPlaying).toEqual(spare.venue.snapshot().nowPlaying);
  });

  it('VM3 a player that hands over is replaced after a few seconds and continues; one that comes back in time keeps it', () => {
    const { w, tv } = playingWorld();
    const spare = w.device('spare', 'player');
    const playing = tv.venue.snapshot().nowPlaying!;
    must(tv.venue.releaseLease());
    w.net.flush();
    expect(spare.venue.snapshot().players.find((p) => p.writer === 'tv-w')?.online).toBe(false);
    expect(spare.venue.claimLease()).toMatchObject({ ok: false, error: 'lease-held' });
    // A reload: the same writer beats again within the handover time and keeps the venue.
    w.tick(TIMING.handover / 2);
    must(tv.venue.claimLease());
    w.net.flush();
    w.tick(TIMING.handover);
    expect(spare.venue.claimLease()).toMatchObject({ ok: false, error: 'lease-held' });
    // Closed for good: the spare claims once the handover time has passed and goes on from it.
    must(tv.venue.releaseLease());
    w.net.flush();
    w.tick(TIMING.handover + 1);
    expect(must(spare.venue.claimLease())).toBe(2);
    expect(spare.venue.snapshot().nowPlaying?.entry).toBe(playing.entry);
  });

  it('VM3 a forced claim takes over a live lease', () => {
    const { w } = playingWorld();
    const spare = w.device('spare', 'player');
    expect(must(spare.venue.claimLease(true))).toBe(2);
    w.net.flush();
    expect(w.devices[0]!.venue.snapshot().activePlayer).toBe('spare-w');
  });

  it('VM3 a lease another player outbid is dropped, and never comes back when that player is retired', () => {
    const { w, admin, tv } = playingWorld();
    const spare = w.device('spare', 'player');
    must(spare.venue.claimLease(true));
    w.net.flush();
    must(tv.venue.heartbeat());
    expect(storedFacts(tv.peer.doc, 'tv-w').some((f) => (f as { k: string }).k === 'lease')).toBe(
      false,
    );
    must(admin.venue.revokeDevice('spare'));
    w.net.flush();
    must(tv.venue.claimLease());
    must(tv.venue.heartbeat());
    w.net.flush();
    expect(admin.venue.snapshot().activePlayer).toBe('tv-w');
    expect(admin.venue.snapshot().players.map((p) => p.writer)).toEqual(['tv-w']);
  });

  it('VM3 a new holder goes on from the furthest journal cursor any player reached', () => {
    const { w, tv } = playingWorld();
    const spare = w.device('spare', 'player');
    const request = (n: number) => ({
      id: `j${n}`,
      kind: 'request' as const,
      guest: `g${n}`,
      track: { id: `r${n}`, explicit: false },
    });
    must(tv.venue.applyGuestEntries([request(1), request(2)], '2'));
    w.net.flush();
    // Cut off, the TV goes on with the journal while the spare takes the lease.
    w.net.disconnect(tv.peer);
    must(tv.venue.applyGuestEntries([request(3), request(4)], '4'));
    w.tick(TIMING.leaseTtl + 1);
    must(spare.venue.claimLease());
    w.net.reconnect(tv.peer);
    w.net.flush();
    expect(spare.venue.snapshot().journalCursor).toBe('2');
    const third = w.device('third', 'player');
    must(third.venue.claimLease(true));
    expect(third.venue.snapshot().journalCursor).toBe('4');
  });

  it('VM27 a track that fails is reported with its reason and skipped, and marked until it plays through', () => {
    const { w, admin, tv } = playingWorld();
    const first = tv.venue.snapshot().nowPlaying!;
    expect(tv.venue.reportFailure('someone-else', 'x')).toMatchObject({ error: 'stale' });
    expect(admin.venue.reportFailure(first.entry, 'x')).toMatchObject({ error: 'not-allowed' });
    expect(must(tv.venue.reportFailure(first.entry, 'the file could not be decoded'))).toBe(
      tv.venue.snapshot().nowPlaying!.entry,
    );
    w.net.flush();
    expect(admin.venue.snapshot().nowPlaying?.track).toBe('t2');
    expect(admin.venue.snapshot().failures).toEqual([
      { track: 't1', entry: first.entry, why: 'the file could not be decoded', at: w.now() },
    ]);
    // Round the programme again: t1 plays to its end this time.
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t1');
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().failures).toEqual([]);
  });

  it('VM4 advancing an entry that is no longer playing is refused as stale', () => {
    const { tv } = playingWorld();
    const first = tv.venue.snapshot().nowPlaying!.entry;
    must(tv.venue.advance(first));
    expect(tv.venue.advance(first)).toMatchObject({ ok: false, error: 'stale' });
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t2');
  });

  it('VM2 a fresh skip on target applies once; its outcome is visible to the sender', () => {
    const { w, admin, tv } = playingWorld();
    const id = must(admin.venue.sendIntent('skip'));
    expect(admin.venue.snapshot().intents.find((i) => i.id === id)?.status).toBe('pending');
    w.net.flush();
    expect(must(tv.venue.applyIntents())[id]?.s).toBe('applied');
    expect(must(tv.venue.applyIntents())[id]).toBeUndefined();
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t2');
    w.net.flush();
    expect(admin.venue.snapshot().intents.find((i) => i.id === id)?.status).toBe('applied');
  });

  it('VM2 an intent whose target moved on is rejected with a reason', () => {
    const { w, admin, tv } = playingWorld();
    const id = must(admin.venue.sendIntent('seek', { positionMs: 30_000 }));
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    w.net.flush();
    expect(must(tv.venue.applyIntents())[id]).toMatchObject({
      s: 'rejected',
      why: 'target-changed',
    });
  });

  it('VM2 a stale intent expires, and shows as expired even before the player decides', () => {
    const { w, admin, tv } = playingWorld();
    w.net.disconnect(admin.peer);
    const id = must(admin.venue.sendIntent('pause'));
    w.tick(TIMING.intentTtl + 1);
    expect(admin.venue.snapshot().intents.find((i) => i.id === id)?.status).toBe('expired');
    w.net.reconnect(admin.peer);
    w.net.flush();
    expect(must(tv.venue.applyIntents())[id]?.s).toBe('expired');
    expect(tv.venue.snapshot().nowPlaying?.state).toBe('playing');
  });

  it('VM6 a play that had not seen an emergency stop is rejected; one sent after it resumes', () => {
    const { w, admin, tv } = playingWorld();
    const other = w.device('admin2', 'admin');
    const play = must(other.venue.sendIntent('play'));
    const stop = must(admin.venue.sendIntent('emergency-stop'));
    w.net.flush();
    const outcomes = must(tv.venue.applyIntents());
    expect(outcomes[stop]?.s).toBe('applied');
    expect(outcomes[play]).toMatchObject({ s: 'rejected', why: 'emergency-stop' });
    expect(tv.venue.snapshot().nowPlaying?.state).toBe('stopped');
    w.net.flush();
    const resume = must(other.venue.sendIntent('play'));
    w.net.flush();
    expect(must(tv.venue.applyIntents())[resume]?.s).toBe('applied');
    expect(tv.venue.snapshot().nowPlaying?.state).toBe('playing');
  });

  it('VM6 a track that ends as a stop is pressed stays stopped; only play starts it again', () => {
    for (const stop of ['emergency-stop', 'fade-out-stop'] as const) {
      const { w, admin, tv } = playingWorld();
      const ending = tv.venue.snapshot().nowPlaying!.entry;
      must(admin.venue.sendIntent(stop));
      w.net.flush();
      must(tv.venue.applyIntents());
      // The track's own `ended` event arrives after the stop was applied.
      expect(tv.venue.advance(ending)).toMatchObject({ ok: false, error: 'stopped' });
      expect(tv.venue.reportState('playing', 0)).toMatchObject({ ok: false, error: 'stopped' });
      expect(tv.venue.snapshot().nowPlaying).toMatchObject({
        entry: ending,
        state: 'stopped',
        stoppedBy: stop === 'emergency-stop' ? 'emergency' : 'fade-out',
      });
      w.net.flush();
      const play = must(admin.venue.sendIntent('play'));
      w.net.flush();
      expect(must(tv.venue.applyIntents())[play]?.s).toBe('applied');
      expect(tv.venue.snapshot().nowPlaying).toMatchObject({ entry: ending, state: 'playing' });
      expect(tv.venue.snapshot().nowPlaying?.stoppedBy).toBeUndefined();
    }
  });

  it('VM8 at the end of the queue playback stops; a new entry and play carry on', () => {
    const { w, admin, tv } = playingWorld();
    must(admin.venue.setSetting('repeat', 'none'));
    w.net.flush();
    for (let i = 0; i < 3; i++) must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().nowPlaying).toMatchObject({ state: 'stopped', stoppedBy: 'end' });
    must(admin.venue.playNext('encore'));
    const play = must(admin.venue.sendIntent('play'));
    w.net.flush();
    expect(must(tv.venue.applyIntents())[play]?.s).toBe('applied');
    expect(tv.venue.snapshot().nowPlaying).toMatchObject({ track: 'encore', state: 'playing' });
  });

  it('VM8 a request that plays still names who asked for it: a guest, a kiosk, or no one (staff)', () => {
    const { w, admin, tv } = playingWorld();
    const kiosk = w.device('kiosk', 'kiosk');
    must(admin.venue.playNext('staff-pick'));
    must(kiosk.venue.kioskRequest({ id: 'kiosk-pick', explicit: false }));
    w.net.flush();
    must(
      tv.venue.applyGuestEntries(
        [{ id: 'j1', kind: 'request', guest: 'g1', track: { id: 'guest-pick', explicit: false } }],
        '1',
      ),
    );
    const asked: Record<string, { guest?: string; kiosk?: true }> = {};
    for (let i = 0; i < 3; i++) {
      must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
      w.net.flush();
      const now = admin.venue.snapshot().nowPlaying!;
      expect(now.lane).toBe('priority');
      // It has left the lane: the playback is the only place left that knows.
      expect(admin.venue.snapshot().lane.some((e) => e.id === now.entry)).toBe(false);
      asked[now.track] = { guest: now.guest, kiosk: now.kiosk };
    }
    expect(asked).toEqual({
      'staff-pick': { guest: undefined, kiosk: undefined },
      'kiosk-pick': { guest: 'kiosk', kiosk: true },
      'guest-pick': { guest: 'g1', kiosk: undefined },
    });
    // A pause (a new playback fact) and another player taking over keep it.
    const pause = must(
      admin.venue.sendIntent('pause', { entry: admin.venue.snapshot().nowPlaying!.entry }),
    );
    w.net.flush();
    expect(must(tv.venue.applyIntents())[pause]?.s).toBe('applied');
    const spare = w.device('spare', 'player');
    must(spare.venue.claimLease(true));
    w.net.flush();
    expect(admin.venue.snapshot().nowPlaying).toMatchObject({ state: 'paused', guest: 'g1' });
  });

  it('VM6 the volume played never exceeds the cap, and is zero when muted', () => {
    const { admin } = playingWorld();
    must(admin.venue.setSetting('volume', 90));
    must(admin.venue.setSetting('volumeCap', 70));
    expect(admin.venue.snapshot().volume).toBe(70);
    must(admin.venue.setSetting('muted', true));
    expect(admin.venue.snapshot().volume).toBe(0);
  });

  it('VM8 the lane plays before the programme, and repeat decides the end of the programme', () => {
    const { w, admin, tv } = playingWorld();
    must(admin.venue.playNext('t9'));
    w.net.flush();
    expect(tv.venue.upNext(5).map((e) => e.track)).toEqual(['t9', 't2', 't3', 't1']);
    must(admin.venue.setSetting('repeat', 'none'));
    w.net.flush();
    expect(tv.venue.upNext(5).map((e) => e.track)).toEqual(['t9', 't2', 't3']);
    must(admin.venue.setSetting('repeat', 'one'));
    w.net.flush();
    expect(tv.venue.upNext(5).map((e) => e.track)).toEqual(['t9', 't1']);
  });

  it('VM13 a loaded playlist plays from its first entry, not from where the old programme was', () => {
    const { w, admin, tv } = openBar(venueWorld(), ['t1', 't2', 't3', 't4']);
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('t3');
    w.net.flush();
    must(admin.venue.loadPlaylist(['n1', 'n2', 'n3', 'n4', 'n5']));
    w.net.flush();
    // What plays now finishes; the new programme follows from its top, on every device.
    expect(tv.venue.upNext(3).map((e) => e.track)).toEqual(['n1', 'n2', 'n3']);
    expect(admin.venue.upNext(3).map((e) => e.track)).toEqual(['n1', 'n2', 'n3']);
    must(tv.venue.advance(tv.venue.snapshot().nowPlaying!.entry));
    expect(tv.venue.snapshot().nowPlaying?.track).toBe('n1');
    // Within one programme the cursor still counts: an add does not send it back to the top.
    must(admin.venue.addToProgramme('n6'));
    w.net.flush();
    expect(tv.venue.upNext(2).map((e) => e.track)).toEqual(['n2', 'n3']);
  });

  it('VM23 progress is derived from the last state change, with no writes while playing', () => {
    const { w, tv } = playingWorld();
    let writes = 0;
    tv.peer.doc.on('update', () => writes++);
    const view = tv.venue.snapshot();
    w.tick(42_000);
    expect(progress(view.nowPlaying, view.at, w.now())).toBe(42_000);
    expect(tv.venue.snapshot().nowPlaying?.positionMs).toBe(42_000);
    expect(writes).toBe(0);
    must(tv.venue.reportState('paused', 42_500));
    w.tick(10_000);
    expect(tv.venue.snapshot().nowPlaying?.positionMs).toBe(42_500);
  });

  it('VM23 the estimated position stops at the track’s length while the player is not heard from', () => {
    const { w, admin } = playingWorld();
    const view = admin.venue.snapshot();
    // The TV went offline: nothing says the 21-second track ended, yet it cannot be past its end.
    w.tick(60_000);
    expect(progress(view.nowPlaying, view.at, w.now(), 21_000)).toBe(21_000);
    expect(progress(view.nowPlaying, view.at, w.now() - 50_000, 21_000)).toBe(10_000);
    // Without a known length it is the plain estimate.
    expect(progress(view.nowPlaying, view.at, w.now())).toBe(60_000);
  });
});
