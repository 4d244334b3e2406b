/**
 * The CLI as the tests that spawn it run it: what bin/sts-emulator.js runs (the bundle of scripts/bundle-cli.js when it
 * is at least as new as the compiled modules, as after `npm run build`; the modules' main.js otherwise). Tests that call
 * `main()` in-process run the modules; the spawned ones run what users run.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './harness.js';

function entry(): string {
  const dir = join(REPO_ROOT, 'dist', 'src', 'cli');
  const modules = join(dir, 'main.js');
  const bundle = join(dir, 'main.bundle.js');
  try {
    return statSync(bundle).mtimeMs >= statSync(modules).mtimeMs ? bundle : modules;
  } catch {
    return modules;
  }
}

export const CLI_ENTRY = entry();
