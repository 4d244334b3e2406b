/**
 * The IAM API subset as a table of operations by Action, for the one dispatch (src/sts/dispatch.ts routes Version
 * 2010-05-08 here). Every operation authenticates its caller first (auth.ts); operations that change the
 * configuration run one at a time, so a check (does the role exist?) and the change it guards cannot interleave
 * with another change. Answers and errors are in IAM's namespace.
 */
import { ConfigError } from '../config/index.js';
import { StsError } from '../protocol/errors.js';
import { IAM_XMLNS, type XmlNode } from '../protocol/xml.js';
import { runOperation, sessionArn, type Operation, type Operations, type QueryRequest, type Trail } from '../sts/index.js';
import type { IamAction } from './actions.js';
import { authenticateAdmin } from './auth.js';
import type { IamDeps } from './deps.js';
import { addClientId, createProvider, deleteProvider, getProvider, listProviders, removeClientId, updateThumbprint } from './providers.js';
import {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  listRoleTags,
  tagRole,
  untagRole,
  updateAssumeRolePolicy,
  updateRole,
} from './roles.js';

type Body = (deps: IamDeps, req: QueryRequest) => Promise<readonly (XmlNode | undefined)[] | null>;

/** What an operation changes, for the audit log: the role named, or the provider ARN / Url. */
function subjectOf(action: string, req: QueryRequest, trail: Trail): void {
  const roleName = req.params.get('RoleName');
  if (roleName !== undefined) trail.role = roleName;
  const provider =
    req.params.get('OpenIDConnectProviderArn') ?? (action === 'CreateOpenIDConnectProvider' ? req.params.get('Url') : undefined);
  if (provider !== undefined) trail.provider = provider;
}

/**
 * A configuration the loader refused after an IAM change (the API checks what IAM checks first, so this is a
 * document the emulator cannot hold, or another file under --policies that became invalid): InvalidInput with the
 * first problem, every problem in the reason.
 */
function fromConfigError(e: ConfigError): StsError {
  const text = (p: ConfigError['problems'][number]): string => [p.file, p.path, p.message].filter((x) => x !== '' && x !== '.').join(': ');
  const first = e.problems[0];
  return new StsError('InvalidInput', first === undefined ? 'Invalid configuration' : text(first), {
    reason: `the configuration would be invalid: ${e.problems.map(text).join('; ')}`,
    cause: e,
  });
}

/** The IAM operations over `deps.store`, one per Action of actions.ts (the type keeps the two lists equal). */
export function iamOperationTable(deps: IamDeps): Readonly<Record<IamAction, Operation>> {
  let changing: Promise<unknown> = Promise.resolve();
  /** Runs `f` after every change before it, and before any after it. */
  const serially = <T>(f: () => Promise<T>): Promise<T> => {
    const next = changing.then(f);
    changing = next.catch(() => undefined);
    return next;
  };
  const operation =
    (action: string, body: Body, changes: boolean) =>
    (req: QueryRequest): ReturnType<Operations[string]> =>
      runOperation(
        action,
        async (trail) => {
          subjectOf(action, req, trail);
          const caller = authenticateAdmin(deps.credentials, req, deps.clock());
          trail.subject =
            caller.session !== undefined
              ? sessionArn(caller.session)
              : `access key ${caller.accessKeyId}${caller.signatureChecked ? '' : ' (signature not checked)'}`;
          try {
            return await (changes ? serially(() => body(deps, req)) : body(deps, req));
          } catch (e) {
            if (e instanceof ConfigError) throw fromConfigError(e);
            throw e;
          }
        },
        IAM_XMLNS,
      );
  return {
    CreateOpenIDConnectProvider: operation('CreateOpenIDConnectProvider', createProvider, true),
    GetOpenIDConnectProvider: operation('GetOpenIDConnectProvider', getProvider, false),
    ListOpenIDConnectProviders: operation('ListOpenIDConnectProviders', listProviders, false),
    DeleteOpenIDConnectProvider: operation('DeleteOpenIDConnectProvider', deleteProvider, true),
    AddClientIDToOpenIDConnectProvider: operation('AddClientIDToOpenIDConnectProvider', addClientId, true),
    RemoveClientIDFromOpenIDConnectProvider: operation('RemoveClientIDFromOpenIDConnectProvider', removeClientId, true),
    UpdateOpenIDConnectProviderThumbprint: operation('UpdateOpenIDConnectProviderThumbprint', updateThumbprint, true),
    CreateRole: operation('CreateRole', createRole, true),
    GetRole: operation('GetRole', getRole, false),
    ListRoles: operation('ListRoles', listRoles, false),
    UpdateAssumeRolePolicy: operation('UpdateAssumeRolePolicy', updateAssumeRolePolicy, true),
    UpdateRole: operation('UpdateRole', updateRole, true),
    DeleteRole: operation('DeleteRole', deleteRole, true),
    TagRole: operation('TagRole', tagRole, true),
    UntagRole: operation('UntagRole', untagRole, true),
    ListRoleTags: operation('ListRoleTags', listRoleTags, false),
  };
}
