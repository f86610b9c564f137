import { afterAll, describe, expect, it } from 'vitest';
import {
  appendFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '@djamms/protocol';
import { FileJournalStore as JournalStore, type JournalRetention } from './JournalStore';
import { DAY, ROOMY, journalContract, journalEntry } from './journal-contract';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'djamms-journal-'));
  dirs.push(dir);
  return dir;
}

const KiB = 1024;
const roomy = ROOMY;
/** 128 KiB in all, 64 KiB of guest entries: about 120 and 60 of the 1 KiB entries below. */
const tight: JournalRetention = { maxBytes: 128 * KiB, maxGuestBytes: 64 * KiB, historyMs: DAY };

const entry = journalEntry;
/** An entry whose stored line is about 1 KiB. */
const sized = (id: string, role: Role) => entry(id, role, { track: 'x'.repeat(900) });
const batch = (prefix: string, n: number, role: Role) =>
  Array.from({ length: n }, (_, i) => sized(`${prefix}${i}`, role));

const journalFile = (dir: string) => join(dir, 'journal', 'vvenue.jsonl');

describe('FileJournalStore on disk', () => {
  journalContract(async (retention) => new JournalStore(await dataDir(), retention));
});

describe('FileJournalStore in memory (ephemeral)', () => {
  journalContract(async (retention) => new JournalStore(null, retention));
});

