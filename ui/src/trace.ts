/**
 * One decision's explanation, as the page shows it in "Try a token" and in an opened decision: the outcome, the
 * trust policy's evaluation statement by statement with the part that decided it marked (a "deciding" badge and a
 * highlight, not colour alone), and explain's own text.
 */
import type { ConditionTrace, DecidingPart, PageDecision, StatementTrace } from './api.js';
import { el, type Child } from './dom.js';

const DECISIONS: Readonly<Record<string, string>> = {
  allow: 'allow: an Allow statement applies and no Deny does',
  explicitDeny: 'explicit deny: a Deny statement applies',
  implicitDeny: 'implicit deny: no statement allows the request',
};

const values = (list: readonly string[] | null, absent?: string): Child =>
  list === null
    ? el('span', { class: 'absent' }, absent === undefined ? 'absent' : `absent: ${absent}`)
    : list.length === 0
      ? el('span', { class: 'absent' }, '[] (empty set)')
      : el('ul', { class: 'values' }, ...list.map((v) => el('li', {}, el('code', {}, v))));

const badge = (label: string): HTMLElement => el('strong', { class: 'badge deciding-badge' }, label);

function conditionItem(c: ConditionTrace, n: number, deciding: boolean): HTMLElement {
  return el(
    'li',
    { class: `condition${deciding ? ' deciding' : ''}`, 'data-condition': n },
    el(
      'p',
      { class: 'condition-head' },
      deciding ? badge('Deciding') : null,
      `${n + 1}. `,
      el('code', { class: 'operator' }, c.operator),
      ' ',
      el('code', { class: 'key' }, c.key),
      ' is ',
      el('strong', { class: c.result ? 'yes' : 'no' }, c.result ? 'true' : 'false'),
      ' ',
      el('small', {}, `(${c.reason})`),
    ),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Request context'),
      el('dd', { class: 'context' }, values(c.contextValues, c.absentBecause)),
      el('dt', {}, 'Policy values'),
      el('dd', {}, values(c.policyValues)),
    ),
  );
}

function statementCard(s: StatementTrace, deciding: readonly DecidingPart[]): HTMLElement {
  const mine = deciding.filter((d) => d.statement === s.index);
  const whole = mine.find((d) => d.kind === 'allow' || d.kind === 'explicitDeny');
  const mark = (kind: 'principal' | 'action'): Child => (mine.some((d) => d.kind === kind) ? badge('Deciding') : null);
  const decidingCondition = mine.find((d) => d.kind === 'condition')?.condition;
  return el(
    'section',
    { class: `statement${whole === undefined ? '' : ' deciding'}`, 'data-statement': s.index, 'aria-label': `Statement ${s.index}` },
    el(
      'h4',
      {},
      whole === undefined ? null : badge('Deciding'),
      `Statement[${s.index}] ${s.effect}${s.sid === undefined ? '' : ` (sid ${s.sid})`}: `,
      el('span', { class: s.applies ? 'yes' : 'no' }, s.applies ? 'applies' : 'does not apply'),
    ),
    el(
      'p',
      {},
      mark('principal'),
      'principal ',
      el('span', { class: s.principalMatched ? 'yes' : 'no' }, s.principalMatched ? 'matched' : 'not matched'),
      ' · ',
      mark('action'),
      'action ',
      el('span', { class: s.actionMatched ? 'yes' : 'no' }, s.actionMatched ? 'matched' : 'not matched'),
    ),
    s.conditions.length === 0
      ? el('p', {}, 'No conditions.')
      : el(
          'ol',
          { class: 'conditions', 'aria-label': `Conditions of Statement[${s.index}]` },
          ...s.conditions.map((c, i) => conditionItem(c, i, i === decidingCondition)),
        ),
  );
}

/** Google's decisions (gcp:ExchangeToken, gcp:GenerateAccessToken) have no trust policy; their trace is explain --gcp's. */
export const isGoogle = (action: string): boolean => action.startsWith('gcp:');

/** The near misses (what to change, as explain prints them), the evaluation with its deciding parts, explain's text. */
export function traceView(d: PageDecision): HTMLElement {
  const ev = d.evaluation;
  const misses = d.record.nearMisses ?? [];
  return el(
    'div',
    { class: 'trace' },
    misses.length === 0
      ? null
      : el('div', { class: 'hints' }, el('h4', {}, 'Near misses'), el('ul', {}, ...misses.map((m) => el('li', {}, m)))),
    ev === null
      ? el(
          'p',
          {},
          isGoogle(d.record.action)
            ? "Google Cloud: no trust policy; the audience, the attribute mapping and condition, and the bindings are in explain --gcp's output below."
            : 'The trust policy was not evaluated: the request was refused before (see the reason).',
        )
      : [
          el('p', { class: 'decision-line' }, 'Trust policy: ', el('strong', {}, DECISIONS[ev.decision] ?? ev.decision)),
          ...ev.statements.map((s) => statementCard(s, d.deciding)),
        ],
    el('details', { class: 'explain-text', open: true }, el('summary', {}, 'explain output (as the CLI prints it)'), el('pre', {}, d.text)),
  );
}
