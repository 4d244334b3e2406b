/** Dotted JSON paths for problems: `Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"]`. */

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The path of property `key` under `path` ('' is the document itself). */
export function childPath(path: string, key: string): string {
  if (IDENT.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
