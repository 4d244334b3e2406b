/**
 * What the page exchanges with the emulator: the JSON of /_emulator/ (shapes of src/api/page.ts), and the real
 * AssumeRoleWithWebIdentity, sent as any client sends it (a form POST to the endpoint) and read from STS's XML.
 */

export interface Finding {
  readonly severity: string;
  readonly rule: string;
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

export interface PageCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  readonly path: string;
  readonly findings: readonly Finding[];
}

export interface PageStatement {
  readonly index: number;
  readonly sid: string | null;
  readonly effect: 'Allow' | 'Deny';
  readonly principal: {
    readonly any: boolean;
    readonly federated: readonly string[];
    readonly aws: readonly string[];
    readonly service: readonly string[];
  } | null;
  readonly actions: readonly string[];
  readonly notAction: boolean;
  readonly conditions: readonly PageCondition[];
  readonly findings: readonly Finding[];
}

export interface PageRole {
  readonly name: string;
  readonly arn: string;
  readonly maxSessionDuration: number;
  readonly description: string | null;
  readonly source: string;
  readonly trustPolicy: unknown;
  readonly statements: readonly PageStatement[];
  readonly findings: readonly Finding[];
  readonly presets: readonly string[];
}

export interface PageProvider {
  readonly url: string;
  readonly arn: string;
  readonly clientIdList: readonly string[];
  readonly thumbprintList: readonly string[];
  readonly keys: { readonly kind: string; readonly text: string };
  readonly source: string;
  readonly preset: string | null;
}

export interface PresetOption {
  readonly name: string;
  readonly kind: string;
  readonly flag?: string;
  /** The schema's one line of --help. */
  readonly help?: string;
  readonly default?: unknown;
  /** A fixed list of values, when a preset's schema gives one. */
  readonly choices?: readonly string[];
  readonly values?: readonly string[];
}

export interface PagePreset {
  readonly name: string;
  readonly label: string;
  readonly options: readonly PresetOption[];
  readonly issuers: readonly string[];
}

export interface PageConfig {
  readonly accountId: string;
  readonly region: string;
  readonly roles: readonly PageRole[];
  readonly providers: readonly PageProvider[];
  readonly presets: readonly PagePreset[];
}

export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  readonly contextValues: readonly string[] | null;
  readonly policyValues: readonly string[];
  readonly result: boolean;
  readonly reason: string;
  readonly absentBecause?: string;
}

export interface StatementTrace {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principalMatched: boolean;
  readonly actionMatched: boolean;
  readonly conditions: readonly ConditionTrace[];
  readonly applies: boolean;
}

export interface Evaluation {
  readonly decision: 'allow' | 'explicitDeny' | 'implicitDeny';
  readonly statements: readonly StatementTrace[];
}

export interface DecidingPart {
  readonly kind: 'explicitDeny' | 'allow' | 'principal' | 'action' | 'condition';
  readonly statement: number;
  readonly condition?: number;
}

export interface AuditSummary {
  readonly time: string;
  readonly requestId: string;
  readonly action: string;
  readonly role: string | null;
  readonly sessionName: string | null;
  readonly subject: string | null;
  readonly issuer: string | null;
  readonly decision: 'allow' | 'deny' | 'error';
  readonly errorCode: string | null;
  readonly message: string | null;
  readonly reason: string | null;
  /** What to change, for a refusal (explain's near misses). */
  readonly nearMisses?: readonly string[];
}

export interface PageDecision {
  readonly record: AuditSummary;
  /** The trust-policy evaluation, or null when the request was refused before it. */
  readonly evaluation: Evaluation | null;
  readonly text: string;
  readonly deciding: readonly DecidingPart[];
}

export interface Minted {
  readonly token: string;
  readonly issuer: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A refusal of the emulator's JSON routes, with its message. */
export class PageRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as { message?: unknown };
  if (!res.ok) throw new PageRequestError(res.status, typeof body.message === 'string' ? body.message : `HTTP ${res.status}`);
  return body as T;
}

export const loadConfig = async (): Promise<PageConfig> => json<PageConfig>(await fetch('/_emulator/ui/config'));

export const mintToken = async (spec: unknown): Promise<Minted> =>
  json<Minted>(
    await fetch('/_emulator/ui/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) }),
  );

/** One kept decision, or undefined when the emulator no longer keeps it. */
export async function loadDecision(requestId: string): Promise<PageDecision | undefined> {
  const res = await fetch(`/_emulator/decisions/${encodeURIComponent(requestId)}`);
  if (res.status === 404) return undefined;
  return json<PageDecision>(res);
}

export interface StsCall {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly token: string;
  readonly durationSeconds?: string;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}

/** What STS answered, read from its XML. */
export type StsAnswer =
  | {
      readonly ok: true;
      readonly status: number;
      readonly requestId: string;
      readonly credentials: Credentials;
      readonly assumedRoleArn: string;
      readonly subject: string;
      readonly audience: string;
      readonly provider: string;
    }
  | {
      readonly ok: false;
      readonly status: number;
      readonly requestId: string;
      readonly code: string;
      readonly message: string;
      readonly type: string;
      /** The emulator's x-sts-emulator-reason header. */
      readonly reason: string | null;
    };

function first(doc: Document, tag: string, within?: Element): string {
  return ((within ?? doc).getElementsByTagName(tag)[0]?.textContent ?? '').trim();
}

/** AssumeRoleWithWebIdentity, sent to the emulator's STS endpoint as a form POST. */
export async function assumeRoleWithWebIdentity(call: StsCall): Promise<StsAnswer> {
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: call.roleArn,
    RoleSessionName: call.sessionName,
    WebIdentityToken: call.token,
  });
  if (call.durationSeconds !== undefined) form.set('DurationSeconds', call.durationSeconds);
  const res = await fetch('/', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
  const requestId = first(doc, 'RequestId') || (res.headers.get('x-amzn-requestid') ?? '');
  if (res.ok) {
    const c = doc.getElementsByTagName('Credentials')[0];
    return {
      ok: true,
      status: res.status,
      requestId,
      credentials: {
        accessKeyId: first(doc, 'AccessKeyId', c),
        secretAccessKey: first(doc, 'SecretAccessKey', c),
        sessionToken: first(doc, 'SessionToken', c),
        expiration: first(doc, 'Expiration', c),
      },
      assumedRoleArn: first(doc, 'Arn', doc.getElementsByTagName('AssumedRoleUser')[0]),
      subject: first(doc, 'SubjectFromWebIdentityToken'),
      audience: first(doc, 'Audience'),
      provider: first(doc, 'Provider'),
    };
  }
  return {
    ok: false,
    status: res.status,
    requestId,
    code: first(doc, 'Code') || `HTTP ${res.status}`,
    message: first(doc, 'Message'),
    type: first(doc, 'Type'),
    reason: res.headers.get('x-sts-emulator-reason'),
  };
}
