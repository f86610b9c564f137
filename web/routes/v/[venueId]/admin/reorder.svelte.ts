/**
 * Reordering a list by hand, the console's one way to do it (the queue, playlists and their
 * tracks): drag a row's handle with a finger or a mouse, or focus the handle, press space, move it
 * with the arrow keys and press space again (Escape puts it back). The row shows at its new place
 * while it moves; only the drop writes, as one move through the model. A screen reader hears each
 * step.
 */
import { tick } from 'svelte';
import { words } from '$lib/strings';

/** What a list tells its reordering. */
export interface ReorderList<T> {
  /** The rows in their stored order. */
  items: () => readonly T[];
  id: (item: T) => string;
  /** What a screen reader calls the row. */
  name: (item: T) => string;
  /** Moves `item` before the row `before` (null: to the end); answers whether it moved. */
  move: (item: T, before: string | null) => boolean;
}

/** Where the row being moved is, before it is dropped. */
interface Grab {
  id: string;
  to: number;
  from: number;
  pointer: boolean;
}

export class Reorder<T> {
  /** The row being moved, if any. */
  grab = $state<Grab | null>(null);
  /** What was last said to a screen reader (an `aria-live` region shows it). */
  announce = $state('');
  /** The list element: its rows carry `data-row`, their handles `data-handle`, with the row's id. */
  list = $state<HTMLElement | null>(null);
  /** The rows as they show: the moving one at its new place. */
  readonly ordered: readonly T[];
  /**
   * The row whose handle is losing the focus because the list is redrawn under it (a row moved in
   * the DOM is taken out and put back, which blurs it), until the handle has it again: that blur
   * is the move's, not the person's, and must not put the row down.
   */
  private refocusing: string | null = null;

  constructor(private readonly of: ReorderList<T>) {
    this.ordered = $derived.by(() => {
      const items = of.items();
      const g = this.grab;
      const moving = g && items.find((i) => of.id(i) === g.id);
      if (!g || !moving) return items;
      const rest = items.filter((i) => of.id(i) !== g.id);
      return [...rest.slice(0, g.to), moving, ...rest.slice(g.to)];
    });
  }

  private start(item: T, pointer: boolean) {
    const items = this.of.items();
    const id = this.of.id(item);
    const from = items.findIndex((i) => this.of.id(i) === id);
    this.grab = { id, to: from, from, pointer };
    this.announce = words.admin.grabbed(this.of.name(item), from + 1, items.length);
  }

  /** Puts the moving row down where it shows now. */
  drop() {
    const g = this.grab;
    this.grab = null;
    if (!g || g.to === g.from) return;
    const items = this.of.items();
    const item = items.find((i) => this.of.id(i) === g.id);
    if (!item) return;
    const rest = items.filter((i) => this.of.id(i) !== g.id);
    const before = rest[g.to];
    if (this.of.move(item, before === undefined ? null : this.of.id(before))) {
      this.announce = words.admin.dropped(this.of.name(item), g.to + 1);
    }
  }

  /** Space or Enter picks the row up and puts it down; arrows move it; Escape puts it back. */
  onKey(e: KeyboardEvent, item: T) {
    const id = this.of.id(item);
    const mine = this.grab?.id === id ? this.grab : null;
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      if (mine) this.drop();
      else this.start(item, false);
    } else if (mine && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      const total = this.of.items().length;
      const to = Math.max(0, Math.min(total - 1, mine.to + (e.key === 'ArrowUp' ? -1 : 1)));
      this.grab = { ...mine, to };
      this.announce = words.admin.movedTo(this.of.name(item), to + 1, total);
    } else if (mine && e.key === 'Escape') {
      this.grab = null;
      this.announce = '';
    } else {
      return;
    }
    void this.keepFocus(id);
  }

  /** Keeps the focus on a row's handle while the list is redrawn with the row at its new place. */
  private async keepFocus(id: string) {
    this.refocusing = id;
    await tick();
    this.refocusing = null;
    const handle = this.list?.querySelector<HTMLElement>(`[data-handle="${CSS.escape(id)}"]`);
    if (handle) handle.focus();
    // The row went away while it moved (removed on another device): nothing is left to drop.
    else if (this.grab?.id === id) this.grab = null;
  }

  /** A finger or the mouse picks the row up by its handle. */
  onPointerDown(e: PointerEvent, item: T) {
    if (e.button !== 0) return;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    this.start(item, true);
  }

  /** The row follows the finger: it goes before the first row whose middle is below it. */
  onPointerMove = (e: PointerEvent) => {
    const g = this.grab;
    if (!g?.pointer || !this.list) return;
    const rows = Array.from(this.list.querySelectorAll<HTMLElement>(':scope > [data-row]'));
    let to = rows.length - 1;
    for (const [i, row] of rows.entries()) {
      const r = row.getBoundingClientRect();
      if (e.clientY < r.top + r.height / 2) {
        to = i;
        break;
      }
    }
    if (to !== g.to) this.grab = { ...g, to };
  };

  onPointerUp = () => {
    if (this.grab?.pointer) this.drop();
  };

  onPointerCancel = () => {
    this.grab = null;
  };

  /**
   * Leaving a handle mid-move by keyboard (Tab, a tap elsewhere) puts the row down where it is;
   * the blur of the row being moved in the DOM does not.
   */
  onBlur(item: T) {
    const g = this.grab;
    const id = this.of.id(item);
    if (g && !g.pointer && g.id === id && this.refocusing !== id) this.drop();
  }
}
