#!/usr/bin/env node
// `prestart` and `prepare`: builds (npm run build) only when dist/ is missing or older than src/ (bin/dist-state.js),
// so `npm start` on an unchanged tree starts at once. `npm test` runs `npm run build` itself.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distState } from '../bin/dist-state.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const state = distState(root);
if (state !== 'fresh') {
  process.stderr.write(`sts-emulator: dist/ is ${state === 'missing' ? 'missing' : 'older than src/'}: building (npm run build)\n`);
  const npm = process.env['npm_execpath'];
  const r =
    npm === undefined
      ? spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
      : spawnSync(process.execPath, [npm, 'run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
