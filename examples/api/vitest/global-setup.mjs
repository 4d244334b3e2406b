import { startEmulator } from 'sts-emulator';

export default async function setup({ provide }) {
  const emulator = await startEmulator();
  provide('stsEndpoint', emulator.endpoint);
  provide('deployMainArn', emulator.roleArn('deploy-main'));
  provide('mainToken', await emulator.mintToken({ preset: { name: 'circleci', branch: 'main' } }));
  provide('featureToken', await emulator.mintToken({ preset: { name: 'circleci', branch: 'feature/x' } }));
  return () => emulator.stop();
}
