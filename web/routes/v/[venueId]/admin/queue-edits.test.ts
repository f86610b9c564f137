import { describe, expect, it } from 'vitest';
import type { EntryView, Venue } from '@djamms/venue';
import { must, venueWorld } from '@djamms/venue/testing';
import { QueueEdits } from './queue-edits.svelte';

const words = {
  add: (t: string) => `added ${t}`,
  playNext: (t: string) => `play next ${t}`,
  remove: (t: string) => `removed ${t}`,
  move: (t: string) => `moved ${t}`,
};
const title = (track: string) => track.toUpperCase();

/** A bar with a loaded programme, this admin phone's edit history, and a second admin's phone. */
function bar(tracks = ['t1', 't2', 't3', 't4']) {
  const w = venueWorld();
  const phone = w.device('phone', 'admin');
  const other = w.device('other', 'admin');
  must(phone.venue.loadPlaylist(tracks));
  w.net.flush();
  const edits = new QueueEdits(() => phone.venue, title, words);
  return { w, venue: phone.venue, other: other.venue, edits };
}

const programme = (v: Venue) => v.snapshot().programme.entries.map((e) => e.track);
const lane = (v: Venue) => v.snapshot().lane.map((e) => e.track);
const entry = (v: Venue, track: string): EntryView => {
  const snap = v.snapshot();
  const found = [...snap.lane, ...snap.programme.entries].find((e) => e.track === track);
  if (!found) throw new Error(`${track} is not queued`);
  return found;
};
const labels = (edits: QueueEdits) => ({
  undo: edits.undoable.map((s) => s.label),
  redo: edits.redoable.map((s) => s.label),
});

describe('undo and redo of this device’s queue edits', () => {
  it('takes back an add to the programme, and does it again', () => {
    const { venue, edits } = bar();
    expect(must(edits.add('x', 'programme'))).toBe('added X');
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4', 'x']);
    expect(must(edits.undo())).toBe('added X');
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
    expect(labels(edits)).toEqual({ undo: [], redo: ['added X'] });
    expect(must(edits.redo())).toBe('added X');
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4', 'x']);
    expect(labels(edits)).toEqual({ undo: ['added X'], redo: [] });
  });

  it('takes back a "play next", and does it again', () => {
    const { venue, edits } = bar();
    must(edits.add('a', 'priority'));
    must(edits.add('x', 'priority'));
    expect(lane(venue)).toEqual(['x', 'a']);
    must(edits.undo());
    expect(lane(venue)).toEqual(['a']);
    must(edits.redo());
    expect(lane(venue)).toEqual(['x', 'a']);
  });

  it('puts a removed entry back where it was', () => {
    const { venue, edits } = bar();
    expect(must(edits.remove(entry(venue, 't2')))).toBe('removed T2');
    expect(programme(venue)).toEqual(['t1', 't3', 't4']);
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
    must(edits.redo());
    expect(programme(venue)).toEqual(['t1', 't3', 't4']);
  });

  it('puts a removed last entry back last, in the programme and in the lane', () => {
    const { venue, edits } = bar();
    must(edits.remove(entry(venue, 't4')));
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
    must(venue.playNext('b'));
    must(venue.playNext('a'));
    must(edits.remove(entry(venue, 'b')));
    must(edits.undo());
    expect(lane(venue)).toEqual(['a', 'b']);
  });

  it('moves an entry back where it was, and again where it was moved to', () => {
    const { venue, edits } = bar();
    const t4 = entry(venue, 't4');
    expect(must(edits.move(t4, entry(venue, 't1').id))).toBe('moved T4');
    expect(programme(venue)).toEqual(['t4', 't1', 't2', 't3']);
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
    must(edits.redo());
    expect(programme(venue)).toEqual(['t4', 't1', 't2', 't3']);
    must(edits.undo());
    must(edits.move(entry(venue, 't1'), null));
    expect(programme(venue)).toEqual(['t2', 't3', 't4', 't1']);
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('undoes newest first, through several edits, and redoes in the order they were done', () => {
    const { venue, edits } = bar();
    must(edits.add('x', 'programme'));
    must(edits.remove(entry(venue, 't1')));
    must(edits.move(entry(venue, 'x'), entry(venue, 't2').id));
    expect(programme(venue)).toEqual(['x', 't2', 't3', 't4']);
    expect(labels(edits).undo).toEqual(['moved X', 'removed T1', 'added X']);
    must(edits.undo());
    must(edits.undo());
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
    must(edits.redo());
    must(edits.redo());
    must(edits.redo());
    expect(programme(venue)).toEqual(['x', 't2', 't3', 't4']);
  });

  it('follows an entry put back by an undo: an older move of it is taken back too', () => {
    const { venue, edits } = bar();
    must(edits.move(entry(venue, 't2'), null));
    must(edits.remove(entry(venue, 't2')));
    expect(programme(venue)).toEqual(['t1', 't3', 't4']);
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't3', 't4', 't2']);
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
    must(edits.redo());
    must(edits.redo());
    expect(programme(venue)).toEqual(['t1', 't3', 't4']);
  });

  it('a new edit after an undo leaves nothing to redo', () => {
    const { edits } = bar();
    must(edits.add('x', 'programme'));
    must(edits.undo());
    must(edits.add('y', 'programme'));
    expect(labels(edits)).toEqual({ undo: ['added Y'], redo: [] });
  });

  it('says so when there is nothing to undo or redo', () => {
    const { edits } = bar();
    expect(edits.undo()).toMatchObject({ ok: false, error: 'not-found' });
    expect(edits.redo()).toMatchObject({ ok: false, error: 'not-found' });
  });

  it('never takes back another device’s edits', () => {
    const { w, venue, other, edits } = bar();
    must(edits.add('mine', 'programme'));
    must(other.addToProgramme('theirs'));
    w.net.flush();
    must(edits.undo());
    w.net.flush();
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4', 'theirs']);
    expect(programme(other)).toEqual(programme(venue));
    expect(edits.undo()).toMatchObject({ ok: false });
  });

  it('drops an edit that no longer applies (another admin removed the entry) and says why', () => {
    const { w, venue, other, edits } = bar();
    must(edits.add('x', 'programme'));
    must(edits.add('y', 'programme'));
    w.net.flush();
    must(other.remove(entry(other, 'y').id));
    w.net.flush();
    expect(edits.undo()).toMatchObject({ ok: false, error: 'not-found' });
    expect(labels(edits)).toEqual({ undo: ['added X'], redo: [] });
    must(edits.undo());
    expect(programme(venue)).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('refuses an edit the model refuses, and keeps no step for it', () => {
    const { edits } = bar();
    must(edits.add('x', 'priority'));
    expect(edits.add('x', 'priority')).toMatchObject({ ok: false, error: 'duplicate' });
    expect(labels(edits).undo).toEqual(['play next X']);
  });

  it('keeps the last 50 steps', () => {
    const { edits } = bar([]);
    for (let i = 0; i < 55; i++) must(edits.add(`t${i}`, 'programme'));
    expect(edits.undoable).toHaveLength(50);
    expect(edits.undoable[0]?.label).toBe('added T54');
    expect(edits.undoable.at(-1)?.label).toBe('added T5');
  });
});
