// Pre-signed GetCallerIdentity requests for the benchmark, signed with the SDK's own signer
// (@smithy/signature-v4, installed with @aws-sdk/client-sts) and node:crypto as its hash.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

class NodeSha256 {
  constructor(secret) {
    this.secret = secret;
    this.reset();
  }
  reset() {
    this.h = this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data) {
    this.h.update(toBuffer(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

function toBuffer(d) {
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (ArrayBuffer.isView(d)) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  return Buffer.from(d);
}

/**
 * `n` signed POST / GetCallerIdentity requests for host:port. Request i is signed at `date` - (i mod 300) seconds,
 * so signatures differ and every X-Amz-Date stays within the server's 15-minute window for ten minutes at least.
 */
export async function signedCallerIdentity(creds, host, port, n, date = new Date()) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    region: 'us-east-1',
    service: 'sts',
    sha256: NodeSha256,
  });
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const out = [];
  for (let i = 0; i < n; i++) {
    const signingDate = new Date(date.getTime() - (i % 300) * 1000);
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: host,
        port,
        path: '/',
        headers: { host: `${host}:${port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      },
      { signingDate },
    );
    out.push({ method: 'POST', path: '/', body, headers: signed.headers });
  }
  return out;
}
