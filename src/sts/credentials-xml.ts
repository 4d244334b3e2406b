/** The <Credentials> element, in AWS's order. */
import type { XmlNode } from '../protocol/xml.js';
import { isoSeconds } from './request-context.js';

export interface CredentialsView {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export function credentialsNode(c: CredentialsView): XmlNode {
  return [
    'Credentials',
    [
      ['AccessKeyId', c.accessKeyId],
      ['SecretAccessKey', c.secretAccessKey],
      ['SessionToken', c.sessionToken],
      ['Expiration', isoSeconds(c.expiration)],
    ],
  ];
}
