/** Counters and gauges the relay exports at `GET /metrics` (Prometheus text format). */
export class Metrics {
  roomsOpen = 0;
  connections = 0;
  updatesStored = 0;
  bytesStored = 0;
  updatesForwarded = 0;
  bytesSent = 0;
  bytesReceived = 0;
  resyncs = 0;
  heldBack = 0;
  rejectedMessages = 0;
  refusedConnections = 0;
  compactions = 0;
  fsyncs = 0;
  fsyncSecondsTotal = 0;
  fsyncSecondsMax = 0;
  httpRequests = 0;
  rateLimited = 0;

  /** Records one durable append. */
  observeFsync(seconds: number): void {
    this.fsyncs++;
    this.fsyncSecondsTotal += seconds;
    if (seconds > this.fsyncSecondsMax) this.fsyncSecondsMax = seconds;
  }

  /** Largest loaded room: merged state bytes, log bytes and log frames (set at scrape time). */
  largestRoom = { mergedBytes: 0, logBytes: 0, frames: 0 };

  /** Renders every metric as Prometheus text. */
  render(): string {
    const lines: string[] = [];
    const put = (name: string, type: 'counter' | 'gauge', help: string, value: number): void => {
      lines.push(`# HELP djamms_${name} ${help}`, `# TYPE djamms_${name} ${type}`);
      lines.push(`djamms_${name} ${value}`);
    };
    put('rooms_open', 'gauge', 'Rooms loaded in memory.', this.roomsOpen);
    put('connections', 'gauge', 'Open sync sockets.', this.connections);
    put('updates_stored_total', 'counter', 'Updates durably appended.', this.updatesStored);
    put('bytes_stored_total', 'counter', 'Update bytes durably appended.', this.bytesStored);
    put(
      'updates_forwarded_total',
      'counter',
      'Update deliveries to sockets.',
      this.updatesForwarded,
    );
    put('bytes_sent_total', 'counter', 'Bytes sent on sync sockets.', this.bytesSent);
    put('bytes_received_total', 'counter', 'Bytes received on sync sockets.', this.bytesReceived);
    put('resyncs_total', 'counter', 'Slow sockets resynced after draining.', this.resyncs);
    put(
      'sockets_held_back',
      'gauge',
      'Sockets over their high watermark, waiting to drain.',
      this.heldBack,
    );
    put(
      'rejected_messages_total',
      'counter',
      'Malformed or refused messages.',
      this.rejectedMessages,
    );
    put(
      'refused_connections_total',
      'counter',
      'Sockets closed at admission.',
      this.refusedConnections,
    );
    put('compactions_total', 'counter', 'Room logs compacted.', this.compactions);
    put('fsync_total', 'counter', 'Group commits (append + fsync).', this.fsyncs);
    put('fsync_seconds_total', 'counter', 'Time spent in group commits.', this.fsyncSecondsTotal);
    put('fsync_seconds_max', 'gauge', 'Slowest group commit so far.', this.fsyncSecondsMax);
    put('http_requests_total', 'counter', 'HTTP requests served.', this.httpRequests);
    put(
      'rate_limited_total',
      'counter',
      'Requests or messages over a rate limit.',
      this.rateLimited,
    );
    put(
      'room_merged_bytes_max',
      'gauge',
      'Largest merged room state loaded.',
      this.largestRoom.mergedBytes,
    );
    put(
      'room_log_bytes_max',
      'gauge',
      'Largest room log loaded (compaction lag).',
      this.largestRoom.logBytes,
    );
    put(
      'room_log_frames_max',
      'gauge',
      'Most frames in a loaded room log.',
      this.largestRoom.frames,
    );
    const cpu = process.cpuUsage();
    put('process_cpu_user_microseconds', 'counter', 'User CPU of the relay.', cpu.user);
    put('process_cpu_system_microseconds', 'counter', 'System CPU of the relay.', cpu.system);
    put('process_rss_bytes', 'gauge', 'Resident set size.', process.memoryUsage.rss());
    return lines.join('\n') + '\n';
  }
}
