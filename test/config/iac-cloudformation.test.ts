/**
 * CloudFormation templates as a configuration source: intrinsic functions resolved as CloudFormation defines them
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html), a table of
 * vectors each put in a role's RoleName; what cannot be known without deploying is reported with its path, and the
 * role skipped. Then the YAML short forms, and the roles and providers a template yields.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readIacText } from '../../src/config/iac/index.js';
import { readCloudFormation } from '../../src/config/iac/cloudformation.js';
import { parseYamlTemplate } from '../../src/config/iac/yaml-template.js';
import { ACCOUNT } from './helpers.js';

const OPTIONS = { accountId: ACCOUNT, region: 'eu-west-1', parameters: new Map<string, string>() };
const NO_POSITIONS = { locate: () => undefined };
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** A template whose role `R` has `RoleName: value`, with the sections given. */
function templateWith(value: unknown, sections: Record<string, unknown> = {}): Record<string, unknown> {
  const extra = (sections['Resources'] ?? {}) as Record<string, unknown>;
  return {
    ...sections,
    Resources: { ...extra, R: { Type: 'AWS::IAM::Role', Properties: { RoleName: value, AssumeRolePolicyDocument: TRUST } } },
  };
}

const SECTIONS = {
  Parameters: {
    Env: { Type: 'String', Default: 'staging' },
    Hours: { Type: 'Number', Default: 2 },
    Names: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
    NoDefault: { Type: 'String' },
    FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
  },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'production'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    Both: { 'Fn::And': [{ Condition: 'NotProd' }, { 'Fn::Equals': ['1', 1] }] },
    Either: { 'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'NoDefault' }, 'x'] }, { Condition: 'NotProd' }] },
    Loop: { 'Fn::Not': [{ Condition: 'Loop' }] },
  },
  Mappings: { Names: { staging: { Short: 'stg' }, production: { Short: 'prd' } } },
  Resources: {
    Gh: {
      Type: 'AWS::IAM::OIDCProvider',
      Properties: { Url: 'https://token.actions.githubusercontent.com', ClientIdList: ['sts.amazonaws.com'] },
    },
    Cdk: { Type: 'Custom::AWSCDKOpenIdConnectProvider', Properties: { Url: 'https://oidc.example.com/ci', ClientIDList: ['x'] } },
    Other: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'other', Path: '/ci/', AssumeRolePolicyDocument: TRUST } },
    Bucket: { Type: 'AWS::S3::Bucket' },
  },
};

type Expect = { value: unknown } | { path: string; message: RegExp };