describe('FileJournalStore', () => {
  it('RP18 appends are idempotent by id and survive a reopen', async () => {
    const dir = await dataDir();
    const journal = new JournalStore(dir, roomy);
    expect(await journal.append('vvenue', [entry('a'), entry('b'), entry('a')])).toEqual({
      appended: 2,
      last: 2,
    });
    expect(await journal.append('vvenue', [entry('b'), entry('c')])).toEqual({
      appended: 1,
      last: 3,
    });
    const reopened = new JournalStore(dir, roomy);
    expect(
      (await reopened.read('vvenue', { after: 0, limit: 10 })).map((e) => [e.id, e.seq]),
    ).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect((await reopened.read('vvenue', { after: 1, limit: 1 })).map((e) => e.id)).toEqual(['b']);
  });

  it('RP18 a torn last line is set aside and later appends stay readable', async () => {
    const dir = await dataDir();
    await new JournalStore(dir, roomy).append('vvenue', [entry('a')]);
    await appendFile(journalFile(dir), '{"id":"torn","ki');
    const reopened = new JournalStore(dir, roomy);
    await reopened.append('vvenue', [entry('b')]);
    const again = new JournalStore(dir, roomy);
    expect((await again.read('vvenue', { after: 0, limit: 10 })).map((e) => e.id)).toEqual([
      'a',
      'b',
    ]);
    expect((await readdir(join(dir, 'journal'))).some((f) => f.includes('.corrupt-'))).toBe(true);
  });

  it('RP18 damaged lines are set aside, the lines after them kept, and no seq is used twice', async () => {
    const dir = await dataDir();
    await new JournalStore(dir, roomy).append(
      'vvenue',
      ['a', 'b', 'c', 'd', 'e'].map((id) => entry(id)),
    );
    const lines = (await readFile(journalFile(dir), 'utf8')).split('\n');
    // b is garbled, a stray line comes after c, and e, the last entry, is garbled too
    lines.splice(1, 1, 'GARBAGE LINE');
    lines.splice(3, 0, '{"id":"stray","seq":1}');
    lines.splice(5, 1, '{"id":"e","seq":5,"ki');
    await writeFile(journalFile(dir), lines.join('\n'));
    const reopened = new JournalStore(dir, roomy);
    expect(
      (await reopened.read('vvenue', { after: 0, limit: 10 })).map((e) => [e.id, e.seq]),
    ).toEqual([
      ['a', 1],
      ['c', 3],
      ['d', 4],
    ]);
    // e may have been acknowledged as seq 5: the next entry is 6
    expect(await reopened.append('vvenue', [entry('f')])).toMatchObject({ last: 6 });
    const aside = (await readdir(join(dir, 'journal'))).find((f) => f.includes('.corrupt-'));
    expect(await readFile(join(dir, 'journal', aside as string), 'utf8')).toBe(
      'GARBAGE LINE\n{"id":"stray","seq":1}\n{"id":"e","seq":5,"ki\n',
    );
    const again = new JournalStore(dir, roomy);
    expect((await again.read('vvenue', { after: 0, limit: 10 })).map((e) => e.id)).toEqual([
      'a',
      'c',
      'd',
      'f',
    ]);
  });

  it('RP29 guest entries beyond their budget go oldest first; staff history and seqs stay', async () => {
    const dir = await dataDir();
    const journal = new JournalStore(dir, tight);
    await journal.append('vvenue', batch('played-', 20, 'player'));
    for (let round = 0; round < 10; round++) {
      await journal.append('vvenue', batch(`flood${round}-`, 30, 'guest'));
    }
    const kept = await journal.read('vvenue', { after: 0, limit: 1000 });
    const guests = kept.filter((e) => e.role === 'guest');
    expect(kept.filter((e) => e.role === 'player').map((e) => e.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    // the newest guest entries, within 1.25 × their budget, in order and ending at the last seq
    expect(guests.length).toBeGreaterThan(50);
    expect(guests.length).toBeLessThan(85);
    expect(guests.at(-1)).toMatchObject({ id: 'flood9-29', seq: 320 });
    expect(guests.map((e) => e.seq)).toEqual(
      Array.from({ length: guests.length }, (_, i) => 321 - guests.length + i),
    );
    expect((await stat(journalFile(dir))).size).toBeLessThan(1.25 * tight.maxBytes);
    // a page that starts before the oldest kept guest entry continues after the staff entries
    expect((await journal.read('vvenue', { after: 20, limit: 1 }))[0]?.seq).toBe(guests[0]?.seq);
  });

  it('RP29 everything beyond the whole budget goes oldest first; the newest entry always stays', async () => {
    const dir = await dataDir();
    const journal = new JournalStore(dir, tight);
    for (let round = 0; round < 5; round++) {
      await journal.append('vvenue', batch(`played${round}-`, 60, 'player'));
    }
    const kept = await journal.read('vvenue', { after: 0, limit: 1000 });
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.length).toBeLessThan(160);
    expect(kept.at(-1)?.seq).toBe(300);
    // an entry bigger than the whole budget is still kept as the newest (the seq goes on from it)
    const huge = entry('huge', 'admin', { notes: 'y'.repeat(200 * KiB) });
    expect(await journal.append('vvenue', [huge])).toEqual({ appended: 1, last: 301 });
    await journal.append('vvenue', [entry('after')]);
    const reopened = new JournalStore(dir, tight);
    expect((await reopened.read('vvenue', { after: 0, limit: 1000 })).at(-1)).toMatchObject({
      id: 'after',
      seq: 302,
    });
  });

  it('RP29 idempotency and reads hold across compaction, a restart and a torn tail', async () => {
    const dir = await dataDir();
    const journal = new JournalStore(dir, tight);
    await journal.append('vvenue', batch('old-', 100, 'guest'));
    await journal.append('vvenue', batch('new-', 40, 'guest'));
    const before = await journal.read('vvenue', { after: 0, limit: 1000 });
    expect(before[0]?.id).not.toBe('old-0'); // compacted
    // the relay dies while appending: the last line is torn
    await appendFile(journalFile(dir), '{"id":"torn-one","kind":"req');
    const restarted = new JournalStore(dir, tight);
    expect(await restarted.read('vvenue', { after: 0, limit: 1000 })).toEqual(before);
    // a retried batch within retention appends nothing; a new id continues the seq
    expect(await restarted.append('vvenue', batch('new-', 40, 'guest'))).toEqual({
      appended: 0,
      last: 140,
    });
    expect(await restarted.append('vvenue', [sized('fresh', 'guest')])).toEqual({
      appended: 1,
      last: 141,
    });
    const lines = (await readFile(journalFile(dir), 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([
      ...before.map((e) => e.id),
      'fresh',
    ]);
    const aside = (await readdir(join(dir, 'journal'))).find((f) => f.includes('.corrupt-'));
    expect(await readFile(join(dir, 'journal', aside ?? ''), 'utf8')).toBe(
      '{"id":"torn-one","kind":"req',
    );
  });

  it('RP29 a journal written before retention is compacted when it opens', async () => {
    const dir = await dataDir();
    const lines = Array.from({ length: 400 }, (_, i) => ({
      ...sized(`g${i}`, 'guest'),
      seq: i + 1,
    }));
    await mkdir(join(dir, 'journal'));
    await writeFile(journalFile(dir), lines.map((l) => JSON.stringify(l) + '\n').join(''));
    const journal = new JournalStore(dir, tight);
    const kept = await journal.read('vvenue', { after: 0, limit: 1000 });
    expect(kept.at(-1)?.seq).toBe(400);
    expect(kept.length).toBeLessThan(80);
    expect((await stat(journalFile(dir))).size).toBeLessThan(1.25 * tight.maxGuestBytes);
  });

  it('RP29 an ephemeral journal keeps the same budgets in memory', async () => {
    const journal = new JournalStore(null, tight);
    for (let round = 0; round < 10; round++) {
      await journal.append('vvenue', batch(`g${round}-`, 30, 'guest'));
    }
    const kept = await journal.read('vvenue', { after: 0, limit: 1000 });
    expect(kept.length).toBeLessThan(85);
    expect(kept.at(-1)).toMatchObject({ id: 'g9-29', seq: 300 });
    expect(await journal.append('vvenue', [sized('g9-29', 'guest')])).toEqual({
      appended: 0,
      last: 300,
    });
  });

  it('RP29 an idle venue is unloaded and its index rebuilt from disk on next use', async () => {
    const dir = await dataDir();
    let now = 0;
    const journal = new JournalStore(dir, roomy, () => now);
    await journal.append('vvenue', [entry('a'), entry('b')]);
    now = 60_000;
    await journal.unloadIdle(30_000);
    await appendFile(journalFile(dir), JSON.stringify({ ...entry('c'), seq: 3 }) + '\n');
    // had the index stayed, the line written behind its back would be unknown to it
    expect((await journal.read('vvenue', { after: 0, limit: 10 })).map((e) => e.id)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(await journal.append('vvenue', [entry('c'), entry('d')])).toEqual({
      appended: 1,
      last: 4,
    });
  });

  it('RP29 budgets smaller than a few of the largest entries are refused', () => {
    expect(
      () => new JournalStore(null, { maxBytes: 1024, maxGuestBytes: 512, historyMs: DAY }),
    ).toThrow(/journal budgets/);
    expect(
      () =>
        new JournalStore(null, { maxBytes: 64 * KiB, maxGuestBytes: 128 * KiB, historyMs: DAY }),
    ).toThrow(/journal budgets/);
  });
});
