import { fileURLToPath } from 'node:url';
import { readCliConfig, readImportArgs, HELP } from './config/cli-config';
import { importDataDir } from './cluster/import-data';
import { runDataCommand } from './ops/data-backup';
import { jsonLogger, type Logger } from './ops/logger';
import { startRelay } from './relay';

/** The shell: read configuration once, wire, start, and stop gracefully on signals. */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'backup' || command === 'restore') {
    const write = (text: string) => process.stdout.write(text);
    process.exitCode = await runDataCommand(process.argv.slice(2), process.env, write);
    return;
  }
  const quietFlag = process.argv.includes('--quiet') || process.env.DJAMMS_QUIET === '1';
  const logger = jsonLogger(
    (line) => process.stdout.write(line),
    Date.now,
    quietFlag ? 'warn' : 'info',
  );
  if (command === 'import') {
    await runImport(process.argv.slice(3), logger);
    return;
  }
  // the same path from relay/dist/, where the bundle runs (scripts/build.ts)
  const repoBuild = fileURLToPath(new URL('../../build', import.meta.url));
  const cli = readCliConfig(process.argv.slice(2), process.env, logger, process.cwd(), repoBuild);
  if (cli.kind === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (cli.kind === 'error') {
    process.stderr.write(`djamms-relay: ${cli.message}\n`);
    process.exitCode = 2;
    return;
  }
  const relay = await startRelay(cli.config);
  process.stderr.write(
    welcome(relay.url, relay.operatorKeyPath, relay.operatorKey, relay.firstStart),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'relay-stopping', { signal });
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.log('error', 'relay-stop-failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** `djamms-relay import …`: moves a single relay's data into a cluster database (RP47). */
async function runImport(argv: readonly string[], logger: Logger): Promise<void> {
  const args = readImportArgs(argv, process.env, process.cwd());
  if ('usage' in args) {
    process.stdout.write(args.usage);
    return;
  }
  if ('error' in args) {
    process.stderr.write(`djamms-relay import: ${args.error}\n`);
    process.exitCode = 2;
    return;
  }
  const counts = await importDataDir(args.dataDir, args.postgresUrl, logger);
  process.stderr.write(
    `Imported ${counts.venues} venues, ${counts.devices} devices, ${counts.rooms} rooms, ` +
      `${counts.journalEntries} journal entries and ${counts.media} media files.\n` +
      (counts.unreadableUpdates > 0
        ? `Left out ${counts.unreadableUpdates} stored updates Yjs cannot read ` +
          '(logged as room-update-unreadable); their rooms hold everything else.\n'
        : '') +
      'Start the cluster nodes with --postgres on this database; devices stay paired.\n',
  );
}

function welcome(url: string, keyPath: string | null, key: string, firstStart: boolean): string {
  const keyLine = keyPath ? `$(cat ${keyPath})` : key;
  const lines = [
    `DJAMMS relay on ${url}`,
    keyPath ? `Operator key: ${keyPath}` : `Operator key (ephemeral): ${key}`,
  ];
  if (firstStart) {
    lines.push(
      'Create a venue:',
      `  curl -s -X POST ${url}/api/venues -H "Authorization: Bearer ${keyLine}" \\`,
      `       -H 'content-type: application/json' -d '{"name":"My Bar"}'`,
    );
  }
  return lines.join('\n') + '\n';
}

main().catch((error: unknown) => {
  process.stderr.write(`djamms-relay: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
