// AWS SDK for JavaScript v3: the web-identity provider and the STS client, both pointed at the emulator.
// npm install @aws-sdk/client-sts @aws-sdk/credential-providers. Inputs: STS_ENDPOINT, TOKEN_FILE.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTokenFile } from '@aws-sdk/credential-providers';

const endpoint = process.env.STS_ENDPOINT;
const region = 'us-east-1';

const credentials = fromTokenFile({
  webIdentityTokenFile: process.env.TOKEN_FILE,
  roleArn: 'arn:aws:iam::123456789012:role/deploy-main',
  roleSessionName: 'readme-sdk-v3',
  // The provider's own STS client: without an endpoint here (or AWS_ENDPOINT_URL_STS) it calls real AWS STS.
  clientConfig: { endpoint, region },
});

const sts = new STSClient({ endpoint, region, credentials });
const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
console.log(Arn);
