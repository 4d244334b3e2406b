/**
 * "Try a token": pick a role, paste a JWT or build one with a built-in issuer (the preset's options come from its
 * schema, so a new preset appears here without a change), press "Assume role". The page sends the real
 * AssumeRoleWithWebIdentity to the emulator and shows STS's answer (credentials, the secret hidden until asked for,
 * or AWS's error), the kept decision's trace with the deciding condition, the equivalent aws-cli command, and the
 * token's decoded header and claims.
 */
import {
  assumeRoleWithWebIdentity,
  loadDecision,
  mintToken,
  PageRequestError,
  type PageConfig,
  type PageDecision,
  type PagePreset,
  type PresetOption,
  type StsAnswer,
} from './api.js';
import { byId, el, replace, text, type Child } from './dom.js';
import { decodeJwt } from './jwt.js';
import { awsCliCommand } from './shell.js';
import { traceView } from './trace.js';

const optionId = (o: PresetOption): string => `option-${o.name}`;

/** The choices an option's schema lists, if any. */
const choicesOf = (o: PresetOption): readonly string[] | undefined =>
  Array.isArray(o.choices) ? o.choices : Array.isArray(o.values) ? o.values : undefined;

function optionLabel(o: PresetOption): Child {
  return [o.flag === undefined ? o.name : `--${o.flag}`, o.kind === 'strings' ? ' (comma-separated)' : null];
}

function optionField(o: PresetOption): HTMLElement {
  const id = optionId(o);
  const fallback = o.default === undefined ? 'default: derived' : `default: ${text(o.default)}`;
  const hint = o.help === undefined ? fallback : `${o.help} (${fallback})`;
  const hintId = `${id}-hint`;
  if (o.kind === 'boolean')
    return el(
      'div',
      { class: 'choice' },
      el('input', { type: 'checkbox', id, name: o.name, checked: o.default === true, 'aria-describedby': hintId }),
      el('label', { for: id }, optionLabel(o)),
      el('small', { id: hintId }, ` ${hint}`),
    );
  const choices = choicesOf(o);
  const control =
    choices !== undefined
      ? el(
          'select',
          { id, name: o.name, 'aria-describedby': hintId },
          el('option', { value: '' }, '(default)'),
          ...choices.map((c) => el('option', { value: c }, c)),
        )
      : el('input', { type: 'text', id, name: o.name, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': hintId });
  return el('div', { class: 'field' }, el('label', { for: id }, optionLabel(o)), control, el('small', { id: hintId }, hint));
}

/** The options a user set in the preset's fieldset, typed as the schema says. */
function optionValues(preset: PagePreset): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const o of preset.options) {
    const input = document.getElementById(optionId(o)) as HTMLInputElement | HTMLSelectElement | null;
    if (input === null) continue;
    if (o.kind === 'boolean') {
      const checked = (input as HTMLInputElement).checked;
      if (checked !== (o.default === true)) values[o.name] = checked;
    } else if (input.value.trim() !== '') {
      values[o.name] =
        o.kind === 'strings'
          ? input.value
              .split(',')
              .map((v) => v.trim())
              .filter((v) => v !== '')
          : input.value.trim();
    }
  }
  return values;
}

function credentialRow(label: string, value: string, secret: boolean): Child {
  if (!secret) return [el('dt', {}, label), el('dd', {}, el('code', {}, value))];
  const shown = el('code', { class: 'secret', 'data-secret': label }, '•'.repeat(16));
  const button = el('button', { type: 'button', class: 'reveal', 'aria-pressed': 'false' }, `Show ${label}`);
  let revealed = false;
  button.addEventListener('click', () => {
    revealed = !revealed;
    replace(shown, revealed ? value : '•'.repeat(16));
    replace(button, `${revealed ? 'Hide' : 'Show'} ${label}`);
    button.setAttribute('aria-pressed', String(revealed));
  });
  return [el('dt', {}, label), el('dd', {}, shown, ' ', button)];
}

function until(expiration: string): string {
  const ms = Date.parse(expiration) - Date.now();
  if (Number.isNaN(ms)) return '';
  return ms <= 0 ? ' (expired)' : ` (in ${Math.round(ms / 60000)} min)`;
}

function answerView(answer: StsAnswer): HTMLElement {
  if (answer.ok) {
    const c = answer.credentials;
    return el(
      'div',
      { class: 'outcome allow', 'data-outcome': 'allow' },
      el('h3', {}, 'Allowed: STS issued credentials'),
      el(
        'dl',
        { class: 'facts credentials' },
        credentialRow('AccessKeyId', c.accessKeyId, false),
        credentialRow('SecretAccessKey', c.secretAccessKey, true),
        credentialRow('SessionToken', c.sessionToken, true),
        el('dt', {}, 'Expiration'),
        el('dd', {}, el('code', {}, c.expiration), until(c.expiration)),
        el('dt', {}, 'AssumedRoleUser'),
        el('dd', {}, el('code', {}, answer.assumedRoleArn)),
        el('dt', {}, 'SubjectFromWebIdentityToken'),
        el('dd', {}, el('code', {}, answer.subject)),
        el('dt', {}, 'Audience'),
        el('dd', {}, el('code', {}, answer.audience)),
        el('dt', {}, 'RequestId'),
        el('dd', {}, el('code', {}, answer.requestId)),
      ),
    );
  }
  return el(
    'div',
    { class: `outcome ${answer.code === 'AccessDenied' ? 'deny' : 'error'}`, 'data-outcome': answer.code },
    el('h3', {}, `${answer.code} (HTTP ${answer.status})`),
    el('p', {}, el('strong', {}, 'AWS says: '), answer.message),
    answer.reason === null ? null : el('p', { class: 'reason' }, el('strong', {}, 'Why: '), answer.reason),
    el('p', {}, 'RequestId ', el('code', {}, answer.requestId)),
  );
}

