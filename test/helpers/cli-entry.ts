/**
 * The CLI as the tests that spawn it run it: bin/sts-emulator.js, as users run it (it runs the bundle of
 * scripts/bundle-cli.js after `npm run build`, the compiled modules after a bare `tsc`). Tests that call `main()`
 * in-process run the modules.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';

export const CLI_ENTRY = join(REPO_ROOT, 'bin', 'sts-emulator.js');
