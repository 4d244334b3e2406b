/**
 * bin/sts-emulator.js runs the compiled CLI in its own process and never compiles: a clone whose dist/ is missing or
 * older than src/ gets one line telling it to build (exit 1). scripts/build-if-stale.js (prestart, prepare) builds
 * only then. Both run here on a copy, in a throwaway package whose "compiled CLI" is a stub. For `serve`, bin/ also
 * sizes libuv's thread pool before the CLI loads (bin/thread-pool.js): the rule, and the threads of a real server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';
import { serveProcess } from '../integration/clients.js';

const STUB = `export async function main(argv) { process.stdout.write('main ' + argv.join(' ') + ' pid ' + process.pid + '\\n'); return 7; }\n`;

/** A package root with the real bin/ and scripts/build-if-stale.js, and the parts each test asks for. */
async function fakeRoot(t: TestContext, parts: { src?: boolean; dist?: boolean }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'sts-bin-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await cp(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'scripts'));
  await cp(join(REPO_ROOT, 'scripts', 'build-if-stale.js'), join(root, 'scripts', 'build-if-stale.js'));
  // The build writes the stub where tsc would write the CLI.
  await writeFile(join(root, 'stub.js'), STUB);
  const build = `node -e "const f=require('fs');f.mkdirSync('dist/src/cli',{recursive:true});f.copyFileSync('stub.js','dist/src/cli/main.js')"`;
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'fake', version: '1.0.0', type: 'module', scripts: { build } }));
  if (parts.src === true) {
    await mkdir(join(root, 'src', 'cli'), { recursive: true });
    await writeFile(join(root, 'src', 'cli', 'main.ts'), '');
  }
  if (parts.dist === true) {
    await mkdir(join(root, 'dist', 'src', 'cli'), { recursive: true });
    await writeFile(join(root, 'dist', 'src', 'cli', 'main.js'), STUB);
  }
  return root;
}

/** Makes a file or folder older than now by `seconds`. */
async function age(path: string, seconds: number): Promise<void> {
  const t = new Date(Date.now() - seconds * 1000);
  await utimes(path, t, t);
}