const P = 'Resources.R.Properties.RoleName';
const CASES: readonly { name: string; value: unknown; expect: Expect; parameters?: Record<string, string> }[] = [
  { name: 'a literal', value: 'plain', expect: { value: 'plain' } },
  { name: 'Ref a parameter default', value: { Ref: 'Env' }, expect: { value: 'staging' } },
  {
    name: 'Ref a parameter given with --parameter',
    value: { Ref: 'Env' },
    parameters: { Env: 'production' },
    expect: { value: 'production' },
  },
  { name: 'Ref a Number parameter is its text', value: { Ref: 'Hours' }, expect: { value: '2' } },
  { name: 'Ref AWS::Region', value: { Ref: 'AWS::Region' }, expect: { value: 'eu-west-1' } },
  { name: 'Ref AWS::AccountId', value: { Ref: 'AWS::AccountId' }, expect: { value: ACCOUNT } },
  { name: 'Ref AWS::Partition', value: { Ref: 'AWS::Partition' }, expect: { value: 'aws' } },
  { name: 'Ref AWS::URLSuffix', value: { Ref: 'AWS::URLSuffix' }, expect: { value: 'amazonaws.com' } },
  {
    name: 'Ref AWS::StackName is unresolved',
    value: { Ref: 'AWS::StackName' },
    expect: {
      path: P,
      message: /^AWS::StackName is known only when the stack is deployed; give it with --parameter AWS::StackName=<value>$/,
    },
  },
  {
    name: 'AWS::StackName given with --parameter',
    value: { Ref: 'AWS::StackName' },
    parameters: { 'AWS::StackName': 'ci' },
    expect: { value: 'ci' },
  },
  {
    name: 'a parameter without a Default',
    value: { Ref: 'NoDefault' },
    expect: { path: P, message: /^parameter 'NoDefault' has no Default; give it with --parameter NoDefault=<value>$/ },
  },
  {
    name: 'an SSM parameter: its Default is a name, not a value',
    value: { Ref: 'FromSsm' },
    expect: { path: P, message: /is read from SSM Parameter Store when deployed; give its value with --parameter FromSsm=<value>/ },
  },
  { name: 'an SSM parameter given with --parameter', value: { Ref: 'FromSsm' }, parameters: { FromSsm: '21' }, expect: { value: '21' } },
  {
    name: 'Ref an OIDC provider is its ARN',
    value: { Ref: 'Gh' },
    expect: { value: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
  },
  {
    name: "Ref CDK's provider custom resource is its ARN",
    value: { Ref: 'Cdk' },
    expect: { value: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.example.com/ci` },
  },
  {
    name: 'Fn::GetAtt provider Arn (list form)',
    value: { 'Fn::GetAtt': ['Gh', 'Arn'] },
    expect: { value: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
  },
  {
    name: 'Fn::GetAtt role Arn (string form)',
    value: { 'Fn::GetAtt': 'Other.Arn' },
    expect: { value: `arn:aws:iam::${ACCOUNT}:role/ci/other` },
  },
  { name: 'Ref a role is its name', value: { Ref: 'Other' }, expect: { value: 'other' } },
  {
    name: 'Ref another resource is unresolved',
    value: { Ref: 'Bucket' },
    expect: { path: P, message: /^Ref to 'Bucket' \(AWS::S3::Bucket\) is known only when the stack is deployed$/ },
  },
  {
    name: 'Fn::GetAtt of another resource is unresolved',
    value: { 'Fn::Join': ['', ['x-', { 'Fn::GetAtt': ['Bucket', 'Arn'] }]] },
    expect: {
      path: `${P}["Fn::Join"][1][1]`,
      message: /^Fn::GetAtt Bucket\.Arn \(AWS::S3::Bucket\) is known only when the stack is deployed$/,
    },
  },
  {
    name: 'Ref to nothing',
    value: { Ref: 'Nope' },
    expect: { path: P, message: /the template has no parameter or resource of that name/ },
  },
  {
    name: 'Fn::Sub with pseudo parameters and parameters',
    value: { 'Fn::Sub': '${AWS::Region}-${Env}-deploy' },
    expect: { value: 'eu-west-1-staging-deploy' },
  },
  { name: 'Fn::Sub with variables', value: { 'Fn::Sub': ['${A}-${Env}', { A: { Ref: 'Hours' } }] }, expect: { value: '2-staging' } },
  { name: 'Fn::Sub keeps ${!Literal}', value: { 'Fn::Sub': 'x${!Literal}y' }, expect: { value: 'x${Literal}y' } },
  {
    name: 'Fn::Sub with ${Resource.Attribute}',
    value: { 'Fn::Sub': '${Other.Arn}' },
    expect: { value: `arn:aws:iam::${ACCOUNT}:role/ci/other` },
  },
  {
    name: 'Fn::Sub of an unknown value',
    value: { 'Fn::Sub': 'x-${Bucket}' },
    expect: { path: `${P}["Fn::Sub"]`, message: /Ref to 'Bucket' \(AWS::S3::Bucket\)/ },
  },
  { name: 'Fn::Join', value: { 'Fn::Join': ['-', ['a', { Ref: 'Env' }, 3]] }, expect: { value: 'a-staging-3' } },
  { name: 'Fn::Join of a list parameter', value: { 'Fn::Join': ['+', { Ref: 'Names' }] }, expect: { value: 'a+b+c' } },
  { name: 'Fn::Select', value: { 'Fn::Select': ['1', { Ref: 'Names' }] }, expect: { value: 'b' } },
  {
    name: 'Fn::Select out of range',
    value: { 'Fn::Select': [3, { Ref: 'Names' }] },
    expect: { path: `${P}["Fn::Select"][0]`, message: /index 3 is outside the 3 values/ },
  },
  { name: 'Fn::Split then Fn::Select', value: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, expect: { value: 'b' } },
  { name: 'Fn::If on a false condition', value: { 'Fn::If': ['IsProd', 'prod', 'not-prod'] }, expect: { value: 'not-prod' } },
  {
    name: 'Fn::If on a condition that a --parameter makes true',
    value: { 'Fn::If': ['IsProd', 'prod', 'not-prod'] },
    parameters: { Env: 'production' },
    expect: { value: 'prod' },
  },
  { name: 'Fn::Not of a Condition', value: { 'Fn::If': ['NotProd', 'yes', 'no'] }, expect: { value: 'yes' } },
  { name: 'Fn::And, and Fn::Equals comparing 1 with "1"', value: { 'Fn::If': ['Both', 'yes', 'no'] }, expect: { value: 'yes' } },
  { name: 'Fn::Or settled by a known operand', value: { 'Fn::If': ['Either', 'yes', 'no'] }, expect: { value: 'yes' } },
  {
    name: 'Fn::Or not settled: the unknown operand is reported',
    value: { 'Fn::If': ['Either', 'yes', 'no'] },
    parameters: { Env: 'production' },
    expect: { path: 'Conditions.Either["Fn::Or"][0]["Fn::Equals"][0]', message: /parameter 'NoDefault' has no Default/ },
  },
  {
    name: 'a condition that depends on itself',
    value: { 'Fn::If': ['Loop', 'a', 'b'] },
    expect: { path: 'Conditions.Loop["Fn::Not"][0].Condition', message: /depends on itself/ },
  },
  {
    name: 'Fn::If with AWS::NoValue leaves the property out: the logical id names the role',
    value: { 'Fn::If': ['IsProd', 'x', { Ref: 'AWS::NoValue' }] },
    expect: { value: 'R' },
  },
  { name: 'Fn::FindInMap', value: { 'Fn::FindInMap': ['Names', { Ref: 'Env' }, 'Short'] }, expect: { value: 'stg' } },
  {
    name: 'Fn::FindInMap of a missing key',
    value: { 'Fn::FindInMap': ['Names', 'dev', 'Short'] },
    expect: { path: P, message: /Mappings has no Names\.dev\.Short/ },
  },
  { name: 'Fn::Base64', value: { 'Fn::Base64': 'hi' }, expect: { value: 'aGk=' } },
  {
    name: 'Fn::ImportValue is unresolved',
    value: { 'Fn::ImportValue': 'SharedName' },
    expect: { path: P, message: /^Fn::ImportValue reads another stack's export, known only when deployed$/ },
  },
  {
    name: 'Fn::GetAZs is unresolved',
    value: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
    expect: { path: `${P}["Fn::Select"][1]`, message: /availability zones/ },
  },
  {
    name: 'a malformed Fn::Join',
    value: { 'Fn::Join': 'x' },
    expect: { path: `${P}["Fn::Join"]`, message: /takes a list of 2 arguments/ },
  },
];

describe('intrinsic functions, resolved into a role name', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const read = readCloudFormation(templateWith(c.value, SECTIONS), NO_POSITIONS, {
        ...OPTIONS,
        parameters: new Map(Object.entries(c.parameters ?? {})),
      });
      assert.deepEqual(read.problems, []);
      const role = read.roles.find((r) => r.resource === 'R');
      if ('value' in c.expect) {
        assert.deepEqual(read.skipped, []);
        assert.equal(role?.doc['RoleName'], c.expect.value);
      } else {
        assert.equal(role, undefined, 'the role is skipped');
        assert.equal(read.skipped.length, 1, JSON.stringify(read.skipped));
        const [s] = read.skipped;
        assert.equal(s?.resource, 'R');
        assert.equal(s?.kind, 'role');
        assert.equal(s?.path, c.expect.path);
        assert.match(s?.message ?? '', c.expect.message);
      }
    });
  }
});

describe('resources of a template', () => {
  test('a resource whose Condition is false is not created; one whose Condition is unknown is skipped', () => {
    const template = {
      Parameters: { Env: { Type: 'String', Default: 'staging' }, Unknown: { Type: 'String' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'production'] }, Maybe: { 'Fn::Equals': [{ Ref: 'Unknown' }, 'x'] } },
      Resources: {
        ProdOnly: { Type: 'AWS::IAM::Role', Condition: 'IsProd', Properties: { AssumeRolePolicyDocument: TRUST } },
        MaybeRole: { Type: 'AWS::IAM::Role', Condition: 'Maybe', Properties: { AssumeRolePolicyDocument: TRUST } },
      },
    };
    const read = readCloudFormation(template, NO_POSITIONS, OPTIONS);
    assert.deepEqual(read.roles, []);
    assert.deepEqual(
      read.skipped.map((s) => [s.resource, s.path]),
      [['MaybeRole', 'Conditions.Maybe["Fn::Equals"][0]']],
    );
    const prod = readCloudFormation(template, NO_POSITIONS, { ...OPTIONS, parameters: new Map([['Env', 'production']]) });
    assert.deepEqual(
      prod.roles.map((r) => r.doc['RoleName']),
      ['ProdOnly'],
    );
  });

  test('a role without RoleName is named by its logical id, unless that is longer than a role name may be', () => {
    const long = 'CustomAWSCDKOpenIdConnectProviderCustomResourceProviderRole517FED65';
    const read = readCloudFormation(
      {
        Resources: {
          Short: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST } },
          [long]: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: TRUST } },
        },
      },
      NO_POSITIONS,
      OPTIONS,
    );
    assert.deepEqual(
      read.roles.map((r) => [r.doc['RoleName'], r.paths['RoleName']]),
      [['Short', 'Resources.Short']],
    );
    assert.equal(read.skipped[0]?.resource, long);
    assert.match(
      read.skipped[0]?.message ?? '',
      /has no RoleName, and its logical id \(67 characters\) is longer than a role name may be \(64\)/,
    );
  });

  test('every unresolved value of a role is reported, and MaxSessionDuration given as text is a number', () => {
    const read = readCloudFormation(
      {
        Parameters: { Hours: { Type: 'Number', Default: 7200 } },
        Resources: {
          B: { Type: 'AWS::S3::Bucket' },
          R: {
            Type: 'AWS::IAM::Role',
            Properties: {
              RoleName: { Ref: 'B' },
              MaxSessionDuration: { Ref: 'Hours' },
              AssumeRolePolicyDocument: { 'Fn::ImportValue': 'X' },
            },
          },
          S: { Type: 'AWS::IAM::Role', Properties: { MaxSessionDuration: { Ref: 'Hours' }, AssumeRolePolicyDocument: TRUST } },
        },
      },
      NO_POSITIONS,
      OPTIONS,
    );
    assert.deepEqual(
      read.skipped.map((s) => s.path),
      ['Resources.R.Properties.RoleName', 'Resources.R.Properties.AssumeRolePolicyDocument'],
    );
    assert.equal(read.roles[0]?.doc['MaxSessionDuration'], 7200);
  });

  test('a provider with an unresolvable Url is skipped, and so is a role whose trust names it', () => {
    const read = readCloudFormation(
      {
        Parameters: { Domain: { Type: 'String' } },
        Resources: {
          P: { Type: 'AWS::IAM::OIDCProvider', Properties: { Url: { 'Fn::Sub': 'https://${Domain}' }, ClientIdList: ['a'] } },
          R: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: {
                ...TRUST,
                Statement: [{ Effect: 'Allow', Principal: { Federated: { Ref: 'P' } }, Action: 'sts:AssumeRoleWithWebIdentity' }],
              },
            },
          },
        },
      },
      NO_POSITIONS,
      OPTIONS,
    );
    assert.deepEqual(
      read.skipped.map((s) => [s.kind, s.resource, s.path]),
      [
        ['provider', 'P', 'Resources.P.Properties.Url["Fn::Sub"]'],
        ['role', 'R', 'Resources.R.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Federated'],
      ],
    );
    assert.match(
      read.skipped[1]?.message ?? '',
      /^P\.Arn depends on Resources\.P\.Properties\.Url\["Fn::Sub"\], which is unresolved: parameter 'Domain' has no Default/,
    );
  });

  test('sections that are not objects are problems', () => {
    const read = readCloudFormation({ Resources: {}, Parameters: [] }, NO_POSITIONS, OPTIONS);
    assert.deepEqual(read.problems, [{ path: 'Parameters', message: 'must be an object, got an array' }]);
  });
});

describe('YAML templates: the short forms are the long forms', () => {
  const cases: readonly [string, string, unknown][] = [
    ['!Ref', 'v: !Ref Env', { v: { Ref: 'Env' } }],
    ['!GetAtt scalar', 'v: !GetAtt Res.Arn', { v: { 'Fn::GetAtt': ['Res', 'Arn'] } }],
    ['!GetAtt with a dotted attribute', 'v: !GetAtt Db.Endpoint.Address', { v: { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] } }],
    ['!GetAtt list', 'v: !GetAtt [Res, Arn]', { v: { 'Fn::GetAtt': ['Res', 'Arn'] } }],
    ['!Sub scalar', 'v: !Sub "${AWS::Region}-x"', { v: { 'Fn::Sub': '${AWS::Region}-x' } }],
    ['!Sub list', 'v: !Sub ["${A}", {A: !Ref B}]', { v: { 'Fn::Sub': ['${A}', { A: { Ref: 'B' } }] } }],
    ['!Join', 'v: !Join ["", [a, !Ref B]]', { v: { 'Fn::Join': ['', ['a', { Ref: 'B' }]] } }],
    ['!If with !Ref AWS::NoValue', 'v: !If [C, a, !Ref "AWS::NoValue"]', { v: { 'Fn::If': ['C', 'a', { Ref: 'AWS::NoValue' }] } }],
    [
      '!Equals and !Condition',
      'v: !And [!Equals [a, b], !Condition C]',
      { v: { 'Fn::And': [{ 'Fn::Equals': ['a', 'b'] }, { Condition: 'C' }] } },
    ],
    ['a date-like Version stays text (no timestamp type)', 'Version: 2012-10-17', { Version: '2012-10-17' }],
    // YAML 1.1, as CloudFormation reads it: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html
    ['YAML 1.1 booleans', 'a: yes\nb: off\nc: "yes"', { a: true, b: false, c: 'yes' }],
    ['YAML 1.1 octal and sexagesimal', 'a: 0700\nb: 1:20', { a: 448, b: 80 }],
    [
      'a leading-zero account id with an 8 or 9 is text (1.1 decimals have no leading zero)',
      'a: 012345678901\nb: 123456789012',
      {
        a: '012345678901',
        b: 123456789012,
      },
    ],
    ['a << key is a key (no hash merges)', 'a: {"<<": {b: 1}}', { a: { '<<': { b: 1 } } }],
    ['a block scalar under !Sub', 'v: !Sub |\n  a-${B}\n', { v: { 'Fn::Sub': 'a-${B}\n' } }],
  ];
  for (const [name, text, expected] of cases) {
    test(name, () => {
      const r = parseYamlTemplate(text);
      assert.ok(r.ok, r.ok ? '' : r.message);
      assert.deepEqual(r.value, expected);
    });
  }

  const refusals: readonly [string, string, RegExp][] = [
    ['an unknown tag', 'a: 1\nv: !Frobnicate x', /^invalid YAML template at line 2, column \d+: unknown tag !Frobnicate/],
    ['a duplicate key', 'a: 1\na: 2', /^invalid YAML at line 2, column 1: Map keys must be unique/],
    ['a syntax error', 'a: [1, 2', /^invalid YAML at line 1, column/],
    ['an alias', 'a: &x [1]\nb: *x', /^invalid YAML template at line 2, column 4: CloudFormation does not allow YAML aliases$/],
    ['an alias as a key', 'a: &x k\n*x : 1', /CloudFormation does not allow YAML aliases$/],
    [
      'a !!binary value',
      'a: !!binary aGk=',
      /^invalid YAML template at line 1, column \d+: CloudFormation does not support the YAML type !!binary$/,
    ],
    ['a !!set', 'a: !!set {x, y}', /CloudFormation does not support the YAML type !!set$/],
    ['a !!timestamp', 'a: !!timestamp 2012-10-17', /CloudFormation does not support the YAML type !!timestamp$/],
  ];
  for (const [name, text, message] of refusals) {
    test(`refused: ${name}`, () => {
      const r = parseYamlTemplate(text);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.message, message);
    });
  }

  test('positions: a dotted path is found in the YAML, a tagged value by its nearest written ancestor', () => {
    const text = 'Resources:\n  R:\n    Properties:\n      RoleName: !Sub "${AWS::Region}-x"\n      Path: /ci/\n';
    const r = parseYamlTemplate(text);
    assert.ok(r.ok);
    assert.deepEqual(r.positions.locate('Resources.R.Properties.Path'), { offset: text.indexOf('/ci/'), length: 4, line: 5, column: 13 });
    assert.equal(r.positions.locate('Resources.R.Properties.RoleName["Fn::Sub"]')?.line, 4);
    assert.equal(r.positions.locate('Resources.R.Properties.Missing')?.line, 4); // the Properties mapping, from its first key
  });
});

describe('detection by content', () => {
  const read = (name: string, text: string, required = false) => readIacText(name, text, { ...OPTIONS, required, quote: true });
  test('JSON and YAML templates, Terraform plan and state', () => {
    assert.equal(read('t.json', JSON.stringify({ Resources: { A: { Type: 'AWS::SNS::Topic' } } })).kind, 'cloudformation');
    assert.equal(read('t.yaml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n').kind, 'cloudformation');
    assert.equal(read('p.json', JSON.stringify({ format_version: '1.2', resource_changes: [] })).kind, 'terraform-plan');
    assert.equal(read('s.json', JSON.stringify({ format_version: '1.0', terraform_version: '1.9.8', values: {} })).kind, 'terraform-state');
    assert.equal(read('empty.json', JSON.stringify({ format_version: '1.0', terraform_version: '1.9.8' })).kind, 'terraform-state');
  });
  test("a directory's other files are left alone; one named like a template, or named by --policies, must be one", () => {
    assert.equal(read('manifest.json', JSON.stringify({ version: '36.0.0', artifacts: {} })).kind, 'none');
    assert.equal(read('notes.yaml', 'a: [1,').kind, 'none');
    assert.deepEqual(read('x.template.json', '{"a": 1}'), {
      kind: 'error',
      message: 'not a CloudFormation template (no Resources) nor the JSON of terraform show -json (no format_version)',
    });
    assert.equal(read('manifest.json', '{}', true).kind, 'error');
    assert.match((read('stack.yaml', 'AWSTemplateFormatVersion: x\nResources: [', false) as { message: string }).message, /^invalid YAML/);
  });
});

describe('hostile templates are refused or resolved in bounded time, never crashed on', () => {
  test('references chained deeper than the stack', () => {
    const resources: Record<string, unknown> = {};
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const next = i + 1 < n ? { 'Fn::GetAtt': [`R${i + 1}`, 'Arn'] } : 'end';
      resources[`R${i}`] = {
        Type: 'AWS::IAM::Role',
        Properties: { RoleName: { 'Fn::Select': [0, [next]] }, AssumeRolePolicyDocument: TRUST },
      };
    }
    const read = readIacText('deep.json', JSON.stringify({ Resources: resources }), { ...OPTIONS, required: true, quote: true });
    assert.deepEqual(read, { kind: 'error', message: 'references nested too deeply to resolve' });
  });

  test('Fn::Sub with a hundred thousand placeholders', () => {
    const text = '${AWS::Region}'.repeat(100_000);
    const started = Date.now();
    const read = readCloudFormation(templateWith({ 'Fn::Sub': text }), NO_POSITIONS, OPTIONS);
    assert.ok(Date.now() - started < 2_000, 'linear in the text');
    assert.equal((read.roles[0]?.doc['RoleName'] as string).length, 'eu-west-1'.length * 100_000);
  });

  test('a mapping value is taken as written (CloudFormation allows no function in it)', () => {
    const read = readCloudFormation(
      templateWith({ 'Fn::FindInMap': ['M', 'a', 'b'] }, { Mappings: { M: { a: { b: { 'Fn::FindInMap': ['M', 'a', 'b'] } } } } }),
      NO_POSITIONS,
      OPTIONS,
    );
    assert.deepEqual(read.roles[0]?.doc['RoleName'], { 'Fn::FindInMap': ['M', 'a', 'b'] });
  });
});
