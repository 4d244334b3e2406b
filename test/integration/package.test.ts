/**
 * The package as a user gets it: `npm pack` holds the compiled sources, their declarations, the bin, the demo
 * policies, README and LICENSE, and nothing else; installed into a fresh project (offline, from npm's cache),
 * `npx sts-emulator serve` answers AssumeRoleWithWebIdentity for a token from `npx sts-emulator token`, and SIGTERM
 * to the npx process stops the server, and a TypeScript file using the API type-checks and runs. The pack is of the dist/ that `npm test` just built (`--ignore-scripts`:
 * prepack's clean build would delete the tests running beside this one).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test, type TestContext } from 'node:test';
import { REPO_ROOT } from '../helpers/harness.js';
import { outcome, run, type RunResult } from './clients.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/deploy-main';

/** npm's and our own settings from the `npm test` that runs us are not the fresh project's. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|STS_EMULATOR_|AWS_|INIT_CWD$)/i.test(k) && k !== 'npm_config_cache') continue;
    env[k] = v;
  }
  // Never the registry: what is not in npm's cache fails (and the test says so), and npx installs nothing.
  return {
    ...env,
    npm_config_offline: 'true',
    npm_config_yes: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

const ENV = cleanEnv();

function npm(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  return run('npm', args, { env: ENV, cwd, timeoutMs });
}

interface Packed {
  readonly tarball: string;
  readonly files: readonly string[];
  readonly size: number;
  readonly unpackedSize: number;
}

interface Installed {
  readonly project: string;
  /** The installed package's folder (node_modules/sts-emulator). */
  readonly pkg: string;
}

const work = await mkdtemp(join(tmpdir(), 'sts-emulator-pkg-'));
after(() => rm(work, { recursive: true, force: true }));

let packing: Promise<Packed> | undefined;
/** `npm pack` of the repository, once. */
function packed(): Promise<Packed> {
  packing ??= (async () => {
    const r = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], REPO_ROOT);
    assert.equal(r.code, 0, outcome(r));
    const [info] = JSON.parse(r.stdout) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    assert.ok(info !== undefined);
    return {
      tarball: join(work, info.filename),
      files: info.files.map((f) => f.path).sort(),
      size: info.size,
      unpackedSize: info.unpackedSize,
    };
  })();
  return packing;
}

/**
 * A lockfile for a project that depends on the tarball, with the repository's own lockfile entries for the package's
 * dependencies. npm resolves the version ranges of a dependency from the registry's package documents, which
 * `npm ci` never fetches (it installs by the integrity of each tarball), so npm's cache has the tarballs but not
 * the documents: with this lockfile an offline install needs only the tarballs, at the versions the tests ran with.
 */
async function pinnedLockfile(project: { name: string; version: string }, resolved: string): Promise<unknown> {
  const repo = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const own = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const packages: Record<string, unknown> = {
    '': { name: project.name, version: project.version, dependencies: { [own['name'] as string]: resolved } },
    [`node_modules/${own['name'] as string}`]: {
      version: own['version'],
      resolved,
      license: own['license'],
      dependencies: own['dependencies'],
      bin: own['bin'],
      engines: own['engines'],
    },
  };
  for (const [path, entry] of Object.entries(repo.packages)) if (path !== '' && entry.dev !== true) packages[path] = entry;
  return { name: project.name, version: project.version, lockfileVersion: 3, requires: true, packages };
}

let installing: Promise<Installed | string> | undefined;
/** A fresh ESM project with the tarball installed offline, once; or why it could not be installed. */
function installed(): Promise<Installed | string> {
  installing ??= (async () => {
    const { tarball } = await packed();
    const project = join(work, 'project');
    await mkdir(project);
    const manifest = { name: 'project', version: '1.0.0', type: 'module' };
    await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    await writeFile(
      join(project, 'package-lock.json'),
      JSON.stringify(await pinnedLockfile(manifest, `file:${relative(project, tarball)}`), null, 2),
    );
    const r = await npm(['install', tarball, '--offline', '--no-audit', '--no-fund'], project);
    if (r.code !== 0) {
      // Only a dependency missing from npm's cache (the registry is not reachable offline) is a reason to skip.
      if (/ENOTCACHED|offline|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(r.stderr))
        return `npm cannot install the dependencies offline (not in npm's cache): ${r.stderr
          .split('\n')
          .find((l) => /ENOTCACHED|offline|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(l))
          ?.trim()}`;
      assert.fail(`npm install of the tarball failed: ${outcome(r)}`);
    }
    return { project, pkg: join(project, 'node_modules', 'sts-emulator') };
  })();
  return installing;
}