/** This process's environment without npm's variables and UV_THREADPOOL_SIZE, plus `extra`. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'UV_THREADPOOL_SIZE')), ...extra };
}

function node(
  root: string,
  script: string,
  args: readonly string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, script), ...args], { cwd: root, env: cleanEnv(extraEnv), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('an installed package (no src/): runs the CLI in this process with the arguments, and exits with its code', async (t) => {
  const root = await fakeRoot(t, { dist: true });
  const r = node(root, 'bin/sts-emulator.js', ['serve', '--port', '0']);
  assert.equal(r.code, 7, r.stderr);
  assert.match(r.stdout, /^main serve --port 0 pid \d+\n$/);
  assert.equal(r.stderr, '');
});

test('dist/ missing: one line, run npm run build, exit 1, nothing compiled', async (t) => {
  const root = await fakeRoot(t, { src: true });
  const r = node(root, 'bin/sts-emulator.js', ['token']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `sts-emulator: dist/ is missing: run \`npm run build\` in ${root}\n`);
});

test('dist/ older than a file under src/, or than a folder (a file deleted): one line, exit 1; newer: runs', async (t) => {
  const root = await fakeRoot(t, { src: true, dist: true });
  await age(join(root, 'dist', 'src', 'cli', 'main.js'), 60);
  await age(join(root, 'src', 'cli', 'main.ts'), 120);
  await age(join(root, 'src', 'cli'), 120);
  await age(join(root, 'src'), 120);
  assert.equal(node(root, 'bin/sts-emulator.js').code, 7, 'fresh');
  await age(join(root, 'src', 'cli', 'main.ts'), 0);
  const stale = node(root, 'bin/sts-emulator.js');
  assert.equal(stale.code, 1);
  assert.equal(stale.stderr, `sts-emulator: dist/ is older than src/: run \`npm run build\` in ${root}\n`);
  await age(join(root, 'src', 'cli', 'main.ts'), 120);
  await age(join(root, 'src', 'cli'), 0);
  assert.equal(node(root, 'bin/sts-emulator.js').code, 1, 'a folder changed (a file added or deleted)');
});

test("dist/ older than the demo page's scripts (ui/src/): stale, as for src/", async (t) => {
  const root = await fakeRoot(t, { src: true, dist: true });
  await mkdir(join(root, 'ui', 'src'), { recursive: true });
  await writeFile(join(root, 'ui', 'src', 'app.ts'), '');
  for (const p of ['src/cli/main.ts', 'src/cli', 'src', 'ui/src/app.ts', 'ui/src']) await age(join(root, p), 120);
  await age(join(root, 'dist', 'src', 'cli', 'main.js'), 60);
  assert.equal(node(root, 'bin/sts-emulator.js').code, 7, 'fresh');
  await age(join(root, 'ui', 'src', 'app.ts'), 0);
  assert.equal(node(root, 'bin/sts-emulator.js').code, 1, 'a page script changed after the build');
});

test('build-if-stale: builds when dist/ is missing or stale, and only then', async (t) => {
  const root = await fakeRoot(t, { src: true });
  const first = node(root, 'scripts/build-if-stale.js');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /^sts-emulator: dist\/ is missing: building \(npm run build\)\n/);
  assert.equal(node(root, 'bin/sts-emulator.js').code, 7, 'built');
  const again = node(root, 'scripts/build-if-stale.js');
  assert.deepEqual([again.code, again.stderr], [0, ''], 'fresh: nothing to do');
  await age(join(root, 'dist', 'src', 'cli', 'main.js'), 60);
  const stale = node(root, 'scripts/build-if-stale.js');
  assert.match(stale.stderr, /dist\/ is older than src\/: building/);
  assert.equal(node(root, 'bin/sts-emulator.js').code, 7);
});

test('the bundle of the CLI (scripts/bundle-cli.js) runs when it is at least as new as the modules; the modules otherwise', async (t) => {
  const root = await fakeRoot(t, { dist: true });
  const bundle = join(root, 'dist', 'src', 'cli', 'main.bundle.js');
  await writeFile(bundle, STUB.replace("'main '", "'bundle '").replace('return 7', 'return 8'));
  const r = node(root, 'bin/sts-emulator.js', ['token']);
  assert.equal(r.code, 8, r.stderr);
  assert.match(r.stdout, /^bundle token pid \d+\n$/);
  await age(bundle, 60); // only tsc ran since the last bundle: the modules are newer
  assert.equal(node(root, 'bin/sts-emulator.js', ['token']).code, 7);
});

const { servePoolSize } = createRequire(import.meta.url)(join(REPO_ROOT, 'bin', 'thread-pool.js')) as {
  servePoolSize: (argv: readonly string[], env: NodeJS.ProcessEnv, cores: number) => string | undefined;
};

test("libuv's thread pool for serve: a core for the server's thread, the others for the pool (1 to 4); other commands and a size the user set are left alone", () => {
  const cases: ReadonlyArray<[argv: string[], env: NodeJS.ProcessEnv, cores: number, size: string | undefined]> = [
    [['serve'], {}, 1, '1'],
    [['serve'], {}, 2, '1'],
    [['serve', '--workers', '2'], {}, 3, '2'],
    [['serve'], {}, 4, '3'],
    [['serve'], {}, 5, '4'],
    [['serve'], {}, 64, '4'],
    [['serve'], { UV_THREADPOOL_SIZE: '8' }, 2, undefined],
    [['serve'], { UV_THREADPOOL_SIZE: '' }, 2, undefined],
    [['token'], {}, 2, undefined],
    [['test', 'serve'], {}, 2, undefined],
    [['--help', 'serve'], {}, 2, undefined],
    [[], {}, 2, undefined],
  ];
  for (const [argv, env, cores, size] of cases)
    assert.equal(servePoolSize(argv, env, cores), size, `${argv.join(' ')} ${JSON.stringify(env)} ${cores}`);
});

test('bin sets UV_THREADPOOL_SIZE before the CLI loads, for serve only, and keeps the one the user gave', async (t) => {
  const root = await fakeRoot(t, { dist: true });
  await writeFile(
    join(root, 'dist', 'src', 'cli', 'main.js'),
    `export async function main(argv) { process.stdout.write(argv[0] + ' ' + process.env.UV_THREADPOOL_SIZE + '\\n'); return 0; }\n`,
  );
  const run = (args: string[], env: NodeJS.ProcessEnv = {}): string => node(root, 'bin/sts-emulator.js', args, env).stdout;
  assert.equal(run(['serve']), `serve ${servePoolSize(['serve'], {}, availableParallelism())}\n`);
  assert.equal(run(['serve'], { UV_THREADPOOL_SIZE: '3' }), 'serve 3\n');
  assert.equal(run(['token']), 'token undefined\n');
});

/** How many threads a serve process started through bin/ has once it answers (Linux's /proc). */
async function serveThreads(t: TestContext, env: NodeJS.ProcessEnv): Promise<number> {
  const server = await serveProcess(t, { entry: join(REPO_ROOT, 'bin', 'sts-emulator.js'), env: cleanEnv(env) });
  const answer = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/deploy-main&RoleSessionName=s&WebIdentityToken=a.b.c',
  });
  assert.equal(answer.status, 400); // up and answering; node's loader started the pool when it read the CLI
  const threads = readdirSync(`/proc/${String(server.pid)}/task`).length;
  assert.equal(await server.stop(), 0);
  return threads;
}

test(
  'serve through bin/ starts with that pool: as many threads as with UV_THREADPOOL_SIZE set to it, one fewer than with one more',
  { skip: process.platform === 'linux' ? false : 'counts threads in /proc' },
  async (t) => {
    const size = Number(servePoolSize(['serve'], {}, availableParallelism()));
    const chosen = await serveThreads(t, {});
    assert.equal(chosen, await serveThreads(t, { UV_THREADPOOL_SIZE: String(size) }));
    assert.equal(await serveThreads(t, { UV_THREADPOOL_SIZE: String(size + 1) }), chosen + 1);
  },
);
