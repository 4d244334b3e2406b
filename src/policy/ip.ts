/**
 * IPv4 / IPv6 addresses and CIDR blocks for IpAddress / NotIpAddress, on node:net's `isIP` and `BlockList`, which
 * keep IAM's rules: a bare address is a /32 or /128; host bits below the prefix are ignored; an IPv4-mapped IPv6
 * request address (`::ffff:1.2.3.4`) is compared as its IPv4 address; no leading zeros in IPv4 octets. The lines
 * below that are not a call into node:net are where Node differs from IAM.
 */
import { BlockList, isIP } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  readonly list: BlockList;
}

function familyOf(text: string): 0 | 4 | 6 {
  if (text.includes('%')) return 0; // Node accepts zone ids (`fe80::1%eth0`); IAM does not.
  return isIP(text) as 0 | 4 | 6;
}

const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = familyOf(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!PREFIX.test(prefixText) || Number(prefixText) > max) return null; // BlockList takes the prefix as a number, not text.
  const list = new BlockList();
  list.addSubnet(address, Number(prefixText), family === 4 ? 'ipv4' : 'ipv6');
  return { family, list };
}

/** Is the request address (text) inside the block? Unparseable text is not. */
export function cidrContains(block: Cidr, addressText: string): boolean {
  const family = familyOf(addressText);
  if (family === 0) return false;
  if (family === 4 && block.family === 6) return false; // Node matches IPv4 against IPv6 blocks as ::ffff:a.b.c.d; IAM does not.
  return block.list.check(addressText, family === 4 ? 'ipv4' : 'ipv6');
}
