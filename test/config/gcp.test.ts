/**
 * gcp/pools/*.json and gcp/service-accounts/*.json through the loader: accepted shapes (gcloud's describe output,
 * an array of providers, the three key sources) and every problem at once, each with its file and JSON path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configOf, problemsOf, show } from './helpers.js';
import { EXAMPLE_JWKS } from '../helpers/example-jwks.js';

const ORG = 'b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d';
const ISSUER = `https://oidc.circleci.com/org/${ORG}`;
const NAME = 'projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/providers/circleci-demo';
const POOL = 'projects/314159265358/locations/global/workloadIdentityPools/circleci-pool';
const JWKS = JSON.stringify(EXAMPLE_JWKS);

function pool(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: NAME,
    attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.project': "assertion['oidc.circleci.com/project-id']" },
    attributeCondition: `assertion.aud == '${ORG}'`,
    oidc: { issuerUri: ISSUER, allowedAudiences: [ORG], jwksJson: JWKS },
    ...fields,
  };
}

const SA = {
  email: 'deployer@demo-project.iam.gserviceaccount.com',
  bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [`principalSet://iam.googleapis.com/${POOL}/attribute.project/p1`] }],
};

const EMULATED_AWS = { Url: ISSUER, ClientIDList: [ORG], Emulated: true };

test('gcp: a provider as gcloud describes it, and a service account', () => {
  const config = configOf({
    'gcp/pools/circleci.json': pool({ state: 'ACTIVE', displayName: 'CircleCI' }),
    'gcp/service-accounts/deployer.json': SA,
  });
  const [p] = config.gcp?.providers ?? [];
  assert.ok(p !== undefined);
  assert.equal(p.projectNumber, '314159265358');
  assert.equal(p.poolId, 'circleci-pool');
  assert.equal(p.providerId, 'circleci-demo');
  assert.deepEqual(p.allowedAudiences, [ORG]);
  assert.equal(p.keys.kind, 'inline');
  assert.equal(p.disabled, false);
  assert.equal(p.file, 'gcp/pools/circleci.json');
  assert.deepEqual(
    p.mapping.entries.map((e) => e.key),
    ['google.subject', 'attribute.project'],
  );
  assert.equal(p.condition?.text, `assertion.aud == '${ORG}'`);
  const [sa] = config.gcp?.serviceAccounts ?? [];
  assert.ok(sa !== undefined);
  const { positions, ...rest } = sa;
  assert.deepEqual(rest, { ...SA, disabled: false, file: 'gcp/service-accounts/deployer.json', at: '' });
  // Where each value is written, for lint's line and column (the helper writes JSON.stringify with two spaces).
  const text = JSON.stringify(SA, null, 2);
  const member = JSON.stringify(SA.bindings[0]?.members[0]);
  const region = positions.locate('bindings[0].members[0]');
  assert.equal(region?.offset, text.indexOf(member));
  assert.equal(text.slice(region.offset, region.offset + region.length), member);
  assert.equal(region.line, text.slice(0, region.offset).split('\n').length);
  assert.equal(region.column, 9);
  assert.equal(p.positions.locate('attributeCondition')?.line, 7);
});

test('gcp: the providers of an array file know their index, and where they are written', () => {
  const other = NAME.replace('circleci-demo', 'other-prov');
  const config = configOf({ 'gcp/pools/a.json': [pool(), pool({ name: other })] });
  assert.deepEqual(
    config.gcp?.providers.map((p) => [p.at, p.positions.locate(`${p.at}.name`)?.line]),
    [
      ['[0]', 3],
      ['[1]', 18],
    ],
  );
});

test('gcp: keys from the emulated issuer of the same Url, or discovery', () => {
  const emulated = configOf({
    'providers/circleci.json': EMULATED_AWS,
    'gcp/pools/a.json': pool({ Emulated: true, oidc: { issuerUri: ISSUER, allowedAudiences: [ORG] } }),
  });
  assert.equal(emulated.gcp?.providers[0]?.keys.kind, 'emulated');
  const discovery = configOf({ 'gcp/pools/a.json': pool({ oidc: { issuerUri: ISSUER } }) });
  assert.deepEqual(discovery.gcp?.providers[0]?.keys, { kind: 'discovery' });
  assert.deepEqual(discovery.gcp?.providers[0]?.allowedAudiences, []);
});

test('gcp: a file may hold an array of providers; disabled and DELETED providers are kept, disabled', () => {
  const other = NAME.replace('circleci-demo', 'other-prov');
  const config = configOf({ 'gcp/pools/a.json': [pool({ disabled: true }), pool({ name: other, state: 'DELETED' })] });
  assert.deepEqual(
    config.gcp?.providers.map((p) => [p.providerId, p.disabled]),
    [
      ['circleci-demo', true],
      ['other-prov', true],
    ],
  );
});

test('gcp: every problem at once, with file and JSON path', () => {
  const problems = problemsOf({
    'gcp/pools/bad.json': {
      name: 'projects/my-project/pools/x',
      attributeMapping: { 'attribute.Project': 'assertion.x', 'attribute.ok': 'assertion.(', 'google.display_name': 'assertion.n' },
      attributeCondition: "assertion.sub == = 'x'",
      oidc: { issuerUri: 'http://issuer.example.com', allowedAudiences: ['', 3], jwksJson: '{"keys": "no"}', extra: 1 },
      disabled: 'no',
      saml: {},
      Emulated: true,
    },
    'gcp/pools/not-json.json': '{',
    'gcp/service-accounts/bad.json': {
      email: 'not an email',
      bindings: [
        {
          role: 'workloadIdentityUser',
          members: ['principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/group/g', 7],
        },
        {
          role: 'roles/iam.workloadIdentityUser',
          members: ['principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/s'],
          condition: {},
        },
      ],
      colour: 'blue',
    },
  }).map(show);
  const expected: [string, RegExp][] = [
    ['gcp/pools/bad.json: saml: ', /only OIDC providers/],
    ['gcp/pools/bad.json: name: ', /must be projects\/<project number>/],
    ['gcp/pools/bad.json: disabled: ', /true or false/],
    ['gcp/pools/bad.json: attributeMapping["attribute.Project"]: ', /google.subject, google.groups or attribute/],
    ['gcp/pools/bad.json: attributeMapping["google.display_name"]: ', /google.subject, google.groups or attribute/],
    ['gcp/pools/bad.json: attributeMapping: ', /must map google.subject/],
    ['gcp/pools/bad.json: attributeMapping["attribute.ok"]: ', /not a valid CEL expression/],
    ['gcp/pools/bad.json: attributeCondition: ', /not a valid CEL expression: <input>:1:/],
    ['gcp/pools/bad.json: oidc.extra: ', /unknown field/],
    ['gcp/pools/bad.json: oidc.issuerUri: ', /Invalid OIDC issuer URI\. The scheme must be https\./],
    ['gcp/pools/bad.json: oidc.allowedAudiences[0]: ', /1 to 256/],
    ['gcp/pools/bad.json: oidc.allowedAudiences[1]: ', /1 to 256/],
    ['gcp/pools/bad.json: : ', /oidc.jwksJson or "Emulated": true, not both/],
    ['gcp/pools/bad.json: oidc.jwksJson.keys: ', /array of JWKs/],
    ['gcp/pools/not-json.json: ', /./],
    ['gcp/service-accounts/bad.json: colour: ', /unknown field/],
    ['gcp/service-accounts/bad.json: email: ', /service account's email/],
    ['gcp/service-accounts/bad.json: bindings[0].role: ', /roles\/iam.workloadIdentityUser/],
    ['gcp/service-accounts/bad.json: bindings[0].members[0]: ', /principal:\/\/ member names one subject/],
    ['gcp/service-accounts/bad.json: bindings[0].members[1]: ', /must be a string/],
    ['gcp/service-accounts/bad.json: bindings[1].condition: ', /IAM conditions on bindings are not emulated/],
    ['gcp/service-accounts/bad.json: bindings[1].members[0]: ', /principalSet:\/\/ member names a group/],
  ];
  for (const [prefix, message] of expected) {
    assert.ok(
      problems.some((p) => p.startsWith(prefix) && message.test(p.slice(prefix.length))),
      `expected ${prefix}${String(message)} among:\n${problems.join('\n')}`,
    );
  }
});

test('gcp: Emulated needs an emulated provider with that Url in providers/', () => {
  const problems = problemsOf({ 'gcp/pools/a.json': pool({ Emulated: true, oidc: { issuerUri: ISSUER, allowedAudiences: [ORG] } }) }).map(
    show,
  );
  assert.deepEqual(problems, [
    `gcp/pools/a.json: Emulated: no emulated provider in providers/ has the Url ${ISSUER} (its key signs the tokens)`,
  ]);
});

test('gcp: a provider name or a service account email defined twice', () => {
  const problems = problemsOf({
    'gcp/pools/a.json': pool(),
    'gcp/pools/b.json': pool(),
    'gcp/service-accounts/a.json': SA,
    'gcp/service-accounts/b.json': SA,
  }).map(show);
  assert.deepEqual(problems, [
    `gcp/pools/b.json: name: ${NAME} is already defined in gcp/pools/a.json`,
    `gcp/service-accounts/b.json: email: ${SA.email} is already defined in gcp/service-accounts/a.json`,
  ]);
});

test('gcp: more than 50 custom attributes, an expression over 2048 characters, a condition over 4096', () => {
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`attribute.a${i}`, 'assertion.sub']));
  const problems = problemsOf({
    'gcp/pools/a.json': pool({
      attributeMapping: { 'google.subject': `assertion.sub + '${'x'.repeat(2048)}'`, ...many },
      attributeCondition: `'${'y'.repeat(4096)}' == ''`,
    }),
  }).map(show);
  assert.ok(problems.includes('gcp/pools/a.json: attributeMapping: must have at most 50 custom attributes, got 51'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('gcp/pools/a.json: attributeMapping["google.subject"]: must be at most 2048 characters')));
  assert.ok(problems.some((p) => p.startsWith('gcp/pools/a.json: attributeCondition: must be at most 4096 characters')));
});
