import { describe, expect, it } from 'vitest';
import { actionRecordProblem, mayAppendJournal, playRecordProblem, ROLES } from './index';

const play = {
  track: 't1',
  title: 'Café, "Live"',
  artist: 'Zoë',
  album: '',
  isrc: 'GBAYE0601498',
  started: 1_700_000_000_000,
  ended: 1_700_000_180_000,
  seconds: 172.5,
  endedBy: 'finished',
};

describe('venue records', () => {
  it('RP33 plays and actions come from the player and staff only, never guests, kiosks or viewers', () => {
    const writers = ROLES.filter((r) => mayAppendJournal(r, 'play'));
    expect(writers).toEqual(['admin', 'staff', 'player']);
    expect(ROLES.filter((r) => mayAppendJournal(r, 'action'))).toEqual(writers);
  });

  it('RP33 a well-formed play passes; each malformed field is named', () => {
    expect(playRecordProblem(play, play.started)).toBeNull();
    expect(playRecordProblem({ ...play, isrc: '' }, play.started)).toBeNull();
    const broken: [Record<string, unknown>, string][] = [
      [{ ...play, track: '' }, 'track'],
      [{ ...play, title: 7 }, 'title'],
      [{ ...play, album: 'x'.repeat(501) }, 'album'],
      [{ ...play, isrc: 'gb-aye-06-01498' }, 'isrc'],
      [{ ...play, ended: play.started - 1 }, 'ended'],
      [{ ...play, started: 1.5, ended: 2 }, 'started'],
      [{ ...play, ended: play.started + 86_400_001 }, 'a day'],
      [{ ...play, seconds: 400 }, 'seconds'],
      [{ ...play, seconds: -1 }, 'seconds'],
      [{ ...play, endedBy: 'paused' }, 'endedBy'],
    ];
    for (const [data, named] of broken) {
      expect(playRecordProblem(data, data.started as number)).toContain(named);
    }
    expect(playRecordProblem(play, play.ended)).toContain('at');
    expect(playRecordProblem(null, 0)).toContain('data');
    expect(playRecordProblem([play], 0)).toContain('data');
  });

  it('RP33 an action says what was done, in words', () => {
    expect(actionRecordProblem({ what: 'Skipped Blue Monday' })).toBeNull();
    expect(actionRecordProblem({ what: '  ' })).toContain('what');
    expect(actionRecordProblem({ what: 'x'.repeat(501) })).toContain('what');
    expect(actionRecordProblem('skip')).toContain('data');
  });
});
