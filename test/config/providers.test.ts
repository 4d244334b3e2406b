import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkJwksUri, normalizeProviderUrl } from '../../src/config/providers.js';
import { ACCOUNT, assertProblems, configOf, problemsOf, provider } from './helpers.js';

const F = 'providers/p.json';
const RSA_KEY = {
  kty: 'RSA',
  kid: 'k1',
  n: 'sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw',
  e: 'AQAB',
};
const JWKS = { keys: [RSA_KEY] };

const accepted: { name: string; doc: Record<string, unknown>; expect: Record<string, unknown> }[] = [
  {
    name: 'minimal: discovery',
    doc: provider(),
    expect: {
      url: 'https://token.actions.githubusercontent.com',
      name: 'token.actions.githubusercontent.com',
      arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      clientIdList: ['sts.amazonaws.com'],
      thumbprintList: [],
      keys: { kind: 'discovery' },
      file: F,
    },
  },
  {
    name: 'Url without scheme, as get-open-id-connect-provider prints it',
    doc: provider({ Url: 'oidc.circleci.com/org/6f1c1f0e' }),
    expect: {
      url: 'https://oidc.circleci.com/org/6f1c1f0e',
      name: 'oidc.circleci.com/org/6f1c1f0e',
      arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.circleci.com/org/6f1c1f0e`,
    },
  },
  {
    name: 'Url kept byte for byte (trailing slash)',
    doc: provider({ Url: 'https://auth.example.com/' }),
    expect: { url: 'https://auth.example.com/', name: 'auth.example.com/' },
  },
  {
    name: 'Url with a port',
    doc: provider({ Url: 'https://localhost:8443/realms/dev' }),
    expect: { url: 'https://localhost:8443/realms/dev' },
  },
  {
    name: 'pasted get-open-id-connect-provider output',
    doc: {
      Url: 'token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
      CreateDate: '2023-06-28T10:21:08.712000+00:00',
      Tags: [{ Key: 'env', Value: 'prod' }],
    },
    expect: { thumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1'] },
  },
  {
    name: 'ClientIDList empty, as IAM keeps a provider created without client IDs (its tokens get Incorrect token audience)',
    doc: provider({ ClientIDList: [] }),
    expect: { clientIdList: [] },
  },
  {
    name: 'upper-case thumbprint',
    doc: provider({ ThumbprintList: ['6938FD4D98BAB03FAADB97B34396831E3780AEA1'] }),
    expect: { thumbprintList: ['6938FD4D98BAB03FAADB97B34396831E3780AEA1'] },
  },
  { name: 'five thumbprints', doc: provider({ ThumbprintList: Array(5).fill('a'.repeat(40)) }), expect: {} },
  {
    name: '100 client IDs of 255 characters',
    doc: provider({ ClientIDList: Array.from({ length: 100 }, (_, i) => String(i).padStart(255, 'c')) }),
    expect: {},
  },
  { name: 'inline Jwks', doc: provider({ Jwks: JWKS }), expect: { keys: { kind: 'inline', jwks: JWKS } } },
  { name: 'Jwks with extra members', doc: provider({ Jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc' }], note: 'x' } }), expect: {} },
  {
    name: 'JwksUri https',
    doc: provider({ JwksUri: 'https://idp.example.com/keys' }),
    expect: { keys: { kind: 'uri', uri: 'https://idp.example.com/keys' } },
  },
  {
    name: 'JwksUri http on localhost',
    doc: provider({ JwksUri: 'http://localhost:8080/jwks' }),
    expect: { keys: { kind: 'uri', uri: 'http://localhost:8080/jwks' } },
  },
  {
    name: 'Emulated with the default key file',
    doc: provider({ Emulated: true }),
    expect: { keys: { kind: 'emulated', privateKeyFile: '/cfg/providers/p.key.pem' } },
  },
  {
    name: 'Emulated with PrivateKeyFile relative to the provider file',
    doc: provider({ Emulated: true, PrivateKeyFile: '../keys/ci.pem' }),
    expect: { keys: { kind: 'emulated', privateKeyFile: '/cfg/keys/ci.pem' } },
  },
  {
    name: 'Emulated with an absolute PrivateKeyFile',
    doc: provider({ Emulated: true, PrivateKeyFile: '/secrets/ci.pem' }),
    expect: { keys: { kind: 'emulated', privateKeyFile: '/secrets/ci.pem' } },
  },
  { name: '"Emulated": false means discovery', doc: provider({ Emulated: false }), expect: { keys: { kind: 'discovery' } } },
  {
    name: 'Emulated with a Preset (an issuer its Url does not reveal, e.g. GHES)',
    doc: provider({
      Url: 'https://ghes.example.com/_services/token',
      Emulated: true,
      PrivateKeyFile: '/secrets/ghes.pem',
      Preset: 'github',
    }),
    expect: { keys: { kind: 'emulated', privateKeyFile: '/secrets/ghes.pem', preset: 'github' } },
  },
];

for (const c of accepted) {
  test(`provider accepted: ${c.name}`, () => {
    const config = configOf({ [F]: c.doc });
    assert.equal(config.providers.length, 1);
    const p = config.providers[0] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(p[k], v, k);
  });
}

type Expected = readonly (readonly [string, RegExp])[];
const rejected: { name: string; doc: unknown; problems: Expected }[] = [
  { name: 'not an object', doc: ['x'], problems: [['', /must be a JSON object with Url and ClientIDList, got an array/]] },
  { name: 'Url missing', doc: { ClientIDList: ['a'] }, problems: [['Url', /is required/]] },
  { name: 'Url not a string', doc: provider({ Url: 42 }), problems: [['Url', /must be a string, got an integer/]] },
  { name: 'Url empty', doc: provider({ Url: '' }), problems: [['Url', /must not be empty/]] },
  { name: 'Url http', doc: provider({ Url: 'http://idp.example.com' }), problems: [['Url', /must begin with https:\/\//]] },
  { name: 'Url upper-case scheme', doc: provider({ Url: 'HTTPS://idp.example.com' }), problems: [['Url', /must begin with https:\/\//]] },
  { name: 'Url with a query', doc: provider({ Url: 'https://idp.example.com/?tenant=1' }), problems: [['Url', /query string/]] },
  { name: 'Url with a fragment', doc: provider({ Url: 'https://idp.example.com/#x' }), problems: [['Url', /fragment/]] },
  { name: 'Url with white space', doc: provider({ Url: ' https://idp.example.com' }), problems: [['Url', /white space/]] },
  { name: 'Url with user info', doc: provider({ Url: 'https://u:p@idp.example.com' }), problems: [['Url', /user information/]] },
  { name: 'Url unparsable', doc: provider({ Url: 'https://exa mple' }), problems: [['Url', /white space/]] },
  {
    name: 'Url too long',
    doc: provider({ Url: `https://idp.example.com/${'a'.repeat(240)}` }),
    problems: [['Url', /at most 255 characters/]],
  },
  { name: 'ClientIDList missing', doc: { Url: 'https://idp.example.com' }, problems: [['ClientIDList', /is required/]] },
  {
    name: 'ClientIDList typo ClientIdList',
    doc: { Url: 'https://idp.example.com', ClientIdList: ['a'] },
    problems: [
      ['ClientIdList', /unknown field \(did you mean 'ClientIDList'\?\)/],
      ['ClientIDList', /is required/],
    ],
  },
  {
    name: 'ClientIDList a string',
    doc: provider({ ClientIDList: 'sts.amazonaws.com' }),
    problems: [['ClientIDList', /must be an array of strings, got a string/]],
  },
  {
    name: 'ClientIDList too many',
    doc: provider({ ClientIDList: Array(101).fill('a') }),
    problems: [['ClientIDList', /at most 100 client IDs, got 101/]],
  },
  {
    name: 'ClientIDList entries',
    doc: provider({ ClientIDList: ['ok', '', 7, 'x'.repeat(256)] }),
    problems: [
      ['ClientIDList[1]', /must not be empty/],
      ['ClientIDList[2]', /must be a string, got an integer/],
      ['ClientIDList[3]', /at most 255 characters/],
    ],
  },
  { name: 'ThumbprintList a string', doc: provider({ ThumbprintList: 'ab' }), problems: [['ThumbprintList', /must be an array/]] },
  {
    name: 'ThumbprintList bad entries',
    doc: provider({ ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea', 'g'.repeat(40), 1] }),
    problems: [
      ['ThumbprintList[0]', /40 hexadecimal/],
      ['ThumbprintList[1]', /40 hexadecimal/],
      ['ThumbprintList[2]', /40 hexadecimal/],
    ],
  },
  {
    name: 'ThumbprintList too many',
    doc: provider({ ThumbprintList: Array(6).fill('a'.repeat(40)) }),
    problems: [['ThumbprintList', /at most 5 thumbprints, got 6/]],
  },
  {
    name: 'unknown fields',
    doc: provider({ Audience: 'x', Jwk: {} }),
    problems: [
      ['Audience', /^unknown field$/],
      ['Jwk', /unknown field \(did you mean 'Jwks'\?\)/],
    ],
  },
  { name: 'CreateDate not a string', doc: provider({ CreateDate: 1 }), problems: [['CreateDate', /must be a string/]] },
  { name: 'Tags malformed', doc: provider({ Tags: [{ Key: 'a' }] }), problems: [['Tags[0].Value', /is required/]] },
  {
    name: 'two key sources',
    doc: provider({ Jwks: JWKS, JwksUri: 'https://idp.example.com/keys' }),
    problems: [['', /at most one of Jwks, JwksFile, JwksUri, Emulated; found Jwks, JwksUri/]],
  },
  {
    name: 'Emulated and JwksUri',
    doc: provider({ Emulated: true, JwksUri: 'https://idp.example.com/keys' }),
    problems: [['', /found JwksUri, Emulated/]],
  },
  { name: 'Emulated not a boolean', doc: provider({ Emulated: 'yes' }), problems: [['Emulated', /must be true or false, got a string/]] },
  {
    name: 'Preset without Emulated',
    doc: provider({ Preset: 'github' }),
    problems: [['Preset', /is only used with "Emulated": true/]],
  },
  {
    name: 'Preset not a preset',
    doc: provider({ Emulated: true, Preset: 'jenkins' }),
    problems: [['Preset', /must be one of circleci, github, gitlab, terraform, bitbucket, eks, got 'jenkins'/]],
  },
  {
    name: 'PrivateKeyFile without Emulated',
    doc: provider({ PrivateKeyFile: 'k.pem' }),
    problems: [['PrivateKeyFile', /only used with "Emulated": true/]],
  },
  {
    name: 'PrivateKeyFile empty',
    doc: provider({ Emulated: true, PrivateKeyFile: '' }),
    problems: [['PrivateKeyFile', /must not be empty/]],
  },
  {
    name: 'JwksUri http elsewhere',
    doc: provider({ JwksUri: 'http://idp.example.com/keys' }),
    problems: [['JwksUri', /must use https:\/\/ \(http:\/\/ is allowed only for localhost/]],
  },
  { name: 'JwksUri other scheme', doc: provider({ JwksUri: 'file:///etc/jwks.json' }), problems: [['JwksUri', /must use https/]] },
  { name: 'JwksUri not a URL', doc: provider({ JwksUri: 'keys.json' }), problems: [['JwksUri', /is not a valid URL/]] },
  {
    name: 'Jwks not an object',
    doc: provider({ Jwks: [RSA_KEY] }),
    problems: [['Jwks', /must be a JWK Set \{"keys": \[\.\.\.\]\}, got an array/]],
  },
  { name: 'Jwks is a single JWK', doc: provider({ Jwks: RSA_KEY }), problems: [['Jwks', /is a single JWK; wrap it/]] },
  { name: 'Jwks keys not an array', doc: provider({ Jwks: { keys: RSA_KEY } }), problems: [['Jwks.keys', /must be an array of JWKs/]] },
  { name: 'Jwks keys empty', doc: provider({ Jwks: { keys: [] } }), problems: [['Jwks.keys', /at least one key/]] },
  {
    name: 'Jwks key problems',
    doc: provider({ Jwks: { keys: ['x', { n: 'a' }, { ...RSA_KEY, d: 'secret' }, { kty: 'oct', k: 'c2VjcmV0' }] } }),
    problems: [
      ['Jwks.keys[0]', /must be a JWK object/],
      ['Jwks.keys[1].kty', /is required/],
      ['Jwks.keys[2].d', /private key material/],
      ['Jwks.keys[3].k', /private key material/],
    ],
  },
];

for (const c of rejected) {
  test(`provider rejected: ${c.name}`, () => {
    assertProblems(
      problemsOf({ [F]: c.doc }),
      c.problems.map(([path, message]) => [F, path, message] as const),
    );
  });
}

test('JwksFile is read relative to the provider file and resolved into an inline set', () => {
  const config = configOf(
    { 'providers/p.json': provider({ JwksFile: 'keys/jwks.json' }) },
    { referencedFiles: new Map([['/cfg/providers/keys/jwks.json', { text: JSON.stringify(JWKS) }]]) },
  );
  assert.deepEqual(config.providers[0]?.keys, { kind: 'inline', jwks: JWKS });
});

test('a JwksFile beside the provider file in providers/ is not read as a provider', () => {
  const config = configOf(
    { 'providers/p.json': provider({ JwksFile: 'p.jwks.json' }), 'providers/p.jwks.json': JWKS },
    { referencedFiles: new Map([['/cfg/providers/p.jwks.json', { text: JSON.stringify(JWKS) }]]) },
  );
  assert.equal(config.providers.length, 1);
});

test('a JWK Set in providers/ that no provider names is reported as such', () => {
  assertProblems(problemsOf({ 'providers/jwks.json': JWKS }), [['providers/jwks.json', '', /this is a JWK Set, not a provider/]]);
});

const jwksFileCases: {
  name: string;
  file: { text: string } | { error: string } | undefined;
  problems: readonly (readonly [string, string, RegExp])[];
}[] = [
  {
    name: 'missing',
    file: undefined,
    problems: [[F, 'JwksFile', /file not found: providers\/k\.json \(paths are relative to providers\/\)/]],
  },
  {
    name: 'unreadable',
    file: { error: 'permission denied' },
    problems: [[F, 'JwksFile', /cannot read providers\/k\.json: permission denied/]],
  },
  {
    name: 'not JSON',
    file: { text: '{"keys": [}' },
    problems: [
      ['providers/k.json', '', /invalid JSON at line 1, column 11/],
      [F, 'JwksFile', /providers\/k\.json is not a usable JWK Set/],
    ],
  },
  {
    name: 'not a JWK Set',
    file: { text: '{"keys": [{"kid": "a"}]}' },
    problems: [
      ['providers/k.json', 'keys[0].kty', /is required/],
      [F, 'JwksFile', /not a usable JWK Set/],
    ],
  },
];

for (const c of jwksFileCases) {
  test(`JwksFile rejected: ${c.name}`, () => {
    const referencedFiles = new Map(c.file ? [['/cfg/providers/k.json', c.file] as const] : []);
    assertProblems(problemsOf({ [F]: provider({ JwksFile: 'k.json' }) }, { referencedFiles }), c.problems);
  });
}

test('a JwksFile outside the directory is named by its absolute path', () => {
  assertProblems(problemsOf({ [F]: provider({ JwksFile: '/etc/idp/jwks.json' }) }), [
    [F, 'JwksFile', /file not found: \/etc\/idp\/jwks\.json/],
  ]);
});

test('two providers with the same Url (one written without scheme)', () => {
  assertProblems(
    problemsOf({
      'providers/a.json': provider({ Url: 'token.actions.githubusercontent.com' }),
      'providers/b.json': provider(),
    }),
    [['providers/b.json', 'Url', /https:\/\/token\.actions\.githubusercontent\.com is already registered by providers\/a\.json/]],
  );
});

test('Urls differing in case or trailing slash are different providers', () => {
  const config = configOf({
    'providers/a.json': provider({ Url: 'https://idp.example.com' }),
    'providers/b.json': provider({ Url: 'https://idp.example.com/' }),
    'providers/c.json': provider({ Url: 'https://IDP.example.com' }),
  });
  assert.deepEqual(
    config.providers.map((p) => p.url),
    ['https://idp.example.com', 'https://idp.example.com/', 'https://IDP.example.com'],
  );
});

const urlCases: [string, string | RegExp][] = [
  ['accounts.google.com', 'https://accounts.google.com'],
  ['https://accounts.google.com', 'https://accounts.google.com'],
  ['oidc.eks.us-east-1.amazonaws.com/id/ABC', 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC'],
  ['ftp://x.example.com', /must begin with https/],
  ['http://x.example.com', /must begin with https/],
];
for (const [raw, expected] of urlCases) {
  test(`normalizeProviderUrl(${raw})`, () => {
    const r = normalizeProviderUrl(raw);
    if (typeof expected === 'string') assert.deepEqual(r, { url: expected });
    else assert.match('error' in r ? r.error : '', expected);
  });
}

const jwksUriCases: [string, boolean][] = [
  ['https://idp.example.com/.well-known/jwks.json', true],
  ['http://localhost/jwks', true],
  ['http://127.0.0.1:9000/jwks', true],
  ['http://[::1]:9000/jwks', true],
  ['http://localhost.example.com/jwks', false],
  ['http://10.0.0.1/jwks', false],
  ['ws://localhost/jwks', false],
];
for (const [uri, ok] of jwksUriCases) {
  test(`JwksUri ${ok ? 'accepts' : 'rejects'} ${uri}`, () => assert.equal(checkJwksUri(uri) === undefined, ok));
}
