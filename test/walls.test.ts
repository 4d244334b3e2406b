/**
 * scripts/check-walls.js over small src trees: a clean tree passes, and each wall fails on a planted breach with
 * one line `file:line: rule: specifier`. The cases call its check in-process; the script itself runs twice (a clean
 * tree: exit 0, silent; a breach: exit 1 and the line).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'check-walls.js');

/** Every import a wall allows, and import-looking text that is not an import. */
const CLEAN: Readonly<Record<string, string>> = {
  'policy/evaluate.ts':
    "import { BlockList } from 'node:net';\nimport { parse } from './parse.js';\nimport type { Node } from './sub/types.js';\nexport const s = \"import('jose')\";\n",
  'policy/parse.ts': "// import { x } from '../sts/web-identity.js';\nexport function parse(): void {}\n",
  'policy/sub/types.ts': "export type { Node } from '../parse.js';\nconst r = /['\"]/;\n",
  'protocol/errors.ts': "/* import express from 'express'; */\nexport * from './xml.js';\n",
  'identity/verifier.ts':
    "import * as errors from 'jose/errors';\nimport type { JWTVerifyGetKey } from 'jose';\nimport { MESSAGES } from '../protocol/errors.js';\n",
  'server/app.ts': "import express from 'express';\nimport type { Request } from 'express';\nimport { handle } from '../sts/index.js';\n",
  'sts/index.ts': "export { handle } from './web-identity.js';\nimport { verify } from '../identity/verifier.js';\n",
  'iam/index.ts':
    "export { ops } from './operations.js';\nimport { dispatch } from '../sts/index.js';\nimport type { RoleConfig } from '../config/index.js';\n",
  'api/emulator.ts': "import { iamOperations } from '../iam/index.js';\nimport { createStsServer } from '../server/index.js';\n",
  'cli/main.ts': [
    "import { parseArgs } from 'node:util';",
    "import { handle } from '../sts/index.js';",
    "import type { App } from '../server/index.js';",
    "import { serve } from './serve.js';",
    'const msg = `run import("../sts/web-identity.js") yourself`;',
    "export async function lazy(): Promise<unknown> { return import('./token.js'); }",
    '',
  ].join('\n'),
};

interface Case {
  readonly name: string;
  readonly file: string;
  readonly text: string;
  readonly expect: string;
}

const cases: readonly Case[] = [
  {
    name: 'policy imports a value from sts',
    file: 'policy/bad.ts',
    text: "import { x } from '../sts/web-identity.js';\n",
    expect: 'src/policy/bad.ts:1: leaf: ../sts/web-identity.js',
  },
  {
    name: 'protocol imports a type from identity',
    file: 'protocol/bad.ts',
    text: "\nimport type { OidcProvider } from '../identity/types.js';\n",
    expect: 'src/protocol/bad.ts:2: leaf: ../identity/types.js',
  },
  {
    name: 'policy re-exports from config',
    file: 'policy/sub/bad.ts',
    text: "export { load } from '../../config/load.js';\n",
    expect: 'src/policy/sub/bad.ts:1: leaf: ../../config/load.js',
  },
  {
    name: 'protocol imports outside src',
    file: 'protocol/bad.ts',
    text: "import pkg from '../../package.json';\n",
    expect: 'src/protocol/bad.ts:1: leaf: ../../package.json',
  },
  {
    name: 'jose by subpath in sts',
    file: 'sts/bad.ts',
    text: "import { jwtVerify } from 'jose/jwt/verify';\n",
    expect: 'src/sts/bad.ts:1: jose: jose/jwt/verify',
  },
  {
    name: 'jose loaded lazily in cli',
    file: 'cli/bad.ts',
    text: "export const load = async () => {\n  return await import('jose');\n};\n",
    expect: 'src/cli/bad.ts:2: jose: jose',
  },
  {
    name: 'express types in sts',
    file: 'sts/bad.ts',
    text: "import type { Request } from 'express';\n",
    expect: 'src/sts/bad.ts:1: express: express',
  },
  {
    name: 'express in policy (one line per breach)',
    file: 'policy/bad.ts',
    text: "import 'express';\n",
    expect: 'src/policy/bad.ts:1: express: express',
  },
  {
    name: 'iam imports the server',
    file: 'iam/bad.ts',
    text: "import { createStsServer } from '../server/index.js';\n",
    expect: 'src/iam/bad.ts:1: iam: ../server/index.js',
  },
  {
    name: 'iam imports the package API (types too)',
    file: 'iam/sub/bad.ts',
    text: "import type { LiveConfiguration } from '../../api/live.js';\n",
    expect: 'src/iam/sub/bad.ts:1: iam: ../../api/live.js',
  },
  {
    name: 'the server imports iam',
    file: 'server/bad.ts',
    text: "import { iamOperations } from '../iam/index.js';\n",
    expect: 'src/server/bad.ts:1: iam: ../iam/index.js',
  },
  {
    name: 'cli imports an internal sts module',
    file: 'cli/bad.ts',
    text: "import { x } from '../sts/web-identity.js';\n",
    expect: 'src/cli/bad.ts:1: cli-entry: ../sts/web-identity.js',
  },
  {
    name: 'cli imports an internal type, over several lines',
    file: 'cli/bad.ts',
    text: "import type {\n  A,\n  B,\n} from '../identity/types.js';\n",
    expect: 'src/cli/bad.ts:1: cli-entry: ../identity/types.js',
  },
  {
    name: 'cli loads a server module lazily',
    file: 'cli/bad.ts',
    text: "// import('../server/index.js') would be fine\nconst m = await import('../server/app.js');\n",
    expect: 'src/cli/bad.ts:2: cli-entry: ../server/app.js',
  },
  {
    name: 'cli imports an index below the entry',
    file: 'cli/bad.ts',
    text: "export * from '../sts/inner/index.js';\n",
    expect: 'src/cli/bad.ts:1: cli-entry: ../sts/inner/index.js',
  },
];

function tree(extra?: { file: string; text: string }): string {
  const root = mkdtempSync(join(tmpdir(), 'walls-'));
  const files = extra === undefined ? CLEAN : { ...CLEAN, [extra.file]: extra.text };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'src', file)), { recursive: true });
    writeFileSync(join(root, 'src', file), text);
  }
  return root;
}

const { breaches } = (await import(pathToFileURL(SCRIPT).href)) as { breaches: (root: string) => string[] };

/** The script as `npm test` and `npm run lint` run it. */
function run(root: string): { status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  rmSync(root, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout };
}

function check(root: string): string[] {
  try {
    return breaches(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a clean tree passes, silently', () => {
  assert.deepEqual(run(tree()), { status: 0, stdout: '' });
  assert.deepEqual(check(tree()), []);
});

test('the script: exit 1 and one line per breach', () => {
  const c = cases[0] as (typeof cases)[number];
  assert.deepEqual(run(tree(c)), { status: 1, stdout: `${c.expect}\n` });
});

for (const c of cases) {
  test(`breach: ${c.name}`, () => {
    assert.deepEqual(check(tree(c)), [c.expect]);
  });
}
