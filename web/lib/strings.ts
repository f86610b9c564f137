/**
 * Every word the app shows, in one place, ready for translation: screens import `words` and never
 * write user-facing text inline. Functions take what varies; no string is built from pieces
 * elsewhere. Reasons the model or the relay give (kebab-case) are turned into words here too.
 */

/** "3 s ago", "4 min ago", "2 h ago". */
function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export const words = {
  appName: 'DJAMMS',
  ago,
  never: 'never',
  loading: 'Loading…',
  close: 'Close',
  cancel: 'Cancel',
  confirm: 'Confirm',
  save: 'Save',

  sync: {
    phase: {
      'saved-relay': 'Saved to relay',
      'saved-device': 'Saved on this device',
      syncing: 'Syncing…',
      offline: 'Offline',
      error: 'Sync error',
    } as Record<string, string>,
    pending: (n: number) => (n === 1 ? '1 change not yet synced' : `${n} changes not yet synced`),
    lastSynced: (when: string) => `Last synced ${when}`,
    overHttp: 'Over HTTP (WebSockets blocked)',
    clockWrong: (minutes: number) =>
      `This device's clock is wrong by ${minutes} min: the venue uses the relay's time`,
    readOnly: 'This device can watch, not change',
    syncNow: 'Sync now',
    diagnostics: 'Diagnostics',
    notSynced: 'Not yet synced',
    reasons: {
      unauthorized: 'This device is no longer paired: pair it again',
      revoked: 'An admin removed this device from the venue',
      forbidden: 'This device may not change the venue',
      'venue-gone': 'The venue no longer exists on the relay',
      'bad-request': 'The relay refused a change from this device',
      'too-big': 'A change was too big for the relay',
      'not-paired': 'This device is not paired with the venue',
    } as Record<string, string>,
  },

  player: {
    start: 'Start the music',
    startHint: 'Press OK on the remote or tap to start',
    nowPlaying: 'Now playing',
    nothing: 'Nothing is playing',
    nothingHint: 'Add music from the admin screen',
    stopped: 'Stopped by staff',
    fadedOut: 'Faded out by staff',
    paused: 'Paused',
    buffering: 'Loading the track…',
    upNext: 'Up next',
    upNextEmpty: 'Nothing queued yet',
    requested: 'Request',
    scanToRequest: 'Scan to request a song',
    takeOver: 'Take over',
    fullScreen: 'Full screen',
    exitFullScreen: 'Leave full screen',
    micOn: 'Microphone on',
    micOff: 'Microphone off',
    micLabel: 'Microphone',
    standbyLoading: 'Waiting for the venue to arrive from the relay…',
    standbyOther: (name: string) => `Standing by: ${name || 'another player'} is playing.`,
    standbyGone: (name: string, when: string) =>
      `Standing by: ${name || 'another player'} was last seen ${when}. This player takes over by itself.`,
    standbyHint: 'This player takes over by itself if that one stops.',
    revoked: 'This player was removed from the venue by an admin.',
    downloading: (percent: number | null) =>
      percent === null ? 'Downloading the track…' : `Downloading the track… ${percent}%`,
    waitingLibrary: 'Waiting for the track to arrive in the library…',
    couldNotPlay: (why: string) => `Could not play: ${why}`,
    progress: 'Track progress',
  },

  admin: {
    title: 'Admin',
    tabs: {
      playing: 'Playing',
      queue: 'Queue',
      music: 'Music',
      devices: 'Devices',
      settings: 'Settings',
    },
    nowPlaying: 'Now playing',
    nothing: 'Nothing is playing',
    requestedBy: (who: string) => `Requested by ${who}`,
    play: 'Play',
    pause: 'Pause',
    skip: 'Skip',
    previous: 'Previous',
    seek: 'Position',
    volume: 'Volume',
    mute: 'Mute',
    volumeCap: 'Volume cap',
    capNote: (cap: number) => `Capped at ${cap}`,
    crossfade: 'Crossfade',
    seconds: (n: number) => `${n} s`,
    shuffle: 'Shuffle',
    repeat: 'Repeat',
    repeatModes: { none: 'Off', one: 'This track', all: 'The programme' } as Record<string, string>,
    eq: 'Equaliser',
    eqBand: (hz: number) => (hz >= 1000 ? `${hz / 1000} kHz` : `${hz} Hz`),
    compressor: 'Compressor',
    emergencyStop: 'Emergency stop',
    fadeOut: 'Fade out',
    confirmEmergency: 'Stop all music now?',
    confirmFadeOut: 'Fade the music out and stop?',
    stopsNow: 'Stop now',
    fadesNow: 'Fade out now',
    commands: 'Commands',
    noCommands: 'No commands yet',
    fate: {
      pending: 'Sending to the player…',
      applied: 'Done',
      expired: 'Not done: the player was offline',
      rejected: (why: string) => `Not done: ${why}`,
    },
    intentNames: {
      play: 'Play',
      pause: 'Pause',
      skip: 'Skip',
      previous: 'Previous',
      seek: 'Seek',
      'emergency-stop': 'Emergency stop',
      'fade-out-stop': 'Fade out',
    } as Record<string, string>,
    intentWhy: {
      'target-changed': 'the track had already changed',
      'not-playing': 'nothing was playing',
      'emergency-stop': 'an emergency stop came first',
      'nothing-queued': 'nothing is queued',
    } as Record<string, string>,
    player: 'Player',
    playerOnline: (name: string) => `${name || 'Player'} is online`,
    playerLastSeen: (name: string, when: string) => `${name || 'Player'} last seen ${when}`,
    noPlayer: 'No player has started yet: open the player screen on the TV',
    playerGone: (name: string, when: string) =>
      `Player disconnected: ${name || 'the player'} was last seen ${when}. Commands wait until it is back.`,
    failures: 'Tracks that failed',
    failed: (title: string, why: string) => `${title}: ${why}`,
    queue: 'Queue',
    lane: 'Requests and play next',
    programme: 'Programme',
    emptyLane: 'No requests',
    emptyProgramme: 'The programme is empty: add tracks from the library',
    searchLibrary: 'Search the library',
    searchPlaceholder: 'Title, artist or album',
    noResults: 'No tracks match',
    searchResults: 'Tracks found',
    moreTracks: 'Show more tracks',
    byline: (artist: string, album: string) => [artist, album].filter(Boolean).join(' · '),
    sortBy: 'Sort by',
    trackOrders: { title: 'Title', artist: 'Artist', album: 'Album' } as Record<string, string>,
    hideExplicit: 'Hide explicit',
    explicit: 'Explicit',
    addToProgramme: 'Add',
    addToProgrammeFor: (title: string) => `Add ${title} to the programme`,
    playNext: 'Play next',
    // Starts with the button's visible words, as speech input users say them (WCAG 2.5.3).
    playNextFor: (title: string) => `Play next: ${title}`,
    preview: 'Preview',
    previewFor: (title: string) => `Preview ${title} on this phone`,
    stopPreview: 'Stop preview',
    remove: 'Remove',
    removeFor: (title: string) => `Remove ${title}`,
    more: (n: number) => `Show ${n} more`,
    moveUp: 'Move up',
    moveDown: 'Move down',
    moveUpFor: (title: string) => `Move ${title} up`,
    moveDownFor: (title: string) => `Move ${title} down`,
    dragHandle: (title: string) => `Reorder ${title}: drag, or press space then the arrow keys`,
    grabbed: (title: string, position: number, total: number) =>
      `${title} picked up, position ${position} of ${total}. Arrow keys move it, space drops it, Escape cancels.`,
    movedTo: (title: string, position: number, total: number) =>
      `${title}, position ${position} of ${total}`,
    dropped: (title: string, position: number) => `${title} dropped at position ${position}`,
    undo: 'Undo',
    redo: 'Redo',
    undone: (what: string) => `Undone: ${what}`,
    redone: (what: string) => `Redone: ${what}`,
    nothingToUndo: 'Nothing to undo',
    edits: {
      add: (title: string) => `added ${title}`,
      playNext: (title: string) => `${title} to play next`,
      remove: (title: string) => `removed ${title}`,
      move: (title: string) => `moved ${title}`,
    },
    votes: (n: number) => (n === 1 ? '1 vote' : `${n} votes`),
    byKiosk: 'Kiosk',
    byGuest: 'Guest',
    byStaff: 'Staff',
    notSynced: 'Not yet synced',
    devices: 'Devices',
    pairDevice: 'Pair a device',
    pairAs: 'Role',
    pairName: 'Device name',
    pairNamePlaceholder: 'Bar TV',
    makeCode: 'Make a pairing code',
    pairingCode: (code: string) => `Pairing code ${code}`,
    pairingHint:
      'Open this link on the device, or scan the code, or type the code on its home page.',
    pairingExpires: (when: string) => `Expires at ${when}`,
    roles: {
      admin: 'Admin: everything',
      staff: 'Staff: transport, queue and requests',
      player: 'Player: the TV that plays the music',
      kiosk: 'Kiosk: a shared screen for requests',
      viewer: 'Viewer: watches only',
    } as Record<string, string>,
    roleNames: {
      admin: 'Admin',
      staff: 'Staff',
      player: 'Player',
      kiosk: 'Kiosk',
      viewer: 'Viewer',
      guest: 'Guest',
    } as Record<string, string>,
    deviceLine: (role: string, when: string) => `${role}, last seen ${when}`,
    thisDevice: 'This device',
    revoke: 'Revoke',
    revokeFor: (name: string) => `Revoke ${name}`,
    confirmRevoke: (name: string) => `Remove ${name} from the venue? It stops working at once.`,
    revoked: 'Revoked',
    devicesAdminOnly: 'Only an admin can see and pair devices.',
    guestLink: 'Guest link',
    guestLinkHint: 'Print this code for tables: guests scan it to request songs from their phones.',
    noGuestLink: 'No guest link yet.',
    makeGuestLink: 'Make a guest link',
    rotateGuestLink: 'Make a new guest link',
    confirmRotate: 'Make a new guest link? Printed codes stop working.',
    copyLink: 'Copy link',
    copied: 'Copied',
    musicAdminOnly: 'Only an admin adds music and edits tracks.',
    guestRules: 'Guest rules',
    requestsPerGuest: 'Requests waiting per guest',
    requestsPerKiosk: 'Requests waiting per kiosk',
    explicitAllowed: 'Allow explicit songs',
    adminOnly: 'Only an admin can change these.',
    preferences: 'This device',
    theme: 'Theme',
    themes: { auto: 'Like the device', dark: 'Dark', light: 'Light' } as Record<string, string>,
    timeFormat: 'Time format',
    timeFormats: { '24h': '24-hour', '12h': '12-hour' } as Record<string, string>,
    updateReady: 'A new version is ready.',
    updateNow: 'Update now',
    problems: (n: number) =>
      n === 1
        ? '1 thing in the venue could not be read: see Diagnostics'
        : `${n} things in the venue could not be read: see Diagnostics`,
  },

  /** The admin's library: adding music (picker, drop, progress, outcomes) and editing tracks. */
  library: {
    title: 'Library',
    tracks: (n: number) => (n === 1 ? '1 track' : `${n} tracks`),
    choose: 'Add music files',
    dropHere: 'or drop music and video files (or folders) here',
    dropNow: 'Drop to add to the library',
    formats:
      'Title, artist, album, track number, ISRC and cover come from the files’ tags. In Chrome, Edge and Android TV: MP3, AAC/M4A, Ogg/Opus, FLAC, WAV; video in MP4 or WebM.',
    uploads: 'Files being added',
    state: {
      waiting: 'Waiting its turn',
      reading: 'Reading the file…',
      uploading: (percent: number) => `Uploading… ${percent}%`,
      offline: 'Waiting for the network',
      added: 'Added',
      already: 'Already in the library',
    },
    refused: {
      unsupported: 'Not added: not an audio or video file',
      unreadable: 'Not added: the file is damaged or cannot be played',
      'too-large': 'Not added: larger than the relay accepts',
      'not-allowed': 'Not added: this device may no longer add music',
      failed: 'Not added: something went wrong, try again',
    } as Record<string, string>,
    progressFor: (name: string) => `Upload of ${name}`,
    byLine: (artist: string, album: string) => [artist, album].filter(Boolean).join(' · '),
    offlineNote: (n: number) =>
      n === 1
        ? '1 file waits for the network. It is kept on this device and uploads by itself when the relay is back, even after this page is closed.'
        : `${n} files wait for the network. They are kept on this device and upload by themselves when the relay is back, even after this page is closed.`,
    resumed: 'From your last visit',
    summary: (added: number, already: number, refused: number) =>
      [
        added && `${added} added`,
        already && `${already} already in the library`,
        refused && `${refused} not added`,
      ]
        .filter(Boolean)
        .join(' · '),
    clearFinished: 'Clear finished',
    skipped: (n: number) =>
      n === 1
        ? '1 file in the folder is not music or video: skipped'
        : `${n} files in the folder are not music or video: skipped`,
    list: 'Tracks in the library',
    find: 'Find a track',
    findPlaceholder: 'Title, artist or album',
    noTracks: 'No tracks yet: add music files above',
    noMatch: 'No tracks match',
    more: 'Show more tracks',
    edit: 'Edit',
    editFor: (title: string) => `Edit ${title}`,
    editTitle: (title: string) => `Edit ${title}`,
    fieldTitle: 'Title',
    fieldArtist: 'Artist',
    fieldAlbum: 'Album',
    explicit: 'Explicit lyrics',
    banned: 'Never play at this venue',
    explicitMark: 'Explicit',
    bannedMark: 'Banned here',
    save: 'Save',
    cancel: 'Cancel',
    saved: (title: string) => `Saved ${title}`,
  },

  kiosk: {
    title: 'Request a song',
    search: 'Search songs',
    searchPlaceholder: 'Song, artist or album',
    request: 'Request',
    requested: 'Requested: it is in the queue',
    requestedOffline: 'Requested: it reaches the queue when the venue is back online',
    inQueue: 'Queued',
    vote: 'Vote',
    /** Read after "Vote" by screen readers: which song the vote is for. */
    voteFor: (title: string) => `for ${title}`,
    voted: 'Voted',
    queue: 'Up next',
    emptyQueue: 'No requests yet: be the first',
    yours: 'Yours',
    results: (n: number) => (n === 1 ? '1 song' : `${n} songs`),
    noResults: 'No songs match',
    sending: 'Sending…',
    sent: 'Sent: waiting for the player to take it',
    savedOffline: 'Saved: it will be sent when the network is back',
    offline: 'The venue is offline: requests are sent when it is back',
    noGuestLink: 'This guest link no longer works: scan the code at the venue again.',
  },

  diagnostics: {
    title: 'Diagnostics',
    skipped: 'Skipped facts',
    noneSkipped: 'Nothing was skipped: every fact in the venue reads cleanly.',
    device: 'Device',
    fact: 'Fact',
    why: 'Why',
  },

  /** Backing up a venue and restoring it (web/README "Backups", venue SPEC VM36). */
  backup: {
    title: 'Backup',
    explain:
      'A backup file holds this venue: its programme, requests waiting, playlists, library, settings and schedules. The music files stay on the relay.',
    backUp: 'Back up this venue',
    backedUp: (file: string) => `Saved ${file} to this device’s downloads.`,
    restoreFile: 'Restore from a backup file',
    restoreNewTitle: 'Restore a venue from a backup',
    restoreNewExplain:
      'Makes a new venue on the relay from a backup file, with the same name, programme, playlists, library and settings.',
    backupFile: 'Backup file',
    operatorKey: 'The relay’s operator key',
    restore: 'Restore',
    restoring: 'Restoring…',
    restoredNew: (name: string) => `Restored “${name}”.`,
    openVenue: (name: string) => `Open ${name}`,
    missingMedia: (n: number) =>
      n === 1
        ? '1 song’s file is not on this relay: add it again in the Music tab.'
        : `${n} songs’ files are not on this relay: add them again in the Music tab.`,
    /** The warning before a backup replaces this venue. */
    replaceWarning: (name: string, made: string) =>
      `Restoring replaces everything in “${name}” with the backup from ${made}: the programme, the requests waiting, settings, bans and schedules. Whatever any device changed since is lost, even on a device that is offline right now. Songs in the backup come back to the library; songs added since stay.`,
    confirmLabel: (name: string) => `Type the venue name, ${name}, to confirm`,
    replace: 'Replace this venue with the backup',
    cancel: 'Cancel',
    restored: (made: string) => `Restored the backup from ${made}.`,
    otherVenue: (name: string) =>
      `That backup is of another venue, “${name}”: restore it as a new venue from the home page.`,
    problems: {
      'not-a-backup':
        'That file is not a DJAMMS venue backup. Choose a file ending in .djamms-backup.',
      damaged:
        'That backup file is damaged or incomplete: nothing was changed. Try another copy of it.',
      newer:
        'That backup was made by a newer DJAMMS: nothing was changed. Update this app, then try again.',
      unreadable: 'That file could not be read: nothing was changed.',
    } as Record<string, string>,
    /** When a backup was made, as screens show it. */
    made: (t: number) =>
      new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(t),
  },

  /** Refusals of requests and votes, by the model's reason (venue SPEC VM11). */
  refusals: {
    duplicate: 'That song is already playing or requested.',
    limit: 'You have as many requests waiting as the venue allows: try again once one has played.',
    banned: 'That song is not played here.',
    explicit: 'Explicit songs are not allowed here.',
    'not-found': 'That request has already played or gone.',
    invalid: 'That request could not be read.',
    'read-only': 'This screen can only show the queue.',
    'not-allowed': 'This screen cannot make requests.',
    'not-loaded': 'The venue is still loading: try again in a moment.',
    revoked: 'This screen was removed from the venue: ask staff to pair it again.',
    offline: 'The venue is offline: try again in a moment.',
    'unknown-track': 'That song is not in the venue’s library.',
    'guest-rate-limited': 'Lots of requests right now: try again in a minute.',
    'rate-limited': 'Lots of requests right now: try again in a minute.',
  } as Record<string, string>,
  refusedOther: 'That did not go through: try again.',
} as const;

/** A refusal in plain words. */
export function refusal(reason: string | undefined): string {
  return words.refusals[reason ?? ''] ?? words.refusedOther;
}
