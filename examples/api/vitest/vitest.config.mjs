// vitest: one emulator for the whole run, started in globalSetup and handed to the tests with provide/inject.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { globalSetup: ['./global-setup.mjs'], include: ['*.test.mjs'] } });
