/** What people read when a request or vote is refused, by the model's reason (venue SPEC VM11). */
const REFUSALS: Record<string, string> = {
  duplicate: 'That song is already playing or requested.',
  limit: 'You have as many requests waiting as the venue allows: try again once one has played.',
  banned: 'That song is not played here.',
  explicit: 'Explicit songs are not allowed here.',
  'not-found': 'That request has already played or gone.',
  invalid: 'That request could not be read.',
  'read-only': 'This screen can only show the queue.',
  'not-allowed': 'This screen cannot make requests.',
  'not-loaded': 'The venue is still loading: try again in a moment.',
};

/** A refusal in plain words. */
export function refusal(reason: string | undefined): string {
  return REFUSALS[reason ?? ''] ?? 'That did not go through: try again.';
}
