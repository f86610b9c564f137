import { describe, expect, it } from 'vitest';
import { COMMIT_GAP_MS, GroupCommit, POSTGRES_COMMIT_GAP_MS } from './group-commit';

describe('GroupCommit', () => {
  it('RP11 a lone item commits at once; what arrives in one turn is one commit', async () => {
    const commits: number[][] = [];
    const group = new GroupCommit<number>(async (items) => void commits.push(items));
    const started = performance.now();
    await group.add(1);
    expect(performance.now() - started).toBeLessThan(COMMIT_GAP_MS);
    await Promise.all([group.add(2), group.add(3), group.add(4)]);
    expect(commits).toEqual([[1], [2, 3, 4]]);
  });

  it.each([
    ['RP11', 'the commit log', COMMIT_GAP_MS],
    ['RP40', 'PostgreSQL', POSTGRES_COMMIT_GAP_MS],
  ])(
    '%s commits to %s run one at a time, each starting at least %i ms after the previous one',
    async (_rule, _store, gap) => {
      const starts: number[] = [];
      let running = 0;
      const group = new GroupCommit<number>(async () => {
        expect(running++).toBe(0);
        starts.push(performance.now());
        await new Promise((resolve) => setTimeout(resolve, 2));
        running--;
      }, gap);
      const added: Promise<void>[] = [];
      for (let i = 0; i < 40; i++) {
        added.push(group.add(i));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await Promise.all(added);
      // Each start is read a moment into its commit, and a pause there (a collection, a busy
      // machine) delays one reading and not the next: allow a millisecond for that. Commits back to
      // back, without the gap, start 2–3 ms apart here.
      for (let i = 1; i < starts.length; i++)
        expect(starts[i]! - starts[i - 1]!).toBeGreaterThan(gap - 1);
      expect(starts.length).toBeLessThan(40);
    },
  );

  it('RP11 a failed commit rejects exactly its own items; the next commit goes on', async () => {
    let fail = true;
    const group = new GroupCommit<number>(async () => {
      if (fail) throw new Error('disk full');
    });
    const first = [group.add(1), group.add(2)];
    await expect(first[0]).rejects.toThrow('disk full');
    await expect(first[1]).rejects.toThrow('disk full');
    fail = false;
    await expect(group.add(3)).resolves.toBeUndefined();
    await group.drained();
  });

  it('RP11 drained waits through the gap for items added while a commit ran', async () => {
    const committed: number[] = [];
    const group = new GroupCommit<number>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      committed.push(...items);
    }, 30);
    void group.add(1);
    await new Promise((resolve) => setTimeout(resolve, 1));
    void group.add(2); // during the first commit: goes in the next, 30 ms after the first began
    await group.drained();
    expect(committed).toEqual([1, 2]);
    await group.drained(); // nothing left: at once
  });
});