/** Every file under a folder, relative to `root`, with / separators. */
function filesUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(root, p) : [p.split(sep).join('/')];
  });
}

/** A process group started by `npx ...`, killed whole when the test ends (whatever the test checked before). */
function spawnNpx(t: TestContext, args: readonly string[], cwd: string): ChildProcess {
  const child = spawn('npx', args, { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  t.after(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // the group is gone, as it should be
    }
  });
  return child;
}

/** Whether any process of the group is still there. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function assumeWithWebIdentity(url: string, token: string): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: ROLE_ARN,
    RoleSessionName: 'pkg',
    WebIdentityToken: token,
  });
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  return { status: res.status, body: await res.text() };
}

test('npm pack: compiled sources and declarations, the demo page, the bin, the demo policies, README and LICENSE; nothing else', async (t) => {
  const { files, size, unpackedSize } = await packed();
  t.diagnostic(`${files.length} files, ${size} bytes packed, ${unpackedSize} unpacked`);
  const allowed =
    /^(package\.json|README\.md|LICENSE|bin\/(sts-emulator|dist-state|thread-pool)\.js|bin\/package\.json|policies\/.+|dist\/src\/.+(?<!\.d)\.js|dist\/src\/.+\.d\.ts|dist\/ui\/[a-z0-9-]+\.js|ui\/index\.html|ui\/[a-z0-9-]+\.css)$/;
  assert.deepEqual(
    files.filter((f) => !allowed.test(f)),
    [],
    'files that have no business in the package',
  );
  for (const f of files) {
    assert.doesNotMatch(f, /(^|\/)(test|bench|scripts|docs|examples|\.ci|node_modules)\//, f);
    assert.doesNotMatch(f, /\.map$|(?<!\.d)\.ts$/, f);
  }
  // Every source file is there compiled, with its declarations; so is every file of the demo policies.
  const sources = filesUnder(REPO_ROOT, 'src').filter((f) => f.endsWith('.ts'));
  assert.ok(sources.length > 50);
  const expected = [
    ...sources.flatMap((f) => [`dist/${f.replace(/\.ts$/, '.js')}`, `dist/${f.replace(/\.ts$/, '.d.ts')}`]),
    ...filesUnder(REPO_ROOT, 'policies'),
    // The demo page: its HTML and styles as written, its scripts compiled.
    ...filesUnder(REPO_ROOT, 'ui').filter((f) => /^ui\/[^/]+\.(html|css)$/.test(f)),
    ...filesUnder(REPO_ROOT, 'ui/src').map((f) => f.replace(/^ui\/src\/(.+)\.ts$/, 'dist/ui/$1.js')),
    'LICENSE',
    'README.md',
    'package.json',
    'bin/sts-emulator.js',
  ];
  assert.deepEqual(
    expected.filter((f) => !files.includes(f)),
    [],
    'missing from the package',
  );
});

test('installed from the tarball: npx sts-emulator serves, tokens are allowed and denied, SIGTERM to npx stops the server', async (t) => {
  const got = await installed();
  if (typeof got === 'string') {
    t.skip(got);
    return;
  }
  const { project, pkg } = got;
  const policies = join(pkg, 'policies');
  assert.ok(existsSync(join(project, 'node_modules', '.bin', 'sts-emulator')), 'the bin is linked');
  assert.ok(!existsSync(join(pkg, 'src')) && !existsSync(join(pkg, 'test')), 'no sources, no tests');

  const server = spawnNpx(t, ['sts-emulator', 'serve', '--port', '0', '--policies', policies], project);
  let stderr = '';
  server.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 30 s; stderr: ${stderr}`)), 30_000);
    createInterface({ input: server.stdout as NodeJS.ReadableStream }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
    void exited.then(() => reject(new Error(`npx exited before its ready line; stderr: ${stderr}`)));
  });
  const m =
    /^sts-emulator listening on (http:\/\/127\.0\.0\.1:(\d+)) \(account 123456789012, region us-east-1, 6 roles, 2 providers, server key: generated /.exec(
      line,
    );
  assert.ok(m !== null, line);
  const [, url, port] = m as unknown as [string, string, string];

  const token = async (branch: string): Promise<string> => {
    const r = await run('npx', ['sts-emulator', 'token', '--preset', 'circleci', '--branch', branch, '--policies', policies], {
      env: ENV,
      cwd: project,
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, outcome(r));
    assert.match(r.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    return r.stdout.trim();
  };
  const allowed = await assumeWithWebIdentity(url, await token('main'));
  assert.equal(allowed.status, 200, allowed.body);
  assert.match(allowed.body, /<AssumeRoleWithWebIdentityResponse[\s\S]*<AccessKeyId>ASIA[A-Z0-9]{16}<\/AccessKeyId>/);
  const denied = await assumeWithWebIdentity(url, await token('feature/x'));
  assert.equal(denied.status, 403, denied.body);
  assert.match(denied.body, /<Code>AccessDenied<\/Code>/);
  assert.match(line, new RegExp(`; demo page ${url}/_emulator/ui$`));
  // The demo page and its files, served from the installed package.
  for (const path of ['/_emulator/ui', '/_emulator/ui/assets/app.js', '/_emulator/ui/assets/page.css']) {
    const res = await fetch(`${url}${path}`);
    assert.equal(res.status, 200, `${path}: ${await res.text()}`);
  }

  // npm forwards the signal to the shell it runs the bin in; the server must stop too, not be left behind.
  const pgid = server.pid as number;
  process.kill(pgid, 'SIGTERM');
  await exited;
  assert.ok(await within(10_000, () => !groupAlive(pgid)), `a process of npx's group is still running after SIGTERM; stderr: ${stderr}`);
  assert.ok(await portFree(Number(port)), `port ${port} is still taken`);
  assert.doesNotMatch(stderr, /\n\s+at |dist\/ is/, stderr);
});

test('the API from the package: type-checked by tsc and run', async (t) => {
  const got = await installed();
  if (typeof got === 'string') {
    t.skip(got);
    return;
  }
  const { project } = got;
  // ---- the API check: start the emulator from the installed package, mint a main and a feature token, decide, stop ----
  await writeFile(
    join(project, 'api-check.ts'),
    [
      "import { decide, startEmulator, type Decision, type Emulator } from 'sts-emulator';",
      '',
      'const emulator: Emulator = await startEmulator();',
      "const main = await emulator.mintToken({ preset: { name: 'circleci', branch: 'main' } });",
      "const body = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: emulator.roleArn('deploy-main'), RoleSessionName: 'pkg', WebIdentityToken: main });",
      "const res = await fetch(emulator.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });",
      "const denied: Decision = await emulator.decide({ role: 'deploy-main', preset: { name: 'circleci', branch: 'feature/x' } });",
      "const standalone: Decision = await decide({ role: 'deploy-main', preset: { name: 'circleci', branch: 'main' } });",
      'await emulator.stop();',
      'console.log(res.status, denied.decision, standalone.decision);',
      '',
    ].join('\n'),
  );
  const expectedOutput = '200 deny allow\n';
  // ---- end of the API check ----
  const types = join(REPO_ROOT, 'node_modules', '@types');
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        // A Node project's library: without it, tsc also reads and checks the DOM's declarations (~40k lines).
        lib: ['ES2022'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        typeRoots: [types],
        types: ['node'],
        outDir: 'out',
      },
      files: ['api-check.ts'],
    }),
  );
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // One run type-checks and emits: tsc exits non-zero on any type error, even when it still writes the output.
  const emit = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { env: ENV, cwd: project });
  assert.equal(emit.code, 0, outcome(emit));
  const r = await run(process.execPath, [join(project, 'out', 'api-check.js')], { env: ENV, cwd: project, timeoutMs: 30_000 });
  assert.equal(r.code, 0, outcome(r));
  assert.equal(r.stdout, expectedOutput);
});
