/**
 * The page builds every element with `el`: strings become text nodes, never markup, so a value from a token or a
 * policy (`<script>`, `<img onerror=...>`) is shown as the characters it is. Nothing on the page uses innerHTML.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export type Attributes = Readonly<Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>>;

/** An element with attributes (`on*` functions become listeners; true/false toggle boolean attributes) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (/^on/i.test(name)) throw new TypeError(`${name}: handlers are functions, never text`);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends children as nodes and text. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c as readonly Child[]);
    else parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : (c as Node));
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** The element with this id; the page's HTML guarantees it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`the page has no #${id}`);
  return node as T;
}

/** A value as text: strings as they are, everything else as JSON. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
