/**
 * IAM's list pagination (ListRoles, ListRoleTags): items in the order of a unique key, at most MaxItems a page,
 * IsTruncated, and a Marker that names where the next page starts. The marker is opaque to the client (base64url of
 * the last key given), so a page stays correct when items are added or removed between calls.
 */
import { IAM_MESSAGES, StsError } from '../protocol/errors.js';
import type { XmlNode } from '../protocol/xml.js';

const PREFIX = 'm1.';

function markerFor(key: string): string {
  return PREFIX + Buffer.from(key, 'utf8').toString('base64url');
}

function keyOf(marker: string): string {
  const body = marker.startsWith(PREFIX) ? marker.slice(PREFIX.length) : '';
  const key = Buffer.from(body, 'base64url').toString('utf8');
  if (body === '' || markerFor(key) !== marker) {
    throw new StsError('InvalidInput', IAM_MESSAGES.invalidMarker, { reason: `'${marker}' is not a marker this emulator gave` });
  }
  return key;
}

/** One page of `items` sorted by `key`, after `marker`: the page and the IsTruncated/Marker elements that follow the list. */
export function pageOf<T>(
  items: readonly T[],
  key: (item: T) => string,
  marker: string | undefined,
  maxItems: number,
): { readonly page: readonly T[]; readonly tail: readonly XmlNode[] } {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const after = marker === undefined ? undefined : keyOf(marker);
  const rest = after === undefined ? sorted : sorted.filter((i) => key(i) > after);
  const page = rest.slice(0, maxItems);
  const truncated = rest.length > page.length;
  const last = page[page.length - 1];
  const tail: XmlNode[] = [['IsTruncated', truncated ? 'true' : 'false']];
  if (truncated && last !== undefined) tail.push(['Marker', markerFor(key(last))]);
  return { page, tail };
}
