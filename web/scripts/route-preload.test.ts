import { describe, expect, it } from 'vitest';
import { paintFirst, preloadScript, routeFiles } from './route-preload.js';

/** The end of a page as SvelteKit 2 prerenders it (web/routes/+page.ts), hashes shortened. */
const PRERENDERED = `<head>
    <link href="./_app/immutable/entry/start.A.js" rel="modulepreload">
		<link href="./_app/immutable/nodes/3.B.js" rel="modulepreload">
  </head>
  <body>
    <div style="display: contents"><main>Welcome</main>
			<script>
				{
					const element = document.currentScript.parentElement;

					Promise.all([
						import("./_app/immutable/entry/start.A.js"),
						import("./_app/immutable/entry/app.C.js")
					]).then(([kit, app]) => {
						kit.start(app, element, { node_ids: [0, 3], data: [null,null], form: null, error: null });
					});
				}
			</script>
		</div>
  </body>`;

describe('route preload', () => {
  it('lists each page route with the files its layouts, error page and page add to the entry', async () => {
    const node =
      (imports: string[], stylesheets: string[] = []) =>
      () =>
        Promise.resolve({ imports, stylesheets });
    const table = await routeFiles({
      _: {
        client: { imports: ['entry/start.js', 'chunks/framework.js'] },
        nodes: [
          node(['nodes/0.js', 'chunks/framework.js']),
          node(['nodes/1.js']),
          node(['nodes/2.js', 'chunks/venue.js', 'chunks/framework.js'], ['assets/2.css']),
          node(['nodes/3.js', 'chunks/venue.js', 'chunks/admin.js'], ['assets/3.css']),
        ],
        routes: [
          {
            pattern: /^\/v\/([^/]+?)\/admin\/?$/,
            page: { layouts: [0, 2], errors: [1, undefined], leaf: 3 },
          },
          { pattern: /^\/healthz\/?$/, page: null },
        ],
      },
    });
    expect(table).toEqual([
      [
        '^\\/v\\/([^/]+?)\\/admin\\/?$',
        [
          'nodes/2.js',
          'chunks/venue.js',
          'assets/2.css',
          'nodes/1.js',
          'nodes/3.js',
          'chunks/admin.js',
          'assets/3.css',
        ],
      ],
    ]);
  });

  it('a prerendered page loads the app at low priority and starts it after the first frame', () => {
    const html = paintFirst(PRERENDERED, 'index.html');
    expect(html.match(/rel="modulepreload" fetchpriority="low">/g)).toHaveLength(2);
    expect(html).not.toMatch(/rel="modulepreload">/);
    expect(html).toContain('requestAnimationFrame(function () { setTimeout(paint); })');
    // A hidden tab draws no frame: it starts at once.
    expect(html).toContain("if (document.visibilityState === 'hidden') paint();");
    // The same imports and start, only later.
    expect(html).toContain('.then(() => Promise.all([');
    expect(html).toContain('import("./_app/immutable/entry/app.C.js")');
    expect(html).toContain('kit.start(app, element,');
    // What the browser would run parses.
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    expect(() => new Function(script)).not.toThrow();
  });

  it('the shell does so only where it draws a skeleton; elsewhere the app loads and starts at once', () => {
    const html = paintFirst(PRERENDERED, 'shell.html', 'document.documentElement.dataset.skeleton');
    // Its preloads are the preload script's to make, at the priority the path calls for.
    expect(html).not.toContain('rel="modulepreload"');
    expect(html).toContain(
      "if (!(document.documentElement.dataset.skeleton) || document.visibilityState === 'hidden') paint();",
    );
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    expect(() => new Function(script)).not.toThrow();
  });

  it("the shell's preload script names the entry and the opened route's files, low only under a skeleton", () => {
    const table: [string, string[]][] = [['^\\/g\\/([^/]+?)\\/?$', ['nodes/4.js', 'assets/4.css']]];
    const script = /<script>([\s\S]*)<\/script>/.exec(
      preloadScript(table, '/', ['/_app/start.js']),
    )![1]!;
    const run = (path: string, skeleton?: string) => {
      const links: Record<string, string>[] = [];
      const document = {
        documentElement: { dataset: { skeleton } },
        createElement: () => ({}),
        head: { appendChild: (link: Record<string, string>) => links.push(link) },
      };
      new Function('document', 'location', script)(document, { pathname: path });
      return links;
    };
    expect(run('/g/v1', 'guest')).toEqual([
      { rel: 'modulepreload', fetchPriority: 'low', href: '/_app/start.js' },
      { rel: 'modulepreload', fetchPriority: 'low', href: '/nodes/4.js' },
      { rel: 'preload', fetchPriority: 'low', as: 'style', crossOrigin: '', href: '/assets/4.css' },
    ]);
    expect(run('/v/v1/admin')).toEqual([{ rel: 'modulepreload', href: '/_app/start.js' }]);
  });

  it('refuses a page whose start script it does not recognise, rather than leave it as it was', () => {
    expect(() => paintFirst('<main>Welcome</main>', 'index.html')).toThrow(
      'index.html has 0 SvelteKit start scripts, not one',
    );
  });
});
