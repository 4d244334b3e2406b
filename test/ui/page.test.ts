/**
 * The demo page in a real browser: Debian's Chromium driven by playwright-core with the system executable (nothing is
 * downloaded). The role list matches policies/; a main token for deploy-main shows credentials (the secret hidden
 * until asked for); feature/x shows AccessDenied with the deciding condition marked; a V1 token shows explain's near miss; a request made with aws-cli while
 * the page is open (the page's own command, run in a shell) appears in the decisions list; a token and a role whose
 * values are markup and script are shown as text; the try-a-token form works from the keyboard alone.
 * Each main view is saved as a screenshot: to a temporary folder, or to STS_EMULATOR_SCREENSHOTS (`npm run
 * screenshots` sets docs/screenshots/, the folder README shows). Without Chromium every test is skipped, visibly.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/index.js';
import { DEMO_POLICIES, REPO_ROOT } from '../helpers/harness.js';
import { awsCli, outcome, run, sandbox, type Client } from '../integration/clients.js';

/** The system Chromium: CHROMIUM_PATH, else chromium (or chromium-browser) on PATH, else Debian's /usr/bin/chromium. */
function findChromium(): string | undefined {
  const forced = process.env['CHROMIUM_PATH'];
  if (forced !== undefined && forced !== '') return existsSync(forced) ? forced : undefined;
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  const candidates = [...dirs.flatMap((d) => [join(d, 'chromium'), join(d, 'chromium-browser')]), '/usr/bin/chromium'];
  return candidates.find((c) => existsSync(c));
}

const CHROMIUM = findChromium();
const MISSING = 'chromium not installed: apt-get install chromium (.ci/run installs it), or set CHROMIUM_PATH';
if (CHROMIUM === undefined && process.env['STS_EMULATOR_REQUIRE_CHROMIUM'] === '1') throw new Error(MISSING);
const SKIP = CHROMIUM === undefined ? MISSING : false;

const SHOTS = process.env['STS_EMULATOR_SCREENSHOTS'] ?? (await mkdtemp(join(tmpdir(), 'sts-emulator-shots-')));
await mkdir(SHOTS, { recursive: true });
if (process.env['STS_EMULATOR_SCREENSHOTS'] === undefined) after(() => rm(SHOTS, { recursive: true, force: true }));

const VIEWPORT = { width: 1280, height: 800 };

