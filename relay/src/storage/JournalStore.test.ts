import { afterAll, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalStore } from './JournalStore';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const entry = (id: string) => ({ id, kind: 'played', at: 1, by: 'd1', role: 'player' as const });

describe('JournalStore', () => {
  it('RP18 appends are idempotent by id and survive a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'djamms-journal-'));
    dirs.push(dir);
    const journal = new JournalStore(dir);
    expect(await journal.append('vvenue', [entry('a'), entry('b'), entry('a')])).toEqual({
      appended: 2,
      last: 2,
    });
    expect(await journal.append('vvenue', [entry('b'), entry('c')])).toEqual({
      appended: 1,
      last: 3,
    });
    const reopened = new JournalStore(dir);
    expect((await reopened.read('vvenue', 0, 10)).map((e) => [e.id, e.seq])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('RP18 a torn last line is set aside and later appends stay readable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'djamms-journal-'));
    dirs.push(dir);
    await new JournalStore(dir).append('vvenue', [entry('a')]);
    await appendFile(join(dir, 'journal', 'vvenue.jsonl'), '{"id":"torn","ki');
    const reopened = new JournalStore(dir);
    await reopened.append('vvenue', [entry('b')]);
    const again = new JournalStore(dir);
    expect((await again.read('vvenue', 0, 10)).map((e) => e.id)).toEqual(['a', 'b']);
    expect((await readdir(join(dir, 'journal'))).some((f) => f.includes('.corrupt-'))).toBe(true);
  });
});
