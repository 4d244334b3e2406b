/**
 * examples/<provider>/: each case file passes with `sts-emulator test` against its own policies directory, its
 * policies lint without errors, and a token minted by `token` for its first allowed case is accepted by the
 * emulator serving those policies over HTTP (signature, JWKS, audience, nested claims: the whole road).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startEmulator, type Emulator } from '../../src/api/index.js';
import { presetNamed, PRESETS } from '../../src/identity/provider-kinds.js';
import { form, REPO_ROOT, webIdentityParams } from '../helpers/harness.js';
import { runMain } from './helpers.js';

const EXAMPLES = join(REPO_ROOT, 'examples');
const providers = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && readdirSync(join(EXAMPLES, e.name)).includes('cases.yaml'))
  .map((e) => e.name)
  .sort();

interface ExampleCase {
  readonly role: string;
  readonly preset: { readonly name: string } & Record<string, unknown>;
  readonly expect: string;
}

test('there is an example for every preset', () => {
  assert.deepEqual(providers, [...PRESETS].sort());
});

/** The `token` flags that give a case's preset options (from the preset's schema). */
function flagsOf(preset: ExampleCase['preset']): string[] {
  const schema = presetNamed(preset.name as (typeof PRESETS)[number]).options;
  return Object.entries(preset).flatMap(([option, value]) => {
    if (option === 'name') return [];
    const flag = `--${schema[option]?.flag ?? option}`;
    if (value === true) return [flag];
    return Array.isArray(value) ? value.flatMap((v: unknown) => [flag, String(v)]) : [flag, String(value)];
  });
}

for (const provider of providers) {
  describe(`examples/${provider}`, () => {
    const dir = join(EXAMPLES, provider);
    const policies = join(dir, 'policies');
    const cases = parseYaml(readFileSync(join(dir, 'cases.yaml'), 'utf8')) as ExampleCase[];
    let emulator: Emulator;
    before(async () => {
      emulator = await startEmulator({ policies, port: 0 });
    });
    after(() => emulator.stop());

    test('sts-emulator test passes every case, and the file has an allow and a deny', async () => {
      const r = await runMain(['test', join('examples', provider, 'cases.yaml'), '--policies', policies]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.stdout.trimEnd().split('\n').at(-1), `${cases.length} passed, 0 failed`);
      assert.ok(cases.some((c) => c.expect === 'allow'));
      assert.ok(cases.some((c) => c.expect === 'deny'));
      assert.ok(
        cases.every((c) => c.preset.name === provider),
        'every case uses the preset of its example',
      );
    });

    test('lint finds no error in its trust policies', async () => {
      const r = await runMain(['lint', '--policies', policies]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    });

    test('a token from `token` for the first allowed case is accepted over HTTP, and its denied twin refused', async () => {
      const allowed = cases.find((c) => c.expect === 'allow') as ExampleCase;
      const denied = cases.find((c) => c.expect === 'deny' && c.role === allowed.role) as ExampleCase;
      for (const [c, status] of [
        [allowed, 200],
        [denied, 403],
      ] as const) {
        const minted = await runMain(['token', '--policies', policies, '--preset', provider, ...flagsOf(c.preset)]);
        assert.equal(minted.code, 0, minted.stderr);
        const res = await fetch(emulator.endpoint + '/', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form(webIdentityParams(minted.stdout.trim(), c.role)),
        });
        const body = await res.text();
        assert.equal(res.status, status, body);
      }
    });
  });
}

test('README "Examples" runs each example with its policies, and README `token` examples mint', async () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = (title: string): string => {
    const start = readme.indexOf(`### ${title}`);
    assert.ok(start >= 0, title);
    const next = readme.indexOf('\n### ', start + 4);
    return readme.slice(start, next < 0 ? undefined : next);
  };
  const commands = (text: string, command: string): string[][] =>
    [...text.matchAll(new RegExp(`^npx sts-emulator ${command} (.*?)(?:\\s+#.*)?$`, 'gm'))].map((m) =>
      [command, ...(m[1] as string).split(/\s+/)].map((a) => a.replace(/^'|'$/g, '')),
    );
  const listed = commands(section('Examples'), 'test');
  assert.deepEqual(
    listed.map((argv) => argv[1]),
    PRESETS.map((p) => `examples/${p}/cases.yaml`),
  );
  for (const argv of listed) {
    const r = await runMain(argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  const minting = commands(section('`token`'), 'token').filter((argv) => !argv.some((a) => a.includes('<')));
  assert.ok(minting.length >= 5);
  for (const argv of minting) {
    // --claims '<json>' is quoted in README: rejoin the words of the JSON object.
    const at = argv.indexOf('--claims');
    const args = at < 0 ? argv : [...argv.slice(0, at + 1), argv.slice(at + 1, at + 3).join(' '), ...argv.slice(at + 3)];
    const r = await runMain(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  }
});
