/**
 * D-pad navigation for screens run with a TV remote (Android TV and tvOS move focus spatially with
 * the arrow keys): an arrow key moves focus to the nearest visible control in that direction inside
 * the container (the first control when none has the focus yet), and Enter presses it as the
 * browser already does. Controls where an arrow has a meaning of its own (a slider, a text field)
 * keep it.
 */

const FOCUSABLE = 'button:not([disabled]), a[href], input:not([disabled]), select, [tabindex="0"]';

type Direction = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';

/** Where a control is on screen: the part of a `DOMRect` that {@link nearest} reads. */
type Box = Pick<DOMRectReadOnly, 'left' | 'top' | 'width' | 'height'>;

/** Picks the control nearest to `from` in `direction`, or null. Exported for its tests. */
export function nearest<T>(
  from: Box,
  candidates: { rect: Box; el: T }[],
  direction: Direction,
): T | null {
  const cx = from.left + from.width / 2;
  const cy = from.top + from.height / 2;
  let best: T | null = null;
  let bestScore = Infinity;
  for (const { rect, el } of candidates) {
    const x = rect.left + rect.width / 2;
    const y = rect.top + rect.height / 2;
    const [along, across] =
      direction === 'ArrowRight'
        ? [x - cx, y - cy]
        : direction === 'ArrowLeft'
          ? [cx - x, y - cy]
          : direction === 'ArrowDown'
            ? [y - cy, x - cx]
            : [cy - y, x - cx];
    if (along <= 1) continue;
    // Straight ahead counts more than off to the side.
    const score = along + 2 * Math.abs(across);
    if (score < bestScore) {
      bestScore = score;
      best = el;
    }
  }
  return best;
}

function keepsArrows(el: Element | null): boolean {
  if (!(el instanceof HTMLInputElement)) return el instanceof HTMLSelectElement;
  return el.type !== 'button' && el.type !== 'checkbox' && el.type !== 'submit';
}

/** A Svelte action: arrow keys move focus among the controls inside `node`. */
export function dpad(node: HTMLElement) {
  const onKey = (e: KeyboardEvent) => {
    const key = e.key as Direction;
    if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(key)) return;
    if (e.altKey || e.ctrlKey || e.metaKey || keepsArrows(document.activeElement)) return;
    const current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const candidates = Array.from(node.querySelectorAll<HTMLElement>(FOCUSABLE))
      .filter((el) => el !== current && el.offsetParent !== null)
      .map((el) => ({ el, rect: el.getBoundingClientRect() }));
    // With nothing focused here yet (a TV that started playing by itself), any arrow starts at
    // the first control, in reading order.
    const next =
      current && node.contains(current)
        ? nearest(current.getBoundingClientRect(), candidates, key)
        : candidates[0]?.el;
    if (!next) return;
    e.preventDefault();
    next.focus();
  };
  addEventListener('keydown', onKey);
  return { destroy: () => removeEventListener('keydown', onKey) };
}
