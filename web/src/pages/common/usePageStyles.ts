// The pages' own styles, added once as a <style> element when the first page module loads (CSS
// imported from a lazily loaded chunk is not linked by the build, so it travels in the JS).
import css from './pageStyles';

let injected = false;

export function ensurePageStyles(): void {
  if (injected || typeof document === 'undefined') return;
  injected = true;
  const el = document.createElement('style');
  el.dataset.owner = 'pages';
  el.textContent = css;
  document.head.appendChild(el);
}

ensurePageStyles();

/** Kept as a hook so a page states its dependency on the styles where it renders. */
export function usePageStyles(): void {
  ensurePageStyles();
}
