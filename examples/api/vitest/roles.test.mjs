import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { expect, inject, test } from 'vitest';

const sts = new STSClient({ endpoint: inject('stsEndpoint'), region: 'us-east-1' });
const assume = (token) =>
  sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: inject('deployMainArn'), RoleSessionName: 'vitest', WebIdentityToken: token }));

test('main may deploy', async () => {
  const out = await assume(inject('mainToken'));
  expect(out.AssumedRoleUser.Arn).toBe('arn:aws:sts::123456789012:assumed-role/deploy-main/vitest');
});

test('feature branches may not', async () => {
  await expect(assume(inject('featureToken'))).rejects.toMatchObject({ name: 'AccessDenied' });
});
