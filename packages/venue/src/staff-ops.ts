/** Staff operations on settings, bans, schedules and intents (VM2, VM5, VM6). */
import type { OpContext } from './context';
import { randomId } from './ids';
import { fail, ok, type Result } from './result';
import { isSlot, type Slot } from './schedule';
import { INTENT_KINDS, type IntentKind, type LedgerFact } from './schema';
import { isValidSetting, settingKey, type SettingName, type VenueSettings } from './settings';

/**
 * Sets a setting. The value is stamped with this replica's hybrid logical clock, and the newest
 * stamp wins everywhere, whatever the Yjs client ids (VM5).
 */
export function setSetting<K extends SettingName>(
  ctx: OpContext,
  draft: LedgerFact,
  name: K,
  value: VenueSettings[K],
): Result<void> {
  if (!isValidSetting(name, value))
    return fail('invalid', `${name} cannot be ${JSON.stringify(value)}`);
  draft.regs[settingKey(name)] = { v: value, h: ctx.h };
  return ok(undefined);
}

/** Turns shuffle on with a fresh seed (so every device shows the same order, VM7), or off. */
export function setShuffle(ctx: OpContext, draft: LedgerFact, on: boolean): Result<number> {
  const seed = on ? Math.floor(ctx.random() * 0x100000000) : ctx.view.settings.shuffle.seed;
  return setSetting(ctx, draft, 'shuffle', { on, seed }).ok ? ok(seed) : fail('invalid', 'seed');
}

/** Bans a track at this venue (it never plays, guests cannot request it), or lifts the ban. */
export function banTrack(ctx: OpContext, draft: LedgerFact, track: string, banned: boolean) {
  if (!/^[A-Za-z0-9_:-]{1,64}$/.test(track)) return fail('invalid', 'track id is malformed');
  draft.regs[`ban:${track}`] = { v: banned, h: ctx.h };
  return ok(undefined);
}

/** Adds or replaces a schedule slot. */
export function setSlot(ctx: OpContext, draft: LedgerFact, slot: Slot): Result<void> {
  if (!isSlot(slot))
    return fail('invalid', 'a slot needs days, a start before its end and a playlist');
  draft.regs[`slot:${slot.id}`] = { v: slot, h: ctx.h };
  return ok(undefined);
}

/** Removes a schedule slot. */
export function removeSlot(ctx: OpContext, draft: LedgerFact, id: string): Result<void> {
  if (!ctx.view.schedules.some((s) => s.id === id)) return fail('not-found', 'no such slot');
  draft.regs[`slot:${id}`] = { v: null, h: ctx.h };
  return ok(undefined);
}

/** What an intent may carry. */
export interface IntentTarget {
  /** The entry it acts on; defaults to what is playing now for targeted kinds. */
  entry?: string;
  /** Seek position in milliseconds. */
  positionMs?: number;
}

/**
 * Sends an intent to the active player. It carries the entry it targets and the emergency-stop count
 * this device has seen, so the player can apply it only while fresh and on target (VM2, VM6).
 */
export function sendIntent(
  ctx: OpContext,
  draft: LedgerFact,
  kind: IntentKind,
  target: IntentTarget = {},
): Result<string> {
  if (!INTENT_KINDS.includes(kind)) return fail('invalid', `unknown intent ${String(kind)}`);
  if (kind === 'seek' && !(target.positionMs !== undefined && target.positionMs >= 0)) {
    return fail('invalid', 'seek needs a position');
  }
  const id = randomId(ctx.random, 'i');
  const entry = target.entry ?? ctx.view.nowPlaying?.entry;
  draft.intents.push({
    id,
    kind,
    at: ctx.now,
    h: ctx.h,
    stop: ctx.view.emergencyStops,
    ...(entry !== undefined && kind !== 'emergency-stop' && kind !== 'fade-out-stop'
      ? { entry }
      : {}),
    ...(kind === 'seek' ? { pos: Math.round(target.positionMs!) } : {}),
  });
  return ok(id);
}
