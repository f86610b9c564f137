/**
 * Every word the app shows, in one place, ready for translation: screens import `words` and never
 * write user-facing text inline. Functions take what varies; no string is built from pieces
 * elsewhere. Reasons the model or the relay give (kebab-case) are turned into words here too.
 */
import type { PlaylistFileError } from './playlist-files';
import type { ClockDoubt } from '@djamms/venue';

/** "just now", "13 s ago", "4 min ago", "2 h ago". */
function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** "1 track", "6 tracks". */
function trackCount(n: number): string {
  return n === 1 ? '1 track' : `${n} tracks`;
}

/** "6 tracks", or "6 tracks; 1 banned here will not play" (a loaded playlist, VM13). */
function tracksBanned(n: number, banned: number): string {
  return banned ? `${trackCount(n)}; ${banned} banned here will not play` : trackCount(n);
}

export const words = {
  appName: 'DJAMMS',
  ago,
  never: 'never',
  /** A switch's state, shown beside its name (not by colour alone). */
  switchOn: 'On',
  switchOff: 'Off',
  loading: 'Loading…',
  close: 'Close',
  cancel: 'Cancel',
  /** The safe answer to a question before something that cannot be undone (AskFirst). */
  keepIt: 'Keep it',
  confirm: 'Confirm',
  save: 'Save',
  /** Heard, not seen, between a line and a mark shown beside it ("The Lamps, Yours"). */
  markSeparator: ', ',

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
    notPaired: 'This screen is not paired with the venue yet',
    howToPair:
      'On the venue’s admin phone, open Devices and make a pairing code for this screen. Then tap Enter a pairing code below and type it, or open the link the phone shows on this screen.',
    notOpened: 'This venue could not be opened on this screen',
    openAgain:
      'Reload the page. If it happens again, pair this screen again from the admin phone’s Devices tab.',
    reload: 'Reload',
    enterCode: 'Enter a pairing code',
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
    /** Beside a patron's request in the TV's Up next: something that was asked for, not a button. */
    requested: 'Requested',
    scanToRequest: 'Scan to request a song',
    takeOver: 'Take over',
    fullScreen: 'Full screen',
    exitFullScreen: 'Leave full screen',
    micLabel: 'Microphone',
    /** Where the song's title goes while the TV's app loads (its skeleton). */
    opening: 'Opening the venue…',
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
    /** What the queue calls a track the library lacks: removed, or not arrived yet. */
    trackGone: 'A track not in the library',
    title: 'Admin',
    tabs: {
      playing: 'Playing',
      queue: 'Queue',
      music: 'Music',
      log: 'Log',
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
    trackOrders: {
      title: 'Title',
      artist: 'Artist',
      album: 'Album',
      added: 'Recently added',
    } as Record<string, string>,
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
    /** Beside the programme's entry that is playing: the programme goes round, so it stays listed. */
    playingNow: 'Playing now',
    notSynced: 'Not yet synced',
    devices: 'Devices',
    pairDevice: 'Pair a device',
    pairAs: 'Role',
    pairName: 'Device name',
    pairNamePlaceholder: 'Bar TV',
    makeCode: 'Make a pairing code',
    pairingCode: (code: string) => `Pairing code ${code}`,
    pairingFor: (name: string, role: string) => `For ${name}, as ${role}`,
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
    rename: 'Rename',
    renameFor: (name: string) => `Rename ${name}`,
    newNameFor: (name: string) => `New name for ${name}`,
    renamed: (name: string) => `Renamed: ${name}. Its records show it from now on.`,
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

  /** The venue's records: the admin's Log tab, the play history export, staff actions in words. */
  records: {
    activity: 'Activity',
    activityHint: 'What played and what staff changed, newest first.',
    empty: 'Nothing played or changed yet.',
    older: 'Show older',
    noOlder: 'That is everything the relay keeps.',
    unreachable:
      'The relay cannot be reached: showing what was loaded. New activity appears when it is back.',
    played: (title: string, artist: string) => (artist ? `${title} · ${artist}` : title),
    playLine: (seconds: string, how: string) => `Played ${seconds} · ${how}`,
    endings: {
      finished: 'played to the end',
      skipped: 'skipped',
      stopped: 'stopped',
      failed: 'failed to play',
    } as Record<string, string>,
    by: (device: string, role: string) => (device ? `${device} (${role})` : role),
    export: 'Export play history',
    exportHint:
      'A CSV file of every track played between these dates, for licensing reports: title, artist, album, ISRC, start time, seconds played and how it ended. Dates and times are the venue’s, in its time zone.',
    from: 'From',
    to: 'To',
    exporting: (n: number) => `Reading plays… ${n}`,
    exported: (n: number) => (n === 1 ? 'Exported 1 play.' : `Exported ${n} plays.`),
    exportRanges: {
      lastMonth: 'Last month',
      thisMonth: 'This month',
      today: 'Today',
    } as Record<string, string>,
    quickDates: 'Dates in one tap',
    noPlays:
      'No tracks were played between those dates: there is nothing to export. Tonight’s plays are under Today.',
    badRange: 'Choose a From date on or before the To date.',
    exportOffline:
      'The export needs the relay, which cannot be reached. Try again when it is back.',
    exportRefused: (why: string) => `The relay refused the export: ${why}`,
    fileName: (venue: string, from: string, to: string) =>
      `${venue || 'venue'} plays ${from} to ${to}.csv`,
    /** A staff change in words, as the activity log shows it. */
    actions: {
      intent: {
        play: 'Pressed play',
        pause: (title: string) => (title ? `Paused ${title}` : 'Paused'),
        skip: (title: string) => (title ? `Skipped ${title}` : 'Skipped'),
        previous: 'Went back a track',
        seek: (title: string, at: string) =>
          title ? `Moved ${title} to ${at}` : `Moved the track to ${at}`,
        'emergency-stop': 'Emergency stop',
        'fade-out-stop': 'Faded the music out',
      },
      setting: (name: string, value: string) => `Set ${name} to ${value}`,
      on: 'on',
      off: 'off',
      settingNames: {
        name: 'the venue name',
        volume: 'the volume',
        muted: 'mute',
        volumeCap: 'the volume cap',
        crossfadeSeconds: 'the crossfade',
        repeat: 'repeat',
        eq: 'the equaliser',
        compressor: 'the compressor',
        prefetch: 'tracks kept ready',
        explicitAllowed: 'explicit songs',
        requestsPerGuest: 'requests per guest',
        requestsPerKiosk: 'requests per kiosk',
        guestKey: 'the guest link',
        gallery: 'the gallery',
        timeZone: 'the time zone',
      } as Record<string, string>,
      eachDevicesZone: 'each device’s own',
      seconds: (n: number) => (n === 1 ? '1 second' : `${n} seconds`),
      galleryEvery: (every: number, seconds: number) =>
        every === 0 ? 'never' : `one every ${every} s for ${seconds} s`,
      newGuestLink: 'Made a new guest link',
      shuffle: (on: boolean) => (on ? 'Turned shuffle on' : 'Turned shuffle off'),
      add: (title: string) => `Added ${title} to the programme`,
      playNext: (title: string) => `Put ${title} to play next`,
      remove: (title: string) => `Removed ${title} from the queue`,
      move: (title: string) => `Moved ${title} in the queue`,
      clearProgramme: 'Cleared the programme',
      clearLane: 'Cleared the requests',
      loadPlaylist: (n: number, banned: number) => `Loaded a playlist: ${tracksBanned(n, banned)}`,
      ban: (title: string, banned: boolean) =>
        banned ? `Banned ${title}` : `Allowed ${title} again`,
      schedule: 'Changed the schedule',
      revoke: (name: string) => `Removed the device ${name}`,
      restore: (made: string) => `Replaced the venue with the backup made ${made}`,
      addTrack: (title: string) => `Added ${title} to the library`,
      editTrack: (title: string) => `Edited ${title}`,
      removeTrack: (title: string) => `Removed ${title} from the library`,
      playlist: (name: string) => (name ? `Changed the playlist ${name}` : 'Changed a playlist'),
      renamePlaylist: (from: string, to: string) =>
        from ? `Renamed the playlist ${from} to ${to}` : `Renamed a playlist to ${to}`,
      createPlaylist: (name: string) => `Made the playlist ${name}`,
      deletePlaylist: (name: string) =>
        name ? `Deleted the playlist ${name}` : 'Deleted a playlist',
      addToGallery: (caption: string) => `Added ${caption} to the gallery`,
      gallery: 'Changed the gallery',
    },
  },

  /** The admin's library: adding music (picker, drop, progress, outcomes) and editing tracks. */
  library: {
    title: 'Library',
    tracks: trackCount,
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
    titleNeeded: 'A track needs a title: type one, or Cancel.',
    fieldArtist: 'Artist',
    fieldAlbum: 'Album',
    explicit: 'Explicit lyrics',
    banned: 'Never play at this venue',
    explicitMark: 'Explicit',
    bannedMark: 'Banned here',
    save: 'Save',
    cancel: 'Cancel',
    saved: (title: string) => `Saved ${title}`,
    remove: 'Remove from the library',
    confirmRemove: (title: string) =>
      `Remove ${title} from the library? It goes from every venue that shares this library and from every playlist; a venue that has it queued skips it. Its plays stay in the history.`,
    removeYes: 'Remove it',
    removed: (title: string) => `Removed ${title} from the library`,
  },

  /** The admin's gallery: pictures and videos the TV shows during songs (venue SPEC VM37). */
  gallery: {
    title: 'Gallery',
    hint: 'Your logo, offers and announcements: the TV shows them in turn during songs, full screen, with what is playing along the bottom. Never over a music video.',
    choose: 'Add pictures or videos',
    formats: 'JPEG, PNG, GIF, WebP or AVIF pictures; MP4 or WebM videos (shown without sound).',
    empty: 'Nothing in the gallery yet.',
    list: 'Pictures and videos',
    every: 'Show one every',
    seconds: 'Each shows for',
    never: 'Never',
    everyChoice: (s: number) =>
      s < 60 ? `${s} seconds` : s === 60 ? '1 minute' : `${s / 60} minutes`,
    secondsChoice: (s: number) => `${s} seconds`,
    up: (caption: string) => `Move ${caption} up`,
    down: (caption: string) => `Move ${caption} down`,
    remove: (caption: string) => `Remove ${caption}`,
    confirmRemove: (caption: string) =>
      `Take ${caption} out of the gallery? The TV stops showing it; to show it again, add its file again.`,
    removeYes: 'Remove it',
    untitled: (kind: 'image' | 'video') => (kind === 'image' ? 'Picture' : 'Video'),
    uploading: (name: string, percent: number) => `${name}: uploading… ${percent}%`,
    added: (name: string) => `${name}: added`,
    refused: (name: string, why: string) => `${name}: not added, ${why}`,
    notPicture: 'not a picture or a video',
    offline: 'the relay cannot be reached; try again when this phone is online',
  },

  /** The Music tab's playlists (issue 9). */
  playlists: {
    title: 'Playlists',
    list: 'Playlists of this venue',
    none: 'No playlists yet: create one, or import a playlist file.',
    noneHere: 'This venue uses none of the library’s playlists yet.',
    showAll: 'Show all of the library’s playlists',
    newName: 'New playlist name',
    newPlaceholder: 'Friday night',
    create: 'Create playlist',
    created: (name: string) => `Created ${name}`,
    tracks: trackCount,
    starred: 'Starred',
    /** The star button of an open playlist: pressed when it is starred. */
    starToggle: 'Star',
    star: (name: string) => `Star ${name}`,
    notHere: 'Not used here',
    open: 'Open',
    openFor: (name: string) => `Open ${name}`,
    back: 'Back to playlists',
    name: 'Name',
    rename: 'Rename',
    renamed: (name: string) => `Renamed to ${name}`,
    useHere: 'Use at this venue',
    useHereNote: 'Venues that share this library each choose their own playlists.',
    delete: 'Delete',
    deleteFor: (name: string) => `Delete ${name}`,
    confirmDelete: (name: string) => `Delete ${name}? Its tracks stay in the library.`,
    confirmDeleteYes: 'Delete playlist',
    deleted: (name: string) => `Deleted ${name}`,
    load: (n: number) => `Load as programme (${trackCount(n)})`,
    loadNote: (now: number) =>
      now
        ? `Replaces the whole programme (now ${trackCount(now)}) with this playlist. Requests and play next stay.`
        : 'Makes this playlist the programme. Requests and play next stay.',
    loaded: (name: string, n: number, banned: number) =>
      `${name} is the programme now (${tracksBanned(n, banned)})`,
    loadEmpty: 'This playlist has no tracks yet: add some first',
    loadTooLong: 'A programme holds at most 20,000 tracks: split this playlist first',
    items: (name: string) => `Tracks of ${name}`,
    empty: 'No tracks yet: find some below and add them.',
    removeFor: (title: string) => `Remove ${title} from the playlist`,
    removed: (title: string) => `Removed ${title}`,
    addTracks: 'Add tracks',
    addPlaceholder: 'Title, artist or album',
    addResults: 'Tracks to add',
    add: 'Add',
    addFor: (title: string) => `Add ${title}`,
    /** A track the playlist holds already: a second tap would add it twice, so it says so. */
    addAgain: 'Add again',
    addAgainFor: (title: string) => `Add again ${title}`,
    added: (title: string, name: string) => `Added ${title} to ${name}`,
    noResults: 'No tracks match',
    moreResults: 'Show more tracks',
    export: 'Export',
    exportM3u8: 'Export M3U8',
    exportJson: 'Export JSON',
    import: 'Import a playlist file',
    importNote:
      'M3U, M3U8 or DJAMMS JSON. Each line is matched to a track of the library by its file, then by title and artist.',
    importing: 'Reading the playlist file…',
    imported: (name: string, found: number, missed: number) =>
      missed
        ? `Imported ${name}: ${found} ${found === 1 ? 'track' : 'tracks'} found, ${missed} not in the library`
        : `Imported ${name}: all ${found} ${found === 1 ? 'track' : 'tracks'} found`,
    missedTitle: 'Not in the library',
    missedLine: (line: number, said: string) => `Line ${line}: ${said}`,
    noneFound: (file: string) =>
      `Nothing in ${file} is in the library, so no playlist was made. Add the music first, then import the file again.`,
    dismiss: 'Close the report',
    fileRefused: (error: PlaylistFileError, line?: number) => {
      const at = line === undefined ? '' : ` (line ${line})`;
      return `Not imported: ${FILE_ERRORS[error]}${at}. Nothing was changed.`;
    },
    refused: {
      invalid: 'A playlist needs a name of up to 200 characters.',
      'not-found': 'That playlist is gone: someone deleted it.',
      limit: 'Too many moves at one spot: move some tracks elsewhere first.',
      'not-allowed': 'Only admins choose the venue’s playlists.',
      'read-only': 'This screen can only look.',
    } as Record<string, string>,
  },

  /** Schedules (venue SPEC VM32, VM33): the admin's Schedule section and what the TV says. */
  schedule: {
    title: 'Schedule',
    views: 'Show',
    today: 'Today',
    week: 'This week',
    now: 'Now',
    dayNames: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
    dayShort: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
    nothing: 'No slot: nothing switches, so what plays goes on',
    free: 'Nothing scheduled',
    noSlots: 'No slots yet. A slot switches the playlist and the volume by itself at set times.',
    slots: 'Slots',
    add: 'Add a slot',
    edit: 'Edit',
    editFor: (name: string) => `Edit ${name}`,
    remove: 'Remove',
    removeFor: (name: string) => `Remove ${name}`,
    newSlot: 'New slot',
    editing: 'Edit slot',
    days: 'Days',
    starts: 'Starts',
    ends: 'Ends',
    playlist: 'Playlist',
    choosePlaylist: 'Choose a playlist',
    volume: 'Volume',
    /** The form's volume field: the scale is said before a wrong guess (a 7 out of 10) is refused. */
    volumeField: 'Volume (0 to 100)',
    keepVolume: 'Leave as it is',
    save: 'Save slot',
    saved: 'Slot saved',
    confirmRemove: (name: string) =>
      `Remove the slot ${name}? The playlist and volume stop switching then.`,
    removeYes: 'Remove slot',
    removed: (name: string) => `Slot removed: ${name}`,
    alreadyRemoved: 'That slot was already removed.',
    missingPlaylist: 'Deleted playlist',
    line: (playlist: string, volume: number | null) =>
      volume === null ? playlist : `${playlist} · volume ${volume}`,
    range: (from: string, to: string) => `${from}–${to}`,
    /** The end of the day, where a slot or a stretch ends: not "00:00", which reads as its start. */
    midnight: 'midnight',
    allDay: 'All day',
    daysOf: (days: string[]) => (days.length === 7 ? 'Every day' : days.join(', ')),
    noPlaylists: 'Make a playlist first: a slot plays one of the library’s playlists.',
    onlyAdmins: 'Only an admin changes the schedule.',
    noDays: 'Pick at least one day.',
    sameTime: 'A slot cannot start and end at the same time: choose another end.',
    noPlaylist: 'Choose the playlist this slot plays.',
    badVolume: 'The volume is a whole number from 0 to 100, or leave it as it is.',
    notSaved: 'The slot was not saved: check its days, times and playlist.',
    pastMidnight: (end: string) => `Runs past midnight: ends at ${end} the next day.`,
    neverPlays: (days: string | null, inside: string) =>
      `${days ? `On ${days} it will never play` : 'It will never play'}: it lies wholly inside ${inside}, which starts first and plays to its end. Change its times or days.`,
    notShown: (slot: string) =>
      `Not shown above: ${slot}, inside a slot that starts first (see Slots below).`,
    overlaps: (names: string) =>
      `Overlaps ${names}: the slot that starts first plays to its end, then the other takes over.`,
    /** On the TV itself "This player's"; on the admin, where "this" would be the phone, "The player's". */
    clockWrong: (why: string, onPlayer: boolean) =>
      `${onPlayer ? 'This' : 'The'} player's clock is wrong (${why}): the schedule is paused`,
    clockFix: 'Set the date and time on the TV, or connect it to the internet.',
    behindRelay: (span: string) => `${span} behind the relay's time`,
    aheadOfRelay: (span: string) => `${span} ahead of the relay's time`,
    behindVenue: (span: string) => `${span} behind the venue's latest changes`,
    span: (ms: number) => {
      const min = Math.max(1, Math.round(Math.abs(ms) / 60_000));
      if (min < 120) return `${min} min`;
      const h = Math.round(min / 60);
      return h < 48 ? `${h} hours` : `${Math.round(h / 24)} days`;
    },
    timeZone: 'Time zone',
    ownZone: (zone: string) => `Each device’s own (this one: ${zone})`,
    unknownHere: (zone: string) => `${zone} (this device does not know it)`,
    /** A zone's name as people read it: `America/New_York` → `America/New York`. */
    zoneName: (zone: string) => zone.replace(/_/g, ' '),
    zoneHint:
      'The schedule runs in the venue’s time zone, whatever a TV’s own is set to; the log and the play history show its times too.',
    zoneUnknown: (zone: string) =>
      `This device does not know the time zone ${zone}: times show in its own.`,
    playerZoneUnknown: (zone: string) =>
      `This TV does not know the time zone chosen for the venue (${zone}), so the schedule follows the TV’s own. Choose another zone in Music, Schedule on the admin phone, or update the TV.`,
    zoneSet: (zone: string) => `Time zone set: ${zone}`,
    playlistGone: 'The scheduled playlist is not in the library: the music stays as it is.',
    playlistEmpty: 'The scheduled playlist has no tracks: the music stays as it is.',
  },

  kiosk: {
    title: 'Request a song',
    search: 'Search songs',
    searchPlaceholder: 'Song, artist or album',
    request: 'Request',
    /** A request button's name: what it shows ("Request" or "Queued"), then the song. */
    songButton: (shows: string, title: string) => `${shows} ${title}`,
    requested: 'Requested: it is in the queue',
    requestedOffline: 'Requested: it reaches the queue when the venue is back online',
    inQueue: 'Queued',
    /** The heading over the song playing now. */
    playingNow: 'Playing now',
    /** Where that song's Request button would be: one short word, a phone's row has room for. */
    playing: 'Playing',
    paused: 'Paused',
    vote: 'Vote',
    /** Read after "Vote" by screen readers: which song the vote is for. */
    voteFor: (title: string) => `for ${title}`,
    voted: 'Voted',
    queue: 'Up next',
    emptyQueue: 'No requests yet: be the first',
    yours: 'Yours',
    results: (n: number) => (n === 1 ? '1 song' : `${n} songs`),
    noResults: 'No songs match',
    more: 'Show more songs',
    sending: 'Sending…',
    sent: 'Sent: waiting for the player to take it',
    savedOffline: 'Saved: it will be sent when the network is back',
    offline: 'The venue is offline: requests are sent when it is back',
    noGuestLink: 'This guest link no longer works: scan the code at the venue again.',
  },

  /** The home page: the venues on this device, pairing it, making a venue, the relay's address. */
  home: {
    title: 'DJAMMS · venue jukebox',
    lede: 'The venue jukebox that keeps playing when the internet does not.',
    venuesHere: 'Venues on this device',
    pairTitle: 'Pair this device',
    pairingCode: 'Pairing code',
    pair: 'Pair',
    createTitle: 'Create a venue',
    venueName: 'Venue name',
    operatorKey: 'Relay operator key',
    create: 'Create',
    relayTitle: 'Relay',
    relayUrl: 'Relay URL',
    wrongOperatorKey:
      'The relay did not accept that operator key. Copy it whole from the relay’s operator-key file (its path is printed when the relay starts).',
    relayUnreachable: 'The relay cannot be reached: check its address and that it is running.',
  },

  /** Opening a pairing link or typing its code (README "pairing a device"). */
  pair: {
    pairing: 'Pairing this device…',
    failed: 'This device was not paired',
    wrongCode:
      'That code is wrong, used already or expired: a code works once, for 10 minutes. Ask for a new one on the admin’s Devices tab.',
    tooMany: 'Too many tries from this network. Wait a minute, then try the code again.',
    refused: (why: string) => `The relay refused: ${why}`,
    /** Back to the home page's code field, holding the code that failed, to correct it. */
    tryAnother: 'Correct the code or type another',
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
      `Restoring replaces everything in “${name}” with the backup from ${made}: the programme, the requests waiting, the playlists, settings, bans and schedules. Playlists deleted since come back, edited ones are as they were, and ones made since are put aside. Whatever any device changed since is lost, even on a device that is offline right now. What plays now goes on, and requests already played do not come back. Songs in the backup come back to the library; songs added since stay in it.`,
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
  },

  /** Refusals of requests and votes, by the model's reason (venue SPEC VM11). */
  refusals: {
    duplicate: 'That song is already playing or requested.',
    limit: 'You have as many requests waiting as the venue allows: try again once one has played.',
    banned: 'That song is not played here.',
    explicit: 'Explicit songs are not allowed here.',
    'own-request': 'That is your own request: it already counts as your wish.',
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

/** Why a playlist file was not imported (`lib/playlist-files.ts`), in words. */
const FILE_ERRORS: Record<PlaylistFileError, string> = {
  'too-large': 'the file is larger than 5 MB, too big for a playlist',
  'not-text': 'this is not a playlist: it holds bytes that are not text',
  media: 'this looks like an audio or video file, not a playlist',
  'utf-16': 'this playlist is UTF-16 text: save it as UTF-8 (M3U8) and import it again',
  'not-utf8': 'an M3U8 or JSON playlist must be UTF-8 text, and this one is not',
  empty: 'the file lists no tracks',
  'too-many': 'the file lists more than 20,000 tracks',
  'line-too-long': 'a line is longer than any file path',
  'bad-extinf': 'an #EXTINF line needs the length in seconds, a comma, then the title',
  'bad-json': 'the JSON is broken (cut short, or a comma or bracket out of place)',
  'not-djamms': 'this JSON is not a DJAMMS playlist',
  'newer-version': 'it was made by a newer DJAMMS: update this app first',
  'bad-entry': 'a track needs a title, a file or a media URL, all as text',
};

/** Why a player's clock pauses the schedule, in words (VM33): on the TV itself, or on the admin. */
export function clockDoubtWords(doubt: ClockDoubt, onPlayer: boolean): string {
  const w = words.schedule;
  const span = w.span(doubt.ms);
  const why =
    doubt.why === 'venue'
      ? w.behindVenue(span)
      : doubt.ms > 0
        ? w.behindRelay(span)
        : w.aheadOfRelay(span);
  return w.clockWrong(why, onPlayer);
}

/** A refusal in plain words. */
export function refusal(reason: string | undefined): string {
  return words.refusals[reason ?? ''] ?? words.refusedOther;
}
