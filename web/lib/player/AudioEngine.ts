/**
 * The player's sound (issue 8, DESIGN §5): two decks so that one track can fade into the next, then
 * one chain for the venue: five-band EQ, an optional compressor, the music bus (which a live
 * microphone ducks), and the master gain (volume within the cap, zero when muted). Each deck is a
 * <video> element (it plays audio files too, and shows video tracks full screen) fed into the Web
 * Audio graph. Stops are made here: a fade-out stop ramps the music to silence over a few seconds
 * and pauses; an emergency stop silences at once.
 */

/** The five EQ bands (Hz), as the venue settings name them. */
export const EQ_BANDS = [60, 230, 910, 3_600, 14_000] as const;

/** A fade-out stop takes this long to silence. */
export const FADE_OUT_SECONDS = 4;

/** How far the music drops while the microphone is live. */
const DUCKED = 0.25;
/** A quick ramp to avoid clicks when a gain jumps. */
const SMOOTH = 0.03;

/** What the engine tells the player. */
export interface AudioEvents {
  /** The current deck's media ended. */
  ended(): void;
  /** The current deck's media failed (decode error, missing file). */
  failed(reason: string): void;
  /** The position moved (about four times a second): position and length in seconds. */
  time(seconds: number, duration: number): void;
  /** The current deck stalled for data. */
  waiting(): void;
  /** The current deck plays (again). */
  playing(): void;
}

/** One deck: a media element and its gain. */
class Deck {
  readonly gain: GainNode;

  constructor(
    readonly media: HTMLVideoElement,
    ctx: AudioContext,
    out: AudioNode,
  ) {
    ctx.createMediaElementSource(media).connect((this.gain = ctx.createGain()));
    this.gain.gain.value = 0;
    this.gain.connect(out);
  }
}

