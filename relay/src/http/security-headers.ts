import { createHash } from 'node:crypto';
import { isAcceptedMediaType } from '@djamms/protocol';

/**
 * Headers of a media answer (RP27): its stored type, and a policy under which it can never act as
 * a page of the relay's origin, where every venue's tokens live (T21). The app plays media from
 * its own pages, where this policy does not apply. A file stored before uploads were limited to
 * {@link isAcceptedMediaType} types is only ever downloaded.
 */
export function mediaHeaders(type: string): Record<string, string> {
  return {
    'content-type': type,
    'content-security-policy': "default-src 'none'; sandbox",
    'content-disposition': isAcceptedMediaType(type) ? 'inline' : 'attachment',
  };
}

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script/gi;

/**
 * The Content-Security-Policy of an app page (RP27): scripts from the relay's origin and the
 * page's own inline scripts (by hash: SvelteKit's start script, the theme and database warm-up in
 * `web/app.html`), no plugins, no `<base>` or form posts elsewhere, and no framing. Styles, images,
 * media and connections are left open: the app loads covers and tracks from anywhere and may sync
 * with a relay on another origin.
 */
export function pagePolicy(html: string): string {
  const hashes = [...html.matchAll(SCRIPT)]
    .filter(([, attributes = '']) => !/\ssrc\s*=/i.test(attributes))
    // A browser hashes the text as parsed: line breaks normalised to \n.
    .map(([, , text = '']) => createHash('sha256').update(text.replace(/\r\n?/g, '\n')))
    .map((hash) => `'sha256-${hash.digest('base64')}'`);
  return [
    ["script-src 'self'", ...hashes].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
