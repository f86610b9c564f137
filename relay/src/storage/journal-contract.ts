import { expect, it } from 'vitest';
import type { Role } from '@djamms/protocol';
import type { JournalRetention, JournalStore } from './JournalStore';

const KiB = 1024;
/** A day in milliseconds. */
export const DAY = 86_400_000;

/** Budgets no test here reaches. */
export const ROOMY: JournalRetention = {
  maxBytes: 1024 * KiB,
  maxGuestBytes: 512 * KiB,
  historyMs: DAY,
};

/** An entry as the relay stores it (seq aside): a guest's request, or a device's `played`. */
export const journalEntry = (id: string, role: Role = 'player', data?: unknown) => ({
  id,
  kind: role === 'guest' ? 'request' : 'played',
  at: 1,
  by: role === 'guest' ? `g-${id}` : 'd1',
  role,
  ...(data === undefined ? {} : { data }),
});

/**
 * The one contract every {@link JournalStore} passes (CONVENTIONS: shared adapter suite), given a
 * store with the retention budgets asked for.
 */
export function journalContract(
  make: (retention: JournalRetention) => Promise<JournalStore>,
): void {
  const roomy = ROOMY;
  const entry = journalEntry;

  it('RP18 appends are idempotent by id; seqs count up from 1 and are never reused', async () => {
    const journal = await make(roomy);
    expect(await journal.append('vvenue', [entry('a'), entry('b'), entry('a')])).toEqual({
      appended: 2,
      last: 2,
    });
    expect(await journal.append('vvenue', [entry('b')])).toEqual({ appended: 0, last: 2 });
    expect(await journal.append('vvenue', [entry('c')])).toEqual({ appended: 1, last: 3 });
    const read = await journal.read('vvenue', { after: 0, limit: 10 });
    expect(read.map((e) => [e.id, e.seq, e.by, e.role])).toEqual([
      ['a', 1, 'd1', 'player'],
      ['b', 2, 'd1', 'player'],
      ['c', 3, 'd1', 'player'],
    ]);
  });

  it('RP18 a page starts after its cursor and holds at most its limit, oldest first', async () => {
    const journal = await make(roomy);
    await journal.append(
      'vvenue',
      Array.from({ length: 7 }, (_, i) => entry(`e${i}`)),
    );
    expect((await journal.read('vvenue', { after: 2, limit: 3 })).map((e) => e.seq)).toEqual([
      3, 4, 5,
    ]);
    expect((await journal.read('vvenue', { after: 7, limit: 10 })).map((e) => e.seq)).toEqual([]);
    expect(await journal.read('vunknown', { after: 0, limit: 10 })).toEqual([]);
  });

  it('RP18 venues are independent', async () => {
    const journal = await make(roomy);
    await journal.append('va', [entry('x')]);
    await journal.append('vb', [entry('x'), entry('y')]);
    expect((await journal.read('va', { after: 0, limit: 10 })).map((e) => e.id)).toEqual(['x']);
    expect((await journal.read('vb', { after: 0, limit: 10 })).map((e) => e.id)).toEqual([
      'x',
      'y',
    ]);
  });

  it('RP29 guest entries beyond their budget go first; staff entries and seqs stay', async () => {
    const journal = await make({ maxBytes: 256 * KiB, maxGuestBytes: 64 * KiB, historyMs: DAY });
    await journal.append('vvenue', [entry('played-1', 'player', { track: 't' })]);
    for (let i = 0; i < 4; i++) {
      await journal.append(
        'vvenue',
        Array.from({ length: 50 }, (_, k) =>
          entry(`g${i}-${k}`, 'guest', { track: 'x'.repeat(900) }),
        ),
      );
    }
    const kept = await journal.read('vvenue', { after: 0, limit: 1000 });
    expect(kept[0]?.id).toBe('played-1');
    const guestBytes = kept
      .filter((e) => e.role === 'guest')
      .reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
    expect(guestBytes).toBeLessThanOrEqual(64 * KiB);
    expect(kept.at(-1)?.seq).toBe(201);
    await journal.unloadIdle(0);
    expect((await journal.append('vvenue', [entry('after')])).last).toBe(202);
  });

  it('RP33 plays are kept by age: other entries never push them out, and old ones go', async () => {
    const journal = await make({
      maxBytes: 64 * KiB,
      maxGuestBytes: 64 * KiB,
      historyMs: 400 * DAY,
    });
    const now = Date.now();
    const play = (id: string, at: number) => ({ ...entry(id), kind: 'play', at });
    await journal.append('vvenue', [play('kept', now - 399 * DAY), play('old', now - 401 * DAY)]);
    const big = { note: 'x'.repeat(1000) };
    for (let i = 0; i < 4; i++) {
      await journal.append(
        'vvenue',
        Array.from({ length: 50 }, (_, k) => ({
          ...entry(`a${i}-${k}`, 'staff', big),
          kind: 'action',
        })),
      );
    }
    await journal.unloadIdle(0);
    const kept = await journal.read('vvenue', { limit: 1000 });
    expect(kept.filter((e) => e.kind === 'play').map((e) => e.id)).toEqual(['kept']);
    const actionBytes = kept
      .filter((e) => e.kind === 'action')
      .reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
    expect(actionBytes).toBeLessThanOrEqual(64 * KiB);
    expect(kept.at(-1)?.seq).toBe(202);
  });

  it('RP34 a read selects by kind, time and seq, oldest or newest first', async () => {
    const journal = await make(roomy);
    const kinds = ['play', 'action', 'request'];
    const t = Date.now() - 60_000;
    await journal.append(
      'vvenue',
      Array.from({ length: 30 }, (_, i) => ({
        ...entry(`e${i}`),
        kind: kinds[i % 3]!,
        at: t + i,
      })),
    );
    const seqs = async (q: Parameters<JournalStore['read']>[1]) =>
      (await journal.read('vvenue', q)).map((e) => e.seq);
    expect(await seqs({ kinds: ['play'], limit: 3 })).toEqual([1, 4, 7]);
    expect(await seqs({ kinds: ['play'], from: t + 10, to: t + 20, limit: 100 })).toEqual([
      13, 16, 19,
    ]);
    expect(await seqs({ kinds: ['play', 'action'], after: 25, limit: 100 })).toEqual([26, 28, 29]);
    expect(await seqs({ kinds: ['play', 'action'], before: 25, limit: 3, newest: true })).toEqual([
      20, 22, 23,
    ]);
    expect(await seqs({ before: 3, limit: 10, newest: true })).toEqual([1, 2]);
    expect(await seqs({ kinds: ['vote'], limit: 10 })).toEqual([]);
  });
}
