/**
 * The demo page's entry: three views (roles and providers, try a token, decisions) chosen by the address's #fragment,
 * so each view has an address, the browser's back button works, and the links are plain links for the keyboard.
 */
import { loadConfig } from './api.js';
import { startDecisions } from './decisions.js';
import { byId, el, replace } from './dom.js';
import { renderRoles } from './roles.js';
import { setUpTryToken } from './try-token.js';

const VIEWS = ['roles', 'try', 'decisions'] as const;
type View = (typeof VIEWS)[number];

/** The view a fragment shows: a view's name, or the view holding the element it names (`#role-deploy-main`). */
function viewOf(hash: string): View {
  const id = decodeURIComponent(hash.replace(/^#/, ''));
  if ((VIEWS as readonly string[]).includes(id)) return id as View;
  const target = id === '' ? null : document.getElementById(id);
  const section = target?.closest('section[data-view]');
  return (section?.getAttribute('data-view') as View | null) ?? 'roles';
}

function show(view: View): void {
  for (const v of VIEWS) {
    byId(`view-${v}`).hidden = v !== view;
    const link = document.querySelector(`nav.views a[href="#${v}"]`);
    if (v === view) link?.setAttribute('aria-current', 'page');
    else link?.removeAttribute('aria-current');
  }
  document.title = `${byId(`view-${view}`).querySelector('h2')?.textContent ?? ''} · sts-emulator`;
}

async function main(): Promise<void> {
  replace(byId('endpoint'), 'STS endpoint ', el('code', {}, location.origin));
  show(viewOf(location.hash));
  window.addEventListener('hashchange', () => {
    const view = viewOf(location.hash);
    show(view);
    if ((VIEWS as readonly string[]).includes(location.hash.slice(1))) byId(`view-${view}`).querySelector('h2')?.focus();
  });
  startDecisions((n) => replace(byId('decision-count'), n === 0 ? '' : ` (${n})`));
  try {
    const config = await loadConfig();
    renderRoles(config, byId('roles'), byId('providers'));
    setUpTryToken(config, new URLSearchParams(location.search).get('role') ?? undefined);
    show(viewOf(location.hash)); // a #role-... fragment can be placed only now
    document.body.setAttribute('data-ready', '');
  } catch (e) {
    replace(byId('roles'), el('p', { class: 'outcome error' }, `Could not load the configuration: ${(e as Error).message}`));
  }
}

void main();