export class AudioEngine {
  readonly ctx: AudioContext;
  private readonly decks: [Deck, Deck];
  private current = 0;
  private readonly eq: BiquadFilterNode[];
  private readonly compressor: DynamicsCompressorNode;
  private readonly music: GainNode;
  private readonly master: GainNode;
  private readonly micGain: GainNode;
  private mic: { stream: MediaStream; source: MediaStreamAudioSourceNode } | null = null;
  private compressed = false;
  private fadeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    media: [HTMLVideoElement, HTMLVideoElement],
    private readonly events: AudioEvents,
  ) {
    const ctx = (this.ctx = new AudioContext({ latencyHint: 'playback' }));
    this.master = ctx.createGain();
    this.master.connect(ctx.destination);
    this.music = ctx.createGain();
    this.micGain = ctx.createGain();
    this.micGain.gain.value = 0;
    this.micGain.connect(this.master);
    this.compressor = ctx.createDynamicsCompressor();
    this.compressor.connect(this.music);
    this.eq = EQ_BANDS.map((frequency, i) => {
      const f = ctx.createBiquadFilter();
      f.type = i === 0 ? 'lowshelf' : i === EQ_BANDS.length - 1 ? 'highshelf' : 'peaking';
      f.frequency.value = frequency;
      return f;
    });
    this.eq.slice(1).forEach((band, i) => this.eq[i]!.connect(band));
    this.route();
    this.music.connect(this.master);
    this.decks = [new Deck(media[0], ctx, this.eq[0]!), new Deck(media[1], ctx, this.eq[0]!)];
    for (const [i, deck] of this.decks.entries()) {
      deck.media.addEventListener('ended', () => i === this.current && this.events.ended());
      deck.media.addEventListener('error', () => {
        if (i === this.current) this.events.failed(mediaError(deck.media));
      });
      deck.media.addEventListener('timeupdate', () => {
        if (i === this.current) this.events.time(deck.media.currentTime, deck.media.duration);
      });
      deck.media.addEventListener('waiting', () => i === this.current && this.events.waiting());
      deck.media.addEventListener('playing', () => i === this.current && this.events.playing());
    }
  }

  /** The deck playing now. */
  get media(): HTMLVideoElement {
    return this.decks[this.current]!.media;
  }

  /** Which deck plays now (0 or 1). */
  get deck(): number {
    return this.current;
  }

  /** Position of the current deck, in seconds. */
  position(): number {
    return this.media.currentTime;
  }

  get paused(): boolean {
    return this.media.paused;
  }

  /** The gains of both decks, the music bus and the master (read by tests and diagnostics). */
  gains(): { decks: [number, number]; music: number; master: number } {
    return {
      decks: [this.decks[0].gain.gain.value, this.decks[1].gain.gain.value],
      music: this.music.gain.value,
      master: this.master.gain.value,
    };
  }

  /** Starts sound in this browser (call from a tap or key press). */
  async unlock() {
    await this.ctx.resume();
  }

  /**
   * Tries to start sound without a tap; true when the browser allows it (a kiosk-mode TV, an
   * installed app the user plays often). Never waits more than a moment.
   */
  async tryUnlock(): Promise<boolean> {
    await Promise.race([this.ctx.resume(), new Promise((r) => setTimeout(r, 300))]);
    return this.ctx.state === 'running';
  }

  /**
   * Plays `src` from `at` seconds on the free deck, fading it in over `fade` seconds while the
   * deck that was playing fades out (no fade: a cut). Resolves when playback has started.
   */
  async start(src: string, at: number, fade: number) {
    this.cancelStop();
    const now = this.ctx.currentTime;
    const previous = this.decks[this.current]!;
    this.current = 1 - this.current;
    const next = this.decks[this.current]!;
    next.media.src = src;
    next.media.currentTime = at;
    this.music.gain.cancelScheduledValues(now);
    this.music.gain.setTargetAtTime(this.ducking ? DUCKED : 1, now, SMOOTH);
    const length = previous.media.paused ? 0 : fade;
    ramp(next.gain.gain, now, 1, length);
    ramp(previous.gain.gain, now, 0, length);
    const old = previous.media;
    setTimeout(() => old !== this.media && old.pause(), length * 1000 + 100);
    await next.media.play();
  }

  /** Pauses (resume with {@link resume}). */
  pause() {
    this.media.pause();
  }

  async resume() {
    this.cancelStop();
    const now = this.ctx.currentTime;
    this.music.gain.cancelScheduledValues(now);
    this.music.gain.setTargetAtTime(this.ducking ? DUCKED : 1, now, SMOOTH);
    ramp(this.decks[this.current]!.gain.gain, now, 1, 0);
    await this.media.play();
  }

  seek(seconds: number) {
    this.media.currentTime = seconds;
  }

  /** Ramps the music to silence over `seconds`, then pauses both decks (a fade-out stop). */
  fadeOut(seconds: number) {
    this.cancelStop();
    const now = this.ctx.currentTime;
    this.music.gain.cancelScheduledValues(now);
    this.music.gain.setValueAtTime(this.music.gain.value, now);
    this.music.gain.linearRampToValueAtTime(0, now + seconds);
    this.fadeTimer = setTimeout(() => this.silence(), seconds * 1000);
  }

  /** Silence at once, whatever else is going on (an emergency stop). */
  emergencyStop() {
    this.cancelStop();
    const now = this.ctx.currentTime;
    this.music.gain.cancelScheduledValues(now);
    this.music.gain.setValueAtTime(0, now);
    this.silence();
  }

  private silence() {
    for (const deck of this.decks) deck.media.pause();
  }

  private cancelStop() {
    if (this.fadeTimer) clearTimeout(this.fadeTimer);
    this.fadeTimer = null;
  }

  /** The venue's volume as played (0–100, the cap and mute already applied, SPEC VM6). */
  setVolume(volume: number) {
    // A perceptual curve: half the slider is about a quarter of the power.
    const gain = Math.max(0, Math.min(1, volume / 100)) ** 2;
    this.master.gain.setTargetAtTime(gain, this.ctx.currentTime, SMOOTH);
  }

  /** The five EQ bands, in dB. */
  setEq(bands: readonly number[]) {
    this.eq.forEach((f, i) => f.gain.setTargetAtTime(bands[i] ?? 0, this.ctx.currentTime, SMOOTH));
  }

  setCompressor(on: boolean) {
    if (on === this.compressed) return;
    this.compressed = on;
    this.route();
  }

  /** EQ → compressor → music, or EQ → music when the compressor is off. */
  private route() {
    const last = this.eq.at(-1)!;
    last.disconnect();
    last.connect(this.compressed ? this.compressor : this.music);
  }

  private get ducking() {
    return this.mic !== null;
  }

  /** Puts the microphone on the speakers at `level` (0–1), ducking the music while it is live. */
  async micOn(level = 1) {
    if (!this.mic) {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true },
      });
      const source = this.ctx.createMediaStreamSource(stream);
      source.connect(this.micGain);
      this.mic = { stream, source };
    }
    const now = this.ctx.currentTime;
    this.micGain.gain.setTargetAtTime(level, now, SMOOTH);
    this.music.gain.setTargetAtTime(DUCKED, now, 0.15);
  }

  micOff() {
    if (!this.mic) return;
    const now = this.ctx.currentTime;
    this.micGain.gain.setTargetAtTime(0, now, SMOOTH);
    this.music.gain.setTargetAtTime(1, now, 0.3);
    this.mic.source.disconnect();
    for (const track of this.mic.stream.getTracks()) track.stop();
    this.mic = null;
  }

  get micLive(): boolean {
    return this.mic !== null;
  }

  destroy() {
    this.cancelStop();
    this.micOff();
    this.silence();
    void this.ctx.close();
  }
}

/** Moves a gain to `value` over `seconds` (at once when 0). */
function ramp(param: AudioParam, now: number, value: number, seconds: number) {
  param.cancelScheduledValues(now);
  param.setValueAtTime(param.value, now);
  if (seconds > 0) param.linearRampToValueAtTime(value, now + seconds);
  else param.setTargetAtTime(value, now, SMOOTH);
}

/** Why a media element failed, in words an admin can act on. */
function mediaError(media: HTMLMediaElement): string {
  switch (media.error?.code) {
    case MediaError.MEDIA_ERR_DECODE:
      return 'the file could not be decoded';
    case MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED:
      return 'this format does not play on this device';
    case MediaError.MEDIA_ERR_NETWORK:
      return 'the file could not be read';
    default:
      return 'playback failed';
  }
}
