/**
 * AWS's texts for malformed SigV4 input (IncompleteSignature, and the SignatureDoesNotMatch scope checks).
 * Not in shared/reference/sts.md: taken from real AWS responses quoted in public issues (aws-sdk-ruby#317,
 * amazonka#316, iann0036/cloud9-sync#10, fhir-works-on-aws-deployment#379) and from AWS-compatible servers that copy
 * them. Since about 2023 AWS no longer echoes the Authorization header: it sends SHA-256/Base64 of it instead, which
 * is what these helpers expect as `hashed`. The core texts (mismatch, expired, missing token) are in MESSAGES.
 */
export const SIGV4_MESSAGES = {
  hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  unsupportedAlgorithm: (algorithm: string) => `Unsupported AWS 'algorithm': '${algorithm}'.`,
  missingEqualSign: (hashed: string) =>
    `Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '${hashed}'.`,
  headerRequires: (param: 'Credential' | 'Signature' | 'SignedHeaders') => `Authorization header requires '${param}' parameter.`,
  /** The emulator's own text (AWS's answer to a repeated parameter is not documented). */
  duplicateParameter: (param: string) => `Authorization header contains parameter '${param}' more than once.`,
  headerRequiresDate: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  /** Appended after the `headerRequires*` sentences. */
  headerHashed: (hashed: string) => `(Hashed with SHA-256 and encoded with Base64) Authorization=${hashed}`,
  queryRequires: (param: string) => `AWS query-string parameters must include '${param}'.`,
  queryReexamine: 'Re-examine the query-string parameters.',
  credentialParts: (credential: string) =>
    `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
  badDate: (value: string) => `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  scopeRegion: (region: string) => `Credential should be scoped to a valid region, not '${region}'.`,
  scopeService: (service: string) => `Credential should be scoped to correct service: '${service}'.`,
  scopeTerminator: (terminator: string) => `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
  scopeDate: (scopeDate: string, expected: string, amzDate: string) =>
    `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${expected}', from '${amzDate}'.`,
} as const;
