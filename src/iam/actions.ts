/** The Actions of the IAM API subset: the keys of the operation table (operations.ts), known without loading it. */
export const IAM_ACTIONS = [
  'CreateOpenIDConnectProvider',
  'GetOpenIDConnectProvider',
  'ListOpenIDConnectProviders',
  'DeleteOpenIDConnectProvider',
  'AddClientIDToOpenIDConnectProvider',
  'RemoveClientIDFromOpenIDConnectProvider',
  'UpdateOpenIDConnectProviderThumbprint',
  'CreateRole',
  'GetRole',
  'ListRoles',
  'UpdateAssumeRolePolicy',
  'UpdateRole',
  'DeleteRole',
  'TagRole',
  'UntagRole',
  'ListRoleTags',
] as const;

export type IamAction = (typeof IAM_ACTIONS)[number];
