/**
 * "Decisions": the recent requests from any client (this page, aws-cli in another terminal, an SDK), newest first,
 * kept up to date over Server-Sent Events (the browser reconnects by itself). Each opens to its trace, read when it
 * is opened.
 */
import { loadDecision, type AuditSummary } from './api.js';
import { byId, el, replace } from './dom.js';
import { isGoogle, traceView } from './trace.js';

/** The most decisions the list holds; older ones leave it. */
const SHOWN = 200;

const LABELS: Readonly<Record<AuditSummary['decision'], string>> = { allow: 'ALLOW', deny: 'DENY', error: 'ERROR' };

function item(r: AuditSummary): HTMLElement {
  const body = el('div', { class: 'detail' }, 'Loading the trace…');
  const details = el(
    'details',
    {},
    el(
      'summary',
      {},
      el('span', { class: `badge ${r.decision}` }, LABELS[r.decision] ?? r.decision),
      ' ',
      el('time', { datetime: r.time }, new Date(r.time).toLocaleTimeString()),
      ' ',
      el('span', { class: 'action' }, r.action),
      r.role === null ? null : [' ', el('code', { class: 'role-name' }, r.role.replace(/^arn:aws[\w-]*:iam::\d{12}:role\//, ''))],
      r.sessionName === null ? null : [' session ', el('code', {}, r.sessionName)],
      r.errorCode === null ? null : [' ', el('strong', {}, r.errorCode)],
      r.subject === null ? null : [el('br'), el('small', {}, 'sub ', el('code', {}, r.subject))],
    ),
    body,
  );
  let loaded = false;
  details.addEventListener('toggle', () => {
    if (!details.open || loaded) return;
    loaded = true;
    loadDecision(r.requestId).then(
      (d) =>
        replace(
          body,
          r.reason === null ? null : el('p', { class: 'reason' }, el('strong', {}, 'Why: '), r.reason),
          r.message === null ? null : el('p', {}, el('strong', {}, isGoogle(r.action) ? 'Google says: ' : 'AWS says: '), r.message),
          el('p', {}, 'RequestId ', el('code', {}, r.requestId)),
          d === undefined ? el('p', {}, 'No longer kept by the emulator (it keeps the last --keep-decisions).') : traceView(d),
        ),
      (e: unknown) => replace(body, `Could not load the trace: ${(e as Error).message}`),
    );
  });
  return el('li', { class: `decision ${r.decision}`, 'data-request-id': r.requestId }, details);
}

export function startDecisions(onCount: (n: number) => void): void {
  const list = byId('decision-list');
  const status = byId('stream-status');
  const empty = byId('decisions-empty');
  const count = (): void => {
    const n = list.children.length;
    empty.hidden = n > 0;
    onCount(n);
  };
  const add = (records: readonly AuditSummary[]): void => {
    for (const r of records) list.insertBefore(item(r), list.firstChild);
    while (list.children.length > SHOWN) list.lastElementChild?.remove();
    count();
  };
  const source = new EventSource('/_emulator/decisions/stream');
  source.addEventListener('open', () => replace(status, 'Live: new decisions appear as they are made.'));
  source.addEventListener('error', () => replace(status, 'Not connected: reconnecting…'));
  source.addEventListener('decisions', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as { records: AuditSummary[]; skipped: number; initial?: boolean };
    if (data.initial === true) replace(list);
    add(data.records);
    if (data.skipped > 0) replace(status, `Live: ${data.skipped} decisions came too fast to list.`);
  });
  source.addEventListener('cleared', () => {
    replace(list);
    count();
  });
  count();
}
