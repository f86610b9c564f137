import { afterEach, describe, expect, it } from 'vitest';
import { applyAwarenessUpdate, Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { LIVE_FIELD, livePosition, type LivePosition } from './live';

const T = Date.UTC(2026, 10, 22, 21, 0, 0);

const opened: Awareness[] = [];
afterEach(() => opened.splice(0).forEach((a) => a.destroy()));

function awareness() {
  const a = new Awareness(new Y.Doc());
  opened.push(a);
  return a;
}

/** The admin's phone, and a player that publishes its position to it as over the relay. */
function venue() {
  const admin = awareness();
  const player = (live: unknown) => {
    const tv = awareness();
    tv.setLocalStateField(LIVE_FIELD, live);
    applyAwarenessUpdate(admin, encodeAwarenessUpdate(tv, [tv.clientID]), 'relay');
  };
  return { admin, player };
}

const playing = (at: number, positionMs = 60_000): LivePosition => ({
  entry: 'e1',
  positionMs,
  durationMs: 240_000,
  playing: true,
  at,
});

describe('live position on awareness', () => {
  it('moves a playing position on to now', () => {
    const { admin, player } = venue();
    player(playing(T));
    expect(livePosition(admin, 'e1', T + 1_500)).toEqual({
      ...playing(T),
      positionMs: 61_500,
      at: T + 1_500,
    });
  });

  it('never moves past the track’s length', () => {
    const { admin, player } = venue();
    player(playing(T, 238_000));
    expect(livePosition(admin, 'e1', T + 4_000)?.positionMs).toBe(240_000);
  });

  it('holds a paused position where it stopped', () => {
    const { admin, player } = venue();
    player({ ...playing(T), playing: false });
    expect(livePosition(admin, 'e1', T + 3_000)?.positionMs).toBe(60_000);
  });

  it('never moves backwards when the player’s clock is ahead of this one', () => {
    const { admin, player } = venue();
    player(playing(T + 800));
    expect(livePosition(admin, 'e1', T)?.positionMs).toBe(60_000);
  });

  it('is trusted for five seconds, then the screen falls back to the document (null)', () => {
    const { admin, player } = venue();
    player(playing(T));
    expect(livePosition(admin, 'e1', T + 5_000)).not.toBeNull();
    expect(livePosition(admin, 'e1', T + 5_001)).toBeNull();
  });

  it('takes the freshest when two players published (a handover)', () => {
    const { admin, player } = venue();
    player(playing(T, 10_000));
    player(playing(T + 2_000, 90_000));
    expect(livePosition(admin, 'e1', T + 2_000)?.positionMs).toBe(90_000);
  });

  it('only answers for the entry the document says is playing', () => {
    const { admin, player } = venue();
    player(playing(T));
    expect(livePosition(admin, 'e2', T)).toBeNull();
    expect(livePosition(admin, undefined, T)).toBeNull();
    expect(livePosition(null, 'e1', T)).toBeNull();
  });

  it('ignores what is not a live position (an older app, a cleared field, a bad number)', () => {
    const { admin, player } = venue();
    player(null);
    player({ entry: 'e1', positionMs: '60000', durationMs: 240_000, playing: true, at: T });
    player({ ...playing(T), durationMs: null });
    player({ entry: 'e1', positionMs: 60_000, at: T });
    expect(livePosition(admin, 'e1', T)).toBeNull();
  });
});
