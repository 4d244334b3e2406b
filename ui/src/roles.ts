/**
 * "Roles and providers": every role with its ARN, maximum session duration and trust policy, read statement by
 * statement (principals, actions, each condition as operator / key / values) with each lint finding next to what it
 * concerns; every provider with its URL, ClientIDList and where its keys come from.
 */
import type { Finding, PageConfig, PageProvider, PageRole, PageStatement } from './api.js';
import { el, replace, type Child } from './dom.js';

const duration = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600} h (${seconds} s)` : `${Math.round(seconds / 60)} min (${seconds} s)`;

function findingList(findings: readonly Finding[]): Child {
  if (findings.length === 0) return null;
  return el(
    'ul',
    { class: 'findings' },
    ...findings.map((f) =>
      el(
        'li',
        { class: `finding ${f.severity}` },
        el('strong', { class: 'badge' }, `lint ${f.severity}`),
        ' ',
        el('code', {}, f.rule),
        ': ',
        f.message,
        f.fix === '' ? null : el('div', { class: 'fix' }, 'Fix: ', f.fix),
      ),
    ),
  );
}

const codeList = (items: readonly string[]): Child =>
  items.length === 1
    ? el('code', {}, items[0] as string)
    : el('ul', { class: 'values' }, ...items.map((i) => el('li', {}, el('code', {}, i))));

function principal(s: PageStatement): Child {
  const p = s.principal;
  if (p === null) return null;
  const rows: Child[] = [];
  if (p.any) rows.push(el('li', {}, 'anyone (', el('code', {}, '"*"'), ')'));
  if (p.federated.length > 0) rows.push(el('li', {}, 'Federated: ', codeList(p.federated)));
  if (p.aws.length > 0) rows.push(el('li', {}, 'AWS: ', codeList(p.aws)));
  if (p.service.length > 0) rows.push(el('li', {}, 'Service: ', codeList(p.service)));
  return el('div', {}, el('h5', {}, 'Principal'), el('ul', { class: 'plain' }, ...rows));
}

function statement(s: PageStatement): HTMLElement {
  return el(
    'section',
    { class: `statement ${s.effect.toLowerCase()}`, 'aria-label': `Statement ${s.index}` },
    el(
      'h4',
      {},
      `Statement[${s.index}] `,
      el('span', { class: `effect ${s.effect.toLowerCase()}` }, s.effect),
      s.sid === null ? null : ` (sid ${s.sid})`,
    ),
    findingList(s.findings),
    principal(s),
    el('div', {}, el('h5', {}, s.notAction ? 'NotAction' : 'Action'), codeList(s.actions)),
    el('h5', {}, 'Conditions'),
    s.conditions.length === 0
      ? el('p', {}, 'none')
      : el(
          'ol',
          { class: 'conditions', 'aria-label': `Conditions of Statement[${s.index}]` },
          ...s.conditions.map((c) =>
            el(
              'li',
              { class: `condition${c.findings.length > 0 ? ' flagged' : ''}`, 'data-key': c.key },
              el('p', { class: 'condition-head' }, el('code', { class: 'key' }, c.key), ' ', el('code', { class: 'operator' }, c.operator)),
              el('ul', { class: 'values' }, ...c.values.map((v) => el('li', {}, el('code', {}, v)))),
              findingList(c.findings),
            ),
          ),
        ),
  );
}

function role(r: PageRole): HTMLElement {
  return el(
    'article',
    { class: 'role', id: `role-${r.name}`, 'data-role': r.name },
    el('h3', {}, r.name),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'ARN'),
      el('dd', {}, el('code', {}, r.arn)),
      el('dt', {}, 'Max session duration'),
      el('dd', {}, duration(r.maxSessionDuration)),
      r.description === null ? null : [el('dt', {}, 'Description'), el('dd', {}, r.description)],
      el('dt', {}, 'File'),
      el('dd', {}, el('code', {}, r.source)),
    ),
    findingList(r.findings),
    el('h4', { class: 'visually-hidden' }, 'Trust policy'),
    ...r.statements.map(statement),
    el('details', {}, el('summary', {}, 'Trust policy as JSON'), el('pre', {}, JSON.stringify(r.trustPolicy, null, 2))),
  );
}

function provider(p: PageProvider): HTMLElement {
  return el(
    'article',
    { class: 'provider', 'data-provider': p.url },
    el('h3', {}, el('code', {}, p.url)),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'ARN'),
      el('dd', {}, el('code', {}, p.arn)),
      el('dt', {}, 'ClientIDList'),
      el('dd', {}, p.clientIdList.length === 0 ? 'empty' : codeList(p.clientIdList)),
      el('dt', {}, 'Keys'),
      el('dd', {}, p.keys.text),
      p.preset === null ? null : [el('dt', {}, 'Built-in issuer preset'), el('dd', {}, el('code', {}, p.preset))],
      el('dt', {}, 'File'),
      el('dd', {}, el('code', {}, p.source)),
    ),
  );
}

export function renderRoles(config: PageConfig, roles: HTMLElement, providers: HTMLElement): void {
  replace(
    roles,
    el(
      'nav',
      { 'aria-label': 'Roles' },
      el('ul', { class: 'role-index' }, ...config.roles.map((r) => el('li', {}, el('a', { href: `#role-${r.name}` }, r.name)))),
    ),
    ...config.roles.map(role),
  );
  replace(providers, ...config.providers.map(provider));
}
