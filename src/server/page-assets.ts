/**
 * The demo page's files, served from the package itself (no CDN, no external font): `ui/index.html` and `ui/*.css`
 * as written, and `dist/ui/*.js`, which `npm run build` compiles from `ui/src/`. Read once, on the page's first
 * request; only files of those folders with those names are ever served.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, from this file's place in dist/src/server/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PAGE_SOURCE_DIR = join(ROOT, 'ui');
export const PAGE_SCRIPT_DIR = join(ROOT, 'dist', 'ui');

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

export interface PageAssets {
  /** The page itself, or undefined when the package has no ui/index.html. */
  readonly page: Asset | undefined;
  /** Scripts and styles by file name (`app.js`, `page.css` ...). */
  readonly files: ReadonlyMap<string, Asset>;
}

/** The names an asset may have: lower-case words, one extension. */
export const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(?:js|css)$/;

const TYPES: Readonly<Record<string, string>> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

function read(dir: string, ext: 'js' | 'css'): [string, Asset][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => ASSET_NAME.test(name) && name.endsWith(`.${ext}`))
    .map((name) => [name, { type: TYPES[ext] as string, body: readFileSync(join(dir, name)) }]);
}

let loaded: PageAssets | undefined;

/** The page's files, read on first use. */
export function pageAssets(): PageAssets {
  if (loaded === undefined) {
    const html = join(PAGE_SOURCE_DIR, 'index.html');
    loaded = {
      page: existsSync(html) ? { type: TYPES['html'] as string, body: readFileSync(html) } : undefined,
      files: new Map([...read(PAGE_SOURCE_DIR, 'css'), ...read(PAGE_SCRIPT_DIR, 'js')]),
    };
  }
  return loaded;
}