function copyButton(source: HTMLElement): HTMLElement {
  const button = el('button', { type: 'button' }, 'Copy');
  button.addEventListener('click', () => {
    void navigator.clipboard?.writeText(source.textContent ?? '').then(
      () => replace(button, 'Copied'),
      () => replace(button, 'Copy failed: select the text'),
    );
  });
  return button;
}

/** The kept decision of a request; the answer can reach the page a moment before the decision is kept. */
async function decisionOf(requestId: string): Promise<PageDecision | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const d = await loadDecision(requestId);
    if (d !== undefined) return d;
    await new Promise((r) => setTimeout(r, 150));
  }
  return undefined;
}

export function setUpTryToken(config: PageConfig, initialRole?: string): void {
  const form = byId<HTMLFormElement>('try-form');
  const roleSelect = byId<HTMLSelectElement>('role');
  const presetSelect = byId<HTMLSelectElement>('preset');
  const options = byId('preset-options');
  const result = byId('try-result');
  const build = byId<HTMLInputElement>('source-build');
  const buildFields = byId('build-fields');
  const pasteFields = byId('paste-fields');

  replace(roleSelect, ...config.roles.map((r) => el('option', { value: r.name }, r.name)));
  replace(presetSelect, ...config.presets.map((p) => el('option', { value: p.name }, `${p.label} (${p.name})`)));
  const presetNamed = (name: string): PagePreset | undefined => config.presets.find((p) => p.name === name);

  const showPreset = (): void => {
    const preset = presetNamed(presetSelect.value);
    if (preset === undefined) return replace(options, el('legend', {}, 'Options'));
    replace(options, el('legend', {}, `Options of ${preset.label}`), ...preset.options.map(optionField));
  };
  const pickPresetFor = (roleName: string): void => {
    const suggested = config.roles.find((r) => r.name === roleName)?.presets[0];
    if (suggested !== undefined && suggested !== presetSelect.value) {
      presetSelect.value = suggested;
      showPreset();
    }
  };
  const showSource = (): void => {
    buildFields.hidden = !build.checked;
    pasteFields.hidden = build.checked;
  };
  if (initialRole !== undefined && config.roles.some((r) => r.name === initialRole)) roleSelect.value = initialRole;
  showPreset();
  pickPresetFor(roleSelect.value);
  showSource();
  presetSelect.addEventListener('change', showPreset);
  roleSelect.addEventListener('change', () => pickPresetFor(roleSelect.value));
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="source"]')) radio.addEventListener('change', showSource);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });

  const status = byId('try-status');
  let busy = false;
  const submit = async (): Promise<void> => {
    const role = config.roles.find((r) => r.name === roleSelect.value);
    if (role === undefined || busy) return;
    busy = true; // the button stays focusable: a keyboard user keeps their place
    form.setAttribute('aria-busy', 'true');
    replace(status, `Assuming ${role.name}…`);
    try {
      let token: string;
      if (build.checked) {
        const preset = presetNamed(presetSelect.value);
        const extra = byId<HTMLTextAreaElement>('extra-claims').value.trim();
        let claims: unknown;
        if (extra !== '') {
          try {
            claims = JSON.parse(extra);
          } catch (e) {
            throw new PageRequestError(400, `extra claims: not JSON (${(e as Error).message})`);
          }
        }
        const spec = {
          ...(preset === undefined ? {} : { preset: { name: preset.name, ...optionValues(preset) } }),
          ...(claims === undefined ? {} : { claims }),
        };
        token = (await mintToken(spec)).token;
      } else {
        token = byId<HTMLTextAreaElement>('jwt').value.trim();
        if (token === '') throw new PageRequestError(400, 'paste a JWT first');
      }
      const sessionName = byId<HTMLInputElement>('session-name').value;
      const durationText = byId<HTMLInputElement>('duration').value.trim();
      const call = { roleArn: role.arn, sessionName, token, ...(durationText === '' ? {} : { durationSeconds: durationText }) };
      const answer = await assumeRoleWithWebIdentity(call);
      const decision = answer.requestId === '' ? undefined : await decisionOf(answer.requestId);
      const decoded = decodeJwt(token);
      const command = el('code', {}, awsCliCommand({ endpoint: location.origin, region: config.region, ...call }));
      replace(status, answer.ok ? `${role.name}: allowed, credentials issued` : `${role.name}: ${answer.code} (HTTP ${answer.status})`);
      replace(
        result,
        answerView(answer),
        el('h3', {}, 'The trust policy, condition by condition'),
        decision === undefined ? el('p', {}, 'This decision is not kept by the emulator (--keep-decisions 0?).') : traceView(decision),
        el('h3', {}, 'The same request with aws-cli'),
        el('div', { class: 'command' }, el('pre', {}, command), copyButton(command)),
        el('h3', {}, 'The token, decoded'),
        'error' in decoded
          ? el('p', {}, decoded.error)
          : el(
              'div',
              { class: 'claims' },
              el('h4', {}, 'Header'),
              el('pre', { class: 'json' }, JSON.stringify(decoded.header, null, 2)),
              el('h4', {}, 'Claims'),
              el('pre', { class: 'json', 'data-claims': '' }, JSON.stringify(decoded.claims, null, 2)),
            ),
      );
    } catch (e) {
      replace(status, `The request could not be made: ${(e as Error).message}`);
      replace(
        result,
        el(
          'div',
          { class: 'outcome error', 'data-outcome': 'request-error' },
          el('h3', {}, 'The request could not be made'),
          el('p', {}, (e as Error).message),
        ),
      );
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
    }
  };
}