let browser: Browser | undefined;
let emu: Emulator;
before(async () => {
  emu = await startEmulator();
  if (CHROMIUM === undefined) return;
  const { chromium } = await import('playwright-core');
  const args = ['--disable-dev-shm-usage', ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
  browser = await chromium.launch({ executablePath: CHROMIUM, args, headless: true });
});
after(async () => {
  await browser?.close();
  await emu.stop();
});

/**
 * Tabs of the file's one browser, handed back after each test (on about:blank, its listeners removed) and reused: a new
 * tab costs Chromium a renderer process, about half a second of CPU.
 */
const idleTabs: Page[] = [];

/** A tab on a view of the emulator's page, once its configuration is shown: a new document, whichever tab it is in. */
async function open(t: TestContext, view: string, on: Emulator = emu): Promise<Page> {
  const page = idleTabs.pop() ?? (await (browser as Browser).newPage({ viewport: VIEWPORT }));
  const errors: string[] = [];
  const pageError = (e: Error): void => void errors.push(e.message);
  // A refusal (403, 400) of the page's STS request is an answer to show, not an error of the page.
  const consoleError = (m: ConsoleMessage): void =>
    void (m.type() === 'error' && !/^Failed to load resource: .* status of 4\d\d/.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', pageError);
  page.on('console', consoleError);
  t.after(async () => {
    await page.goto('about:blank'); // the view's scripts and its decision stream end with its document
    page.off('pageerror', pageError);
    page.off('console', consoleError);
    idleTabs.push(page);
    assert.deepEqual(errors, [], 'no script error on the page');
  });
  await page.goto(`${on.endpoint}/_emulator/ui#${view}`);
  await page.waitForSelector('body[data-ready]');
  return page;
}

async function shot(t: TestContext, page: Page, name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  t.diagnostic(`screenshot ${path}`);
}

const demoRoleNames = (): string[] =>
  readdirSync(join(DEMO_POLICIES, 'roles'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const doc = JSON.parse(readFileSync(join(DEMO_POLICIES, 'roles', f), 'utf8')) as { RoleName?: string; Role?: { RoleName: string } };
      return (doc.Role?.RoleName ?? doc.RoleName) as string;
    })
    .sort();

/** Fills the try-a-token form with a CircleCI token of `branch` for deploy-main and assumes the role. */
async function tryBranch(page: Page, branch: string): Promise<void> {
  await page.selectOption('#role', 'deploy-main');
  await page.check('#source-build');
  await page.selectOption('#preset', 'circleci');
  await page.fill('#option-branch', branch);
  await page.click('#assume');
}

test(
  'roles and providers: every role of policies/ with its ARN and trust policy, lint findings at their condition',
  { skip: SKIP },
  async (t) => {
    const page = await open(t, 'roles');
    const names = await page.$$eval('article.role', (nodes) => nodes.map((n) => n.getAttribute('data-role') ?? ''));
    assert.deepEqual([...names].sort(), demoRoleNames());
    const deploy = page.locator('article[data-role="deploy-main"]');
    assert.match((await deploy.locator('dl.facts').textContent()) ?? '', /arn:aws:iam::123456789012:role\/deploy-main/);
    assert.match((await deploy.locator('dl.facts').textContent()) ?? '', /2 h \(7200 s\)/);
    const flagged = deploy.locator('li.condition.flagged');
    assert.equal(await flagged.count(), 1);
    assert.match((await flagged.textContent()) ?? '', /:sub.*StringLike.*sub-wildcard-spans-branch/s);
    const providers = readdirSync(join(DEMO_POLICIES, 'providers')).filter((f) => f.endsWith('.json')).length;
    assert.equal(await page.locator('article.provider').count(), providers);
    assert.match((await page.locator('#providers').textContent()) ?? '', /emulated: the emulator signs its tokens/);
    await page.evaluate(`document.querySelector('article[data-role="deploy-main"]').scrollIntoView()`);
    await shot(t, page, 'roles');
  },
);

test('try a token: a main token for deploy-main shows the credentials, the secret only when asked for', { skip: SKIP }, async (t) => {
  const page = await open(t, 'try');
  await tryBranch(page, 'main');
  const result = page.locator('[data-outcome="allow"]');
  await result.waitFor();
  const facts = (await result.textContent()) ?? '';
  assert.match(facts, /AccessKeyId\s*ASIA[A-Z0-9]{16}/);
  assert.match(facts, /Expiration\s*\d{4}-\d{2}-\d{2}T/);
  const secret = result.locator('code[data-secret="SecretAccessKey"]');
  assert.match((await secret.textContent()) ?? '', /^•+$/, 'hidden until asked for');
  await page.getByRole('button', { name: 'Show SecretAccessKey' }).click();
  assert.match((await secret.textContent()) ?? '', /^[A-Za-z0-9/+]{40}$/);
  assert.equal(await page.getByRole('button', { name: 'Hide SecretAccessKey' }).getAttribute('aria-pressed'), 'true');
  const command = (await page.locator('.command pre').textContent()) ?? '';
  assert.match(command, new RegExp(`^aws sts assume-role-with-web-identity --endpoint-url ${emu.endpoint} --region us-east-1`));
  assert.match(command, /--role-arn arn:aws:iam::123456789012:role\/deploy-main/);
  assert.match((await page.locator('pre[data-claims]').textContent()) ?? '', /"oidc\.circleci\.com\/vcs-ref": "refs\/heads\/main"/);
  await page.getByRole('button', { name: 'Hide SecretAccessKey' }).click();
  await shot(t, page, 'try-allow');
});

test('try a token: feature/x shows AccessDenied with the deciding condition marked', { skip: SKIP }, async (t) => {
  const page = await open(t, 'try');
  await tryBranch(page, 'feature/x');
  const result = page.locator('[data-outcome="AccessDenied"]');
  await result.waitFor();
  assert.match((await result.textContent()) ?? '', /AccessDenied \(HTTP 403\).*Not authorized to perform sts:AssumeRoleWithWebIdentity/s);
  const deciding = page.locator('.trace li.condition.deciding');
  assert.equal(await deciding.count(), 1, 'one deciding condition');
  assert.match(
    (await deciding.locator('.condition-head').textContent()) ?? '',
    /^Deciding2\. StringLike \S+:sub is false \(noValueMatched\)$/,
  );
  assert.match((await deciding.locator('dd.context').textContent()) ?? '', /vcs-ref\/refs\/heads\/feature\/x$/);
  assert.equal(await page.locator('.trace li.condition').count(), 2);
  assert.match((await page.locator('.explain-text pre').textContent()) ?? '', /^Result: DENY AccessDenied/);
  assert.match((await page.locator('[data-outcome] .reason').textContent()) ?? '', /^Why: Statement\[0\]: StringLike \S+:sub is false/);
  assert.equal(await page.locator('.trace > .hints').count(), 0, 'explain names no near miss for another branch');
  await page.evaluate(`document.querySelector('[data-outcome]').scrollIntoView()`);
  await shot(t, page, 'try-deny');
});

test("try a token: a CircleCI V1 token for deploy-main shows explain's near miss (send the V2 token)", { skip: SKIP }, async (t) => {
  const page = await open(t, 'try');
  await page.selectOption('#role', 'deploy-main');
  await page.check('#source-build');
  await page.selectOption('#preset', 'circleci');
  await page.fill('#option-branch', 'main');
  await page.check('#option-v1');
  await page.click('#assume');
  await page.locator('[data-outcome="AccessDenied"]').waitFor();
  const hints = page.locator('.trace > .hints');
  assert.match((await hints.locator('h4').textContent()) ?? '', /^Near misses$/);
  assert.match(
    (await hints.locator('li').first().textContent()) ?? '',
    /is CircleCI's V1 form .* send \$CIRCLE_OIDC_TOKEN_V2, not \$CIRCLE_OIDC_TOKEN$/,
  );
  assert.match((await page.locator('.explain-text pre').textContent()) ?? '', /\nNear miss: the token's sub .* V1 form/);
});

test('decisions: a request made with aws-cli while the page is open appears, and opens to its trace', { skip: SKIP }, async (t) => {
  const cli: Client | undefined = (await awsCli(2)) ?? (await awsCli(1));
  if (cli === undefined) return t.skip('aws-cli not installed: apt-get install awscli (or pip install awscli)');
  t.diagnostic(`aws-cli: ${cli.path} (${cli.version})`);
  const trying = await open(t, 'try');
  await tryBranch(trying, 'feature/x');
  await trying.locator('[data-outcome="AccessDenied"]').waitFor();
  const command = (await trying.locator('.command pre').textContent()) ?? '';
  const decisions = await open(t, 'decisions');
  await decisions.locator('#stream-status', { hasText: 'Live' }).waitFor();
  const before = await decisions.locator('li.decision').count();
  // The page's own command, run by a shell with the aws-cli found, under another session name.
  const sb = await sandbox(t);
  const script = command.replace(/^aws /, `'${cli.path}' `).replace('--role-session-name demo', '--role-session-name from-aws-cli');
  const r = await run('bash', ['-c', script], { env: sb.env });
  assert.notEqual(r.code, 0, outcome(r));
  assert.match(r.stderr, /AccessDenied/, outcome(r));
  const item = decisions.locator('li.decision', { hasText: 'from-aws-cli' });
  await item.waitFor();
  assert.equal(await decisions.locator('li.decision').count(), before + 1);
  assert.equal(await decisions.locator('li.decision').first().getAttribute('class'), 'decision deny', 'newest first');
  await item.locator('summary').click();
  await item.locator('.trace li.condition.deciding').waitFor();
  assert.match((await item.textContent()) ?? '', /AccessDenied/);
  await shot(t, decisions, 'decisions');
});

test('decisions: a request from any other client appears without a reload; a reset clears the list', { skip: SKIP }, async (t) => {
  const page = await open(t, 'decisions');
  await page.locator('#stream-status', { hasText: 'Live' }).waitFor();
  const token = await emu.mintToken({ preset: { name: 'circleci', branch: 'main' } });
  const body = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: emu.roleArn('deploy-main'),
    RoleSessionName: 'from-node-fetch',
    WebIdentityToken: token,
  });
  const res = await fetch(emu.endpoint, { method: 'POST', body });
  assert.equal(res.status, 200, await res.text());
  await page.locator('li.decision.allow', { hasText: 'from-node-fetch' }).waitFor();
  await emu.reset();
  await page.locator('#decisions-empty').waitFor({ state: 'visible' });
  assert.equal(await page.locator('li.decision').count(), 0);
});

test("decisions: Google's token exchange and impersonation appear, and open to explain --gcp's text", { skip: SKIP }, async (t) => {
  const gcp = await startEmulator({ policies: join(REPO_ROOT, 'examples', 'gcp', 'policies') });
  t.after(() => gcp.stop());
  const page = await open(t, 'decisions', gcp);
  await page.locator('#stream-status', { hasText: 'Live' }).waitFor();
  const exchange = async (branch: string): Promise<Response> =>
    fetch(`${gcp.endpoint}/v1/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: '//iam.googleapis.com/projects/314159265358/locations/global/workloadIdentityPools/circleci-pool/providers/circleci-demo',
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: await gcp.mintToken({ preset: { name: 'circleci', v1: true, branch } }),
      }),
    });
  const allowed = await exchange('main');
  assert.equal(allowed.status, 200);
  const federated = ((await allowed.json()) as { access_token: string }).access_token;
  const generated = await fetch(
    `${gcp.endpoint}/v1/projects/-/serviceAccounts/deployer@demo-project.iam.gserviceaccount.com:generateAccessToken`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${federated}` },
      body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'] }),
    },
  );
  assert.equal(generated.status, 200);
  assert.equal((await exchange('feature-x')).status, 400);
  const denied = page.locator('li.decision.deny', { hasText: 'gcp:ExchangeToken' });
  await denied.waitFor();
  await page.locator('li.decision.allow', { hasText: 'gcp:GenerateAccessToken' }).waitFor();
  assert.equal(await page.locator('li.decision').count(), 3);
  await denied.locator('summary').click();
  const text = denied.locator('.explain-text pre');
  await text.waitFor();
  assert.match(
    (await text.textContent()) ?? '',
    /\n {2}not true: assertion\["oidc\.circleci\.com\/vcs-ref"\] == "refs\/heads\/main" {4}-> false/,
  );
  assert.match((await denied.textContent()) ?? '', /Google says: The given credential is rejected by the attribute condition\./);
  const granted = page.locator('li.decision.allow', { hasText: 'gcp:GenerateAccessToken' });
  await granted.locator('summary').click();
  await granted.locator('.explain-text pre', { hasText: 'roles/iam.workloadIdentityUser: matched' }).waitFor();
});

