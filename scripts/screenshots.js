#!/usr/bin/env node
// `npm run screenshots`: runs the demo page's browser tests (test/ui/page.test.ts, already built) with the screenshots
// going to docs/screenshots/, the folder README's demo section shows. Without Chromium it fails rather than skips.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', join(root, 'dist', 'test', 'ui', 'page.test.js')], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, STS_EMULATOR_SCREENSHOTS: join(root, 'docs', 'screenshots'), STS_EMULATOR_REQUIRE_CHROMIUM: '1' },
});
process.exit(r.status ?? 1);
