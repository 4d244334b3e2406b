/** The demo configuration shipped with the package (`policies/` at its root): what runs when nothing else is given. */
import { fileURLToPath } from 'node:url';

export const DEMO_POLICIES_DIR = fileURLToPath(new URL('../../../policies', import.meta.url));