test('markup and script in token claims and in a policy are shown as text, never run', { skip: SKIP }, async (t) => {
  const img = '<img src=x onerror="window.__pwned=1">';
  const script = '<script>window.__pwned=2</script>';
  await emu.putRole({
    RoleName: 'markup-role',
    Description: `<b>bold?</b>${img}`,
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d' },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'oidc.circleci.com/org/b7a3d6c2-5f1e-4c8a-9d2b-3e4f5a6b7c8d:sub': script } },
        },
      ],
    },
  });
  t.after(() => emu.removeRole('markup-role'));
  const token = await emu.mintToken({ preset: { name: 'circleci', branch: img }, claims: { name: script, [`<i>${script}</i>`]: img } });
  const page = await open(t, 'try');
  await page.selectOption('#role', 'markup-role');
  await page.check('#source-paste');
  await page.fill('#jwt', token);
  await page.click('#assume');
  await page.locator('[data-outcome="AccessDenied"]').waitFor();
  const claims = (await page.locator('pre[data-claims]').textContent()) ?? '';
  assert.ok(claims.includes(JSON.stringify(script).slice(1, -1)), claims);
  assert.ok(claims.includes('vcs-ref/refs/heads/<img src=x onerror=\\"window.__pwned=1\\">'), claims);
  assert.ok(((await page.locator('.trace').textContent()) ?? '').includes(script), 'the policy value as text in the trace');
  await page.goto(`${emu.endpoint}/_emulator/ui#role-markup-role`);
  await page.waitForSelector('body[data-ready]');
  const role = page.locator('article[data-role="markup-role"]');
  assert.ok(((await role.textContent()) ?? '').includes(`<b>bold?</b>${img}`), 'the description as text');
  assert.ok(((await role.locator('ol.conditions').textContent()) ?? '').includes(script), 'the condition value as text');
  await page.goto(`${emu.endpoint}/_emulator/ui#decisions`);
  await page.waitForSelector('body[data-ready]');
  const item = page.locator('li.decision', { hasText: 'markup-role' }).first();
  await item.waitFor();
  assert.ok(((await item.textContent()) ?? '').includes('vcs-ref/refs/heads/<img src=x'), 'the subject as text in the list');
  assert.equal(await page.evaluate('window.__pwned'), undefined, 'no script ran');
  assert.equal(await page.locator('main img, main script, main b, main i').count(), 0, 'no element came from a value');
});

