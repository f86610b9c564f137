import { describe, expect, it } from 'vitest';
import type { JournalEntryInput, PlayRecord } from '@djamms/protocol';
import { playRecordProblem } from '@djamms/protocol';
import type { LibraryTrack } from '@djamms/venue';
import { KEEP_EVERY_MS, keptPlayEntry, PlayLog, type KeptPlay } from './PlayLog';

const track = (id: string, over: Partial<LibraryTrack> = {}): LibraryTrack => ({
  id,
  title: `Title ${id}`,
  artist: 'Artist',
  album: 'Album',
  durationMs: 200_000,
  media: { sha256: 'a'.repeat(64), type: 'audio/mpeg' },
  explicit: false,
  ...over,
});

function setup() {
  let t = 1_700_000_000_000;
  let n = 0;
  const sent: JournalEntryInput[] = [];
  const kept: (KeptPlay | null)[] = [];
  const log = new PlayLog(
    () => t + 0.4,
    () => `p-${++n}`,
    (e) => sent.push(e),
    (p) => kept.push(p),
  );
  /** `seconds` of sound, ticking four times a second. */
  const play = (entry: string, seconds: number, playing = true) => {
    for (let i = 0; i < seconds * 4; i++) {
      t += 250;
      log.tick(entry, playing);
    }
  };
  const wait = (ms: number) => (t += ms);
  const data = () => sent.map((e) => e.data as PlayRecord);
  return { log, play, wait, sent, data, kept };
}

describe('the player’s play log', () => {
  it('records a play that ran to its end with its seconds, a valid record with at = started', () => {
    const { log, play, sent, data } = setup();
    log.started('e1', track('t1', { isrc: 'GBAYE0601498' }));
    log.tick('e1', true);
    play('e1', 30);
    log.end('finished', 'e1');
    expect(sent).toHaveLength(1);
    expect(data()[0]).toMatchObject({
      track: 't1',
      isrc: 'GBAYE0601498',
      seconds: 30,
      endedBy: 'finished',
    });
    expect(playRecordProblem(sent[0]!.data, sent[0]!.at)).toBeNull();
    expect(sent[0]!.id).toBe('p-1');
  });

  it('leaves pauses and stalls out of the seconds played', () => {
    const { log, play, wait, data } = setup();
    log.started('e1', track('t1'));
    log.tick('e1', true);
    play('e1', 10);
    log.tick('e1', false);
    wait(60_000);
    log.tick('e1', true);
    play('e1', 5);
    wait(30_000); // the tab slept: no tick for 30 s
    log.tick('e1', true);
    log.end('stopped');
    expect(data()[0]!.seconds).toBeCloseTo(16.5, 5);
    expect(data()[0]!.ended - data()[0]!.started).toBe(105_000);
  });

  it('a new play ends the open one as skipped; a stale end is ignored; failures are recorded', () => {
    const { log, play, data } = setup();
    log.started('e1', track('t1'));
    play('e1', 3);
    log.started('e2', track('t2'));
    log.end('finished', 'e1');
    log.failedToStart('e3', track('t3'));
    expect(data().map((d) => [d.track, d.endedBy])).toEqual([
      ['t1', 'skipped'],
      ['t2', 'skipped'],
      ['t3', 'failed'],
    ]);
    expect(data()[2]!.seconds).toBe(0);
    log.end('stopped');
    expect(data()).toHaveLength(3);
  });

  it('keeps the open play when it starts, every few seconds of sound, and forgets it when it ends', () => {
    const { log, play, wait, kept, sent } = setup();
    log.started('e1', track('t1'));
    expect(kept).toEqual([expect.objectContaining({ id: 'p-1', entry: 'e1', playedMs: 0 })]);
    log.tick('e1', true);
    play('e1', 12);
    // kept at 0 s, then after 5 s and 10 s of sound: a crash loses at most KEEP_EVERY_MS of it
    expect(kept.map((k) => k?.playedMs)).toEqual([0, KEEP_EVERY_MS, 2 * KEEP_EVERY_MS]);
    log.tick('e1', false);
    wait(60_000); // paused: nothing to keep
    log.tick('e1', false);
    expect(kept).toHaveLength(3);
    log.end('stopped');
    expect(kept.at(-1)).toBeNull();
    expect(sent).toHaveLength(1);
  });

  it('a kept play whose player died is recorded as stopped when it was last known to sound', () => {
    const { log, play, kept } = setup();
    log.started('e1', track('t1', { isrc: 'GBAYE0601498' }));
    log.tick('e1', true);
    play('e1', 7); // then the TV loses power: no end, no pagehide
    const last = kept.at(-1)!;
    const entry = keptPlayEntry(last);
    expect(entry).toMatchObject({ id: 'p-1', kind: 'play', at: last.started });
    expect(entry.data).toMatchObject({
      track: 't1',
      isrc: 'GBAYE0601498',
      seconds: 5,
      ended: last.savedAt,
      endedBy: 'stopped',
    });
    expect(playRecordProblem(entry.data, entry.at)).toBeNull();
  });
});
