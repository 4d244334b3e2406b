/**
 * STS XML output. Every text node and attribute goes through escapeXml; no general-purpose XML builder
 * on the hot path. Shapes follow the awsQuery protocol as the SDKs parse it (shared/reference/sts.md §1.4-1.6).
 */
import type { StsError } from './errors.js';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

// Characters not allowed in XML 1.0 (controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex
const ILLEGAL =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SPECIAL = /[&<>"'\r]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

// Text made only of these needs no change: tab, LF, and the BMP minus & ' " < > \r, controls, surrogates, U+FFFE/F.
const PLAIN = /^[\t\n\x20\x21\x23-\x25\x28-\x3b\x3d\x3f-\ud7ff\ue000-\ufffd]*$/;

/** Escapes text for an element or attribute; characters XML cannot carry are replaced with U+FFFD. */
export function escapeXml(text: string): string {
  // One scan for the common case (ids, ARNs, base64 tokens); the two replacements only when something needs them.
  if (PLAIN.test(text)) return text;
  return text.replace(ILLEGAL, '\uFFFD').replace(SPECIAL, (c) => ENTITIES[c] ?? c);
}

/** A tiny element tree: [name, text] or [name, children]. Undefined children are skipped (optional elements). */
export type XmlNode = readonly [string, string | number | readonly (XmlNode | undefined)[]];

export function renderNode(node: XmlNode): string {
  const [name, content] = node;
  if (typeof content === 'string' || typeof content === 'number') {
    return `<${name}>${escapeXml(String(content))}</${name}>`;
  }
  let inner = '';
  for (const child of content) if (child !== undefined) inner += renderNode(child);
  return `<${name}>${inner}</${name}>`;
}

/**
 * <ActionResponse xmlns=...><ActionResult>...</ActionResult><ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>.
 * A `null` result is an operation whose model has no output (IAM's DeleteRole ...): no Result element at all.
 */
export function renderSuccess(
  action: string,
  result: readonly (XmlNode | undefined)[] | null,
  requestId: string,
  xmlns: string = STS_XMLNS,
): string {
  let inner = '';
  if (result !== null) for (const child of result) if (child !== undefined) inner += renderNode(child);
  return (
    `<${action}Response xmlns="${xmlns}">\n` +
    (result === null ? '' : `  <${action}Result>${inner}</${action}Result>\n`) +
    `  <ResponseMetadata>\n    <RequestId>${escapeXml(requestId)}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}

/** <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>, RequestId a sibling of Error. */
export function renderError(err: Pick<StsError, 'type' | 'code' | 'message'>, requestId: string, xmlns: string = STS_XMLNS): string {
  return (
    `<ErrorResponse xmlns="${xmlns}">\n` +
    `  <Error>\n    <Type>${err.type}</Type>\n    <Code>${escapeXml(err.code)}</Code>\n    <Message>${escapeXml(err.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${escapeXml(requestId)}</RequestId>\n` +
    `</ErrorResponse>\n`
  );
}
