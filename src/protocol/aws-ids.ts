/**
 * AWS identifier formats. Access key IDs (`ASIA` + 16) and role IDs (`AROA` + 17) are a prefix and base32
 * characters; one encoder serves both, so every identifier the emulator mints uses the same alphabet.
 */

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 of `bytes` ([A-Z2-7]), without padding: the last character carries zero bits past the input. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(value >>> bits) & 31];
    }
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out;
}
