// The home page is prerendered with its markup (the only page that needs no local state), so a
// first visit paints it before any script runs. Every other path gets the SPA shell (shell.html).
export const prerender = true;
export const ssr = true;
