/**
 * The IAM table the dispatch is given: one entry per Action, each loading the operations (operations.ts and all it
 * needs) on the first IAM request, so a server that answers only STS never loads them.
 */
import type { Operation, Operations } from '../sts/index.js';
import { IAM_ACTIONS, type IamAction } from './actions.js';
import type { IamDeps } from './deps.js';

type Table = Readonly<Record<IamAction, Operation>>;

/** The IAM operations over `deps.store`, loaded when first called. */
export function iamOperations(deps: IamDeps): Operations {
  let table: Promise<Table> | undefined;
  const loaded = (): Promise<Table> => (table ??= import('./operations.js').then((m) => m.iamOperationTable(deps)));
  return Object.fromEntries(IAM_ACTIONS.map((action): [string, Operation] => [action, async (req) => (await loaded())[action](req)]));
}
