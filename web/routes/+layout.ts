// A single-page app: everything renders in the browser from local state (DESIGN §5).
export const ssr = false;
export const prerender = false;
