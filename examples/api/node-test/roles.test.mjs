// A trust-policy suite with node:test: start the emulator once, ask it as the AWS SDK would, stop it.
// Run: node --test examples/api/node-test/
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startEmulator } from 'sts-emulator';

let emulator;
before(async () => {
  emulator = await startEmulator(); // the demo policies, on a free port
});
after(() => emulator.stop());

async function assumeDeployMain(branch) {
  const sts = new STSClient({ endpoint: emulator.endpoint, region: emulator.region });
  const token = await emulator.mintToken({ preset: { name: 'circleci', branch } });
  return sts.send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: emulator.roleArn('deploy-main'), RoleSessionName: 'suite', WebIdentityToken: token }),
  );
}

test('main may deploy', async () => {
  const out = await assumeDeployMain('main');
  assert.match(out.Credentials.AccessKeyId, /^ASIA/);
});

test('feature branches may not', async () => {
  await assert.rejects(assumeDeployMain('feature/x'), { name: 'AccessDenied' });
});

test('and explain says why, without HTTP', async () => {
  const d = await emulator.decide({ role: 'deploy-main', preset: { name: 'circleci', branch: 'feature/x' } });
  assert.equal(d.decision, 'deny');
  assert.match(d.reason, /vcs-ref\/refs\/heads\/main/);
});
