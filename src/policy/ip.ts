/**
 * IPv4 / IPv6 addresses and CIDR blocks for IpAddress / NotIpAddress. A bare address is a /32 or /128.
 * Host bits below the prefix are ignored. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) in the request
 * is compared as its IPv4 address. No zone ids, no leading zeros in IPv4 octets.
 */

export interface Cidr {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseGroups(text: string, allowV4Tail: boolean): number[] | null {
  if (text === '') return [];
  const groups = text.split(':');
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as string;
    if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIPv4(g);
      if (v4 === null) return null;
      out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
  }
  return out;
}

export function parseIPv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  let groups: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0] as string, false);
    const tail = parseGroups(halves[1] as string, true);
    if (head === null || tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (all === null || all.length !== 8) return null;
    groups = all;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** An address of either family. */
export function parseAddress(text: string): { family: 4 | 6; bytes: Uint8Array } | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, bytes: v4 };
  if (!text.includes(':')) return null;
  const v6 = parseIPv6(text);
  return v6 === null ? null : { family: 6, bytes: v6 };
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (addr === null) return null;
  const max = addr.family === 4 ? 32 : 128;
  if (slash < 0) return { ...addr, prefix: max };
  const p = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0')) || Number(p) > max) return null;
  return { ...addr, prefix: Number(p) };
}

function unmapV4(a: { family: 4 | 6; bytes: Uint8Array }): { family: 4 | 6; bytes: Uint8Array } {
  if (a.family !== 6) return a;
  for (let i = 0; i < 10; i++) if (a.bytes[i] !== 0) return a;
  if (a.bytes[10] !== 0xff || a.bytes[11] !== 0xff) return a;
  return { family: 4, bytes: a.bytes.slice(12) };
}

/** Is the request address (text) inside the block? Unparseable text is not. */
export function cidrContains(block: Cidr, addressText: string): boolean {
  const parsed = parseAddress(addressText);
  if (parsed === null) return false;
  const addr = block.family === 4 ? unmapV4(parsed) : parsed;
  if (addr.family !== block.family) return false;
  const full = block.prefix >> 3;
  for (let i = 0; i < full; i++) if (addr.bytes[i] !== block.bytes[i]) return false;
  const rest = block.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((addr.bytes[full] as number) & mask) === ((block.bytes[full] as number) & mask);
}
