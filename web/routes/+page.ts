// The home page is prerendered so the shell exists as a file the service worker precaches.
export const prerender = true;
