import { describe, expect, it } from 'vitest';
import type { JournalEntryInput, PlayRecord } from '@djamms/protocol';
import { playRecordProblem } from '@djamms/protocol';
import type { LibraryTrack } from '@djamms/venue';
import { PlayLog } from './PlayLog';

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
  const log = new PlayLog(
    () => t + 0.4,
    () => `p-${++n}`,
    (e) => sent.push(e),
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
  return { log, play, wait, sent, data };
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
});
