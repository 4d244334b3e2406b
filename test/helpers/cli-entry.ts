/**
 * The CLI as the tests that spawn it run it: the file bin/sts-emulator.js runs (bin/dist-state.js `cliEntry`: the
 * bundle of scripts/bundle-cli.js after `npm run build`, the compiled modules after a bare `tsc`), spawned directly so
 * that a source file edited while the suite runs does not make bin refuse a stale build. Tests that call `main()`
 * in-process run the modules.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './harness.js';

const { cliEntry } = (await import(pathToFileURL(join(REPO_ROOT, 'bin', 'dist-state.js')).href)) as { cliEntry: (root: string) => string };

export const CLI_ENTRY = cliEntry(REPO_ROOT);
