/**
 * Build-time only: the app has no server (adapter-static), but SvelteKit writes the SPA shell
 * (`shell.html`, served for every path but the prerendered home page) through this hook. The shell
 * gets the skeletons of the screens that open on a slow device or network with nothing to show
 * until the app's code has loaded: the guest page and the TV player. An inline script (hashed by
 * the relay's CSP like the others, RP27) puts the opened screen's skeleton in the boot notice
 * before the first paint; the screen takes the notice away when it shows (web/routes).
 */
import type { Handle } from '@sveltejs/kit';
import type { Component } from 'svelte';
import { render } from 'svelte/server';
import GuestSkeleton from './routes/g/[venueId]/Skeleton.svelte';
import PlayerSkeleton from './routes/v/[venueId]/player/Skeleton.svelte';

/** Each skeleton and the paths of the screen it stands for. */
const SKELETONS: [RegExp, Component][] = [
  [/^\/g\/[^/]+\/?$/, GuestSkeleton],
  [/^\/v\/[^/]+\/player\/?$/, PlayerSkeleton],
];

/**
 * The shell's skeletons: each one's markup in a `<template>` named by its paths, its styles, and
 * the script that shows the one for the opened path. Answers the styles (for the head) and the
 * rest (for the end of the body, after the boot notice).
 */
function skeletons(): { head: string; body: string } {
  const rendered = SKELETONS.map(([paths, component]) => {
    const { head, body } = render(component);
    return { paths, head, body };
  });
  const templates = rendered.map(
    ({ paths, body }) =>
      `<template data-paths="${paths.source.replaceAll('"', '&quot;')}">${body}</template>`,
  );
  const script = `<script>
      // The opened screen's skeleton, drawn in the boot notice before the first paint.
      (function () {
        var boot = document.getElementById('boot');
        var frames = document.querySelectorAll('template[data-paths]');
        for (var i = 0; boot && i < frames.length; i++) {
          if (!new RegExp(frames[i].dataset.paths).test(location.pathname)) continue;
          var frame = document.createElement('div');
          frame.className = 'frame';
          frame.setAttribute('aria-hidden', 'true');
          frame.appendChild(frames[i].content.cloneNode(true));
          boot.appendChild(frame);
          boot.classList.add('framed');
          return;
        }
      })();
    </script>`;
  return { head: rendered.map((r) => r.head).join(''), body: templates.join('') + script };
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
