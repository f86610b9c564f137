/**
 * Build-time only: the app has no server (adapter-static), but SvelteKit writes the SPA shell
 * (`shell.html`, served for every path but the prerendered home page) through this hook. The shell
 * gets the skeletons of the screens that open on a slow device or network with nothing to show
 * until the app's code has loaded: the guest page and the TV player. Inline scripts (hashed by
 * the relay's CSP like the others, RP27) put the opened screen's skeleton in the boot notice
 * before the first paint; the screen takes the notice away when it shows (web/routes).
 */
import type { Handle } from '@sveltejs/kit';
import type { Component } from 'svelte';
import { render } from 'svelte/server';
import GuestSkeleton from './routes/g/[venueId]/Skeleton.svelte';
import PlayerSkeleton from './routes/v/[venueId]/player/Skeleton.svelte';

/** Each screen with a skeleton: its name, its paths and its skeleton. */
const SKELETONS: [string, RegExp, Component][] = [
  ['guest', /^\/g\/[^/]+\/?$/, GuestSkeleton],
  ['player', /^\/v\/[^/]+\/player\/?$/, PlayerSkeleton],
];

/**
 * The shell's skeletons. For the head: their styles, and a script that names the opened path's
 * screen in `data-skeleton` on the root element (the app then loads at low priority and starts
 * after the first frame, web/scripts/route-preload.js). For the end of the body: each one's markup
 * in a `<template>`, and a script that draws the named one in the boot notice.
 */
function skeletons(): { head: string; body: string } {
  const rendered = SKELETONS.map(([name, paths, component]) => {
    const { head, body } = render(component);
    return { name, paths: paths.source, head, body };
  });
  const paths = Object.fromEntries(rendered.map(({ name, paths }) => [name, paths]));
  const head = `${rendered.map((r) => r.head).join('')}<script>
      // Which screen's skeleton this path shows (web/hooks.server.ts).
      (function (screens) {
        for (var name in screens) {
          if (new RegExp(screens[name]).test(location.pathname)) {
            document.documentElement.dataset.skeleton = name;
          }
        }
      })(${JSON.stringify(paths)});
    </script>`;
  const templates = rendered.map(
    ({ name, body }) => `<template data-skeleton="${name}">${body}</template>`,
  );
  const body = `${templates.join('')}<script>
      // The opened screen's skeleton, drawn in the boot notice before the first paint.
      (function (name) {
        var boot = document.getElementById('boot');
        var template = name && document.querySelector('template[data-skeleton="' + name + '"]');
        if (!boot || !template) return;
        var frame = document.createElement('div');
        frame.className = 'frame';
        frame.setAttribute('aria-hidden', 'true');
        frame.appendChild(template.content.cloneNode(true));
        boot.appendChild(frame);
        boot.classList.add('framed');
      })(document.documentElement.dataset.skeleton);
    </script>`;
  return { head, body };
}

export const handle: Handle = ({ event, resolve }) => {
  if (event.route.id !== null) return resolve(event);
  const { head, body } = skeletons();
  return resolve(event, {
    transformPageChunk: ({ html }) => {
      if (!html.includes('</head>') || !html.includes('</body>')) {
        throw new Error('The shell has no </head> or </body> to put the skeletons in');
      }
      return html.replace('</head>', `${head}</head>`).replace('</body>', `${body}</body>`);
    },
  });
};
