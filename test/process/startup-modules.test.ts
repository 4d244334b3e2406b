/**
 * What a plain `serve` loads before and while it answers its first AssumeRoleWithWebIdentity (the default policies, as
 * `npx sts-emulator serve` runs it): after `npm run build`, the one bundle of the CLI and none of the packages that
 * load on first use (Express for the emulator's own routes, CEL for Google's mappings, YAML and jsonc-parser for
 * config files that need them, picomatch for Infisical, minimatch for `test`'s globs). Module loading was most of the time to the first answer
 * (README "Performance"): this keeps a new import on the path from going unnoticed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { circleToken, DEMO_POLICIES, form, webIdentityParams } from '../helpers/harness.js';
import { CLI_ENTRY } from '../helpers/cli-entry.js';

const ON_DEMAND = [
  '/node_modules/express/',
  '/node_modules/@bufbuild/',
  '/node_modules/yaml/',
  '/node_modules/jsonc-parser/',
  '/node_modules/picomatch/',
  '/node_modules/minimatch/',
];

test('a plain serve answers its first token with the bundle alone, none of the packages loaded on demand', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sts-modules-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'modules.log');
  // ES modules through a resolve hook, CommonJS (createRequire) through Module._load.
  await writeFile(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`,
  );
  await writeFile(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  await writeFile(
    join(dir, 'cjs.cjs'),
    `const M = require('node:module'); const fs = require('node:fs'); const load = M._load;\nM._load = function (request, parent, isMain) { const out = load.apply(this, arguments); try { fs.appendFileSync(${JSON.stringify(log)}, M._resolveFilename(request, parent, isMain) + '\\n'); } catch {} return out; };\nrequire('node:os');\n`,
  );
  const child = spawn(
    process.execPath,
    [
      '--require',
      join(dir, 'cjs.cjs'),
      '--import',
      pathToFileURL(join(dir, 'register.mjs')).href,
      CLI_ENTRY,
      'serve',
      '--port',
      '0',
      '--policies',
      DEMO_POLICIES,
    ],
    { env: { PATH: process.env['PATH'], STS_EMULATOR_QUIET: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^ ]+)/.exec(out);
      if (m !== null) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form(webIdentityParams(await circleToken({ branch: 'main' }))),
  });
  assert.equal(res.status, 200);
  await res.text();
  const loaded = (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
  assert.ok(loaded.includes('node:os'), 'the CommonJS hook records what is required');
  for (const pkg of ON_DEMAND)
    assert.deepEqual(
      loaded.filter((l) => l.includes(pkg)),
      [],
      `${pkg} was loaded`,
    );
  if (CLI_ENTRY.endsWith('main.bundle.js')) {
    const ours = loaded.filter((l) => l.includes('/dist/src/'));
    assert.deepEqual(ours, [pathToFileURL(CLI_ENTRY).href], 'the bundle alone');
  }
});