test('keyboard only: the try-a-token form from the first Tab to the revealed secret', { skip: SKIP }, async (t) => {
  const page = await open(t, 'try');
  const focused = (): Promise<string> => page.evaluate("document.activeElement?.id || document.activeElement?.textContent || ''");
  /** Presses Tab (or `key`) until the focused element is `id` (or its text starts with it); fails after `max` presses. */
  async function tabTo(target: string, max = 30, key = 'Tab'): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(key);
      const now = await focused();
      if (now === target || now.startsWith(target)) return;
    }
    assert.fail(`Tab never reached ${target}`);
  }
  await tabTo('role');
  // Arrow keys move a closed select's choice (typing a name would depend on the typeahead's timing).
  await page.keyboard.press('Home');
  for (let i = 0; i < 10 && (await page.inputValue('#role')) !== 'deploy-main'; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.inputValue('#role'), 'deploy-main');
  await tabTo('source-build');
  // The radio group: to "Paste a JWT" and back to "Build one" (each shows its fields once the change event is handled).
  await page.keyboard.press('ArrowDown');
  await page.locator('#jwt').waitFor({ state: 'visible', timeout: 5000 });
  await page.keyboard.press('ArrowUp');
  await page.locator('#option-branch').waitFor({ state: 'visible', timeout: 5000 });
  await tabTo('option-branch');
  await page.keyboard.type('main');
  await page.keyboard.press('Enter'); // submits the form
  await page.locator('[data-outcome="allow"]').waitFor();
  assert.match((await page.textContent('#try-status')) ?? '', /deploy-main: allowed, credentials issued/);
  await tabTo('Show SecretAccessKey');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByRole('button', { name: 'Hide SecretAccessKey' }).getAttribute('aria-pressed'), 'true');
  // The views are links: back up with Shift+Tab to "Decisions", and Enter shows it.
  await tabTo('Decisions', 60, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await page.locator('#view-decisions').waitFor({ state: 'visible', timeout: 5000 });
});
