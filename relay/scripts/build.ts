/**
 * `npm run build -w djamms-relay` (run by `npm install` through the relay's `prepare`): bundles the
 * relay, `@djamms/protocol` and the packages they use into one file, `relay/dist/djamms-relay.js`,
 * with a source map. Production then starts compiled JavaScript in one file instead of compiling
 * TypeScript through tsx and resolving a few hundred package files on every start.
 * `dist/inputs.json` records a hash of the sources the bundle was made from and of the
 * `package.json` of each package in it (their versions); `bin/djamms-relay.js` runs the bundle only
 * while these files still hash the same.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const RELAY = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(RELAY, 'dist');
const THIS_SCRIPT = fileURLToPath(import.meta.url);

/**
 * CommonJS packages in the bundle (ws, prom-client) call `require` for Node's modules; an ES module
 * has none, so the bundle makes one.
 */
const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** `…/node_modules/<name or @scope/name>/package.json` for a file inside an installed package. */
function packageJsonOf(path: string): string {
  const root = path.lastIndexOf('/node_modules/') + '/node_modules/'.length;
  const [first = '', second = ''] = path.slice(root).split('/');
  return `${path.slice(0, root)}${first.startsWith('@') ? `${first}/${second}` : first}/package.json`;
}

/**
 * Loads this repository's sources for esbuild and keeps the bytes it read, so the manifest hashes
 * exactly what went into the bundle (a file saved during the build makes the bundle stale, never
 * falsely fresh). For a package's files it keeps the package's `package.json`: a new version of a
 * package makes the bundle stale too.
 */
function recordSources(read: Map<string, Uint8Array>): Plugin {
  return {
    name: 'record-sources',
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.([cm]?[jt]s|json)$/ }, async ({ path }) => {
        if (path.includes('/node_modules/')) {
          const packageJson = packageJsonOf(path);
          read.set(relative(RELAY, packageJson), await readFile(packageJson));
          return undefined;
        }
        const contents = await readFile(path);
        read.set(relative(RELAY, path), contents);
        return { contents, loader: extname(path) === '.json' ? 'json' : 'ts' };
      });
    },
  };
}

/**
 * The hash `bin/djamms-relay.js` recomputes from the files on disk: each input's path (relative to
 * relay/, sorted) and its bytes.
 */
function sourcesHash(sources: ReadonlyMap<string, Uint8Array>): string {
  const hash = createHash('sha256');
  const sorted = [...sources].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [path, bytes] of sorted) hash.update(`${path}\0`).update(bytes);
  return hash.digest('hex');
}

/** Writes through a temporary file and a rename, so a relay starting meanwhile reads whole files. */
async function replace(path: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/** Bundles the relay into `relay/dist/`; resolves once the bundle and its manifest are in place. */
export async function buildRelay(): Promise<void> {
  const sources = new Map([[relative(RELAY, THIS_SCRIPT), await readFile(THIS_SCRIPT)]]);
  const result = await build({
    entryPoints: [join(RELAY, 'src/main.ts')],
    outfile: join(DIST, 'djamms-relay.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    // ws's optional native helpers: it runs without them
    external: ['bufferutil', 'utf-8-validate'],
    banner: { js: REQUIRE_BANNER },
    plugins: [recordSources(sources)],
    write: false,
    logLevel: 'warning',
  });
  await mkdir(DIST, { recursive: true });
  for (const file of result.outputFiles) await replace(file.path, file.contents);
  // last: the manifest is what makes the bundle count as built
  const manifest = { inputs: [...sources.keys()].sort(), sha256: sourcesHash(sources) };
  await replace(join(DIST, 'inputs.json'), JSON.stringify(manifest, null, 2) + '\n');
}

if (process.argv[1] === THIS_SCRIPT) await buildRelay();
