import { tick } from 'svelte';

/**
 * After the list is redrawn, focuses the first of `selectors` inside `within` that is there and
 * enabled (else `otherwise`): a keyboard or screen-reader user whose row moved or went keeps their place (the next
 * row's button, the same button at the row's new place, or the list's heading) instead of being
 * sent back to the top of the page.
 */
export async function keepPlace(
  within: ParentNode | null,
  selectors: string[],
  otherwise: HTMLElement | null,
): Promise<void> {
  await tick();
  for (const selector of selectors) {
    const found = within?.querySelector<HTMLElement>(selector);
    if (found && !(found as HTMLButtonElement).disabled) return found.focus();
  }
  otherwise?.focus();
}
