/** What the model needs from the outside world, passed in so every rule is deterministic in tests. */
export interface VenuePorts {
  /** Wall-clock milliseconds, corrected from the relay's time when the shell knows it (VM25). */
  now(): number;
  /** A float in [0, 1). */
  random(): number;
  /**
   * How far the device's own clock was found to be from the relay's when last measured (ms, added to
   * the raw clock to correct it), or null while it has never been measured. Facts this device stamped
   * while its clock was wrong are re-dated by it, and a clock never corrected judges nothing by time
   * that could drop another device's facts (VM24, VM25). Absent: the clock is trusted as it is.
   */
  correction?(): number | null;
}
