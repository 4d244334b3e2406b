/**
 * The OpenID Connect provider operations of the IAM API subset: Create, Get, List, Delete, AddClientID,
 * RemoveClientID, UpdateThumbprint. A provider is found by its ARN, exactly as IAM formed it
 * (`arn:aws:iam::<account>:oidc-provider/<Url without https://>`). A created provider is emulated: the emulator
 * signs its tokens (documents.ts).
 */
import { normalizeProviderUrl } from '../config/index.js';
import type { OidcProvider } from '../identity/index.js';
import { IAM_MESSAGES, StsError } from '../protocol/errors.js';
import type { XmlNode } from '../protocol/xml.js';
import type { QueryRequest } from '../sts/index.js';
import type { IamDeps } from './deps.js';
import { changedProviderDocument, newProviderDocument } from './documents.js';
import { readCreateProvider, readProviderArn, readProviderClientId, readUpdateThumbprint } from './params.js';
import { iamTimestamp, memberList, providerResult, tagsNode } from './results.js';

type Result = Promise<readonly (XmlNode | undefined)[] | null>;

const HEX_THUMBPRINT = /^[0-9A-Fa-f]{40}$/;

function providerByArn(deps: IamDeps, arn: string): OidcProvider | undefined {
  return deps.store.config().providers.find((p) => p.arn === arn);
}

/** The provider with that ARN, or NoSuchEntity. */
export function providerWithArn(deps: IamDeps, arn: string): OidcProvider {
  const p = providerByArn(deps, arn);
  if (p === undefined) throw new StsError('NoSuchEntity', IAM_MESSAGES.providerNotFound(arn));
  return p;
}

/** Thumbprints IAM keeps: 40 hexadecimal characters each (the model only fixes the length), at most `max`. */
function checkThumbprints(thumbprints: readonly string[], max: number): void {
  const bad = thumbprints.find((t) => !HEX_THUMBPRINT.test(t));
  if (bad !== undefined) throw new StsError('InvalidInput', IAM_MESSAGES.thumbprintNotHex, { reason: `'${bad}' is not hexadecimal` });
  if (thumbprints.length > max) {
    throw new StsError('LimitExceeded', IAM_MESSAGES.tooManyThumbprints(max), { reason: `${thumbprints.length} thumbprints given` });
  }
}

export async function createProvider(deps: IamDeps, req: QueryRequest): Result {
  const p = readCreateProvider(req.params);
  const normalized = p.url.startsWith('https://') ? normalizeProviderUrl(p.url) : { error: 'must begin with https://' };
  if ('error' in normalized) throw new StsError('InvalidInput', IAM_MESSAGES.invalidProviderUrl, { reason: `Url ${normalized.error}` });
  const clientIds = [...new Set(p.clientIds)];
  if (clientIds.length > deps.limits.clientIds) {
    throw new StsError('LimitExceeded', IAM_MESSAGES.quota('ClientIdsPerOpenIdConnectProvider', deps.limits.clientIds));
  }
  checkThumbprints(p.thumbprints, deps.limits.thumbprints);
  const { providers } = deps.store.config();
  if (providers.some((x) => x.url === normalized.url)) throw new StsError('EntityAlreadyExists', IAM_MESSAGES.providerExists(p.url));
  if (providers.length >= deps.limits.providers) {
    throw new StsError('LimitExceeded', IAM_MESSAGES.quota('OpenIdConnectProvidersPerAccount', deps.limits.providers));
  }
  const document = newProviderDocument({
    url: normalized.url,
    clientIds,
    thumbprints: p.thumbprints,
    tags: p.tags,
    createDate: iamTimestamp(deps.clock()),
  });
  await deps.store.putProvider(document, undefined);
  const created = deps.store.config().providers.find((x) => x.url === normalized.url);
  if (created === undefined) throw new Error(`the provider ${normalized.url} is not in force after it was put`);
  return [['OpenIDConnectProviderArn', created.arn], p.tags.length > 0 ? tagsNode(p.tags) : undefined];
}

export async function getProvider(deps: IamDeps, req: QueryRequest): Result {
  return providerResult(providerWithArn(deps, readProviderArn(req.params)), deps.store.startedAt);
}

export async function listProviders(deps: IamDeps): Result {
  const arns = deps.store
    .config()
    .providers.map((p) => p.arn)
    .sort();
  return [
    memberList(
      'OpenIDConnectProviderList',
      arns.map((arn): XmlNode[] => [['Arn', arn]]),
    ),
  ];
}

/** Idempotent, as the IAM API reference says: deleting a provider that does not exist succeeds. */
export async function deleteProvider(deps: IamDeps, req: QueryRequest): Result {
  const p = providerByArn(deps, readProviderArn(req.params));
  if (p !== undefined) await deps.store.removeProvider(p);
  return null;
}

/** A client ID the provider has already is left as it is. */
export async function addClientId(deps: IamDeps, req: QueryRequest): Result {
  const { arn, clientId } = readProviderClientId(req.params);
  const p = providerWithArn(deps, arn);
  if (p.clientIdList.includes(clientId)) return null;
  if (p.clientIdList.length >= deps.limits.clientIds) {
    throw new StsError('LimitExceeded', IAM_MESSAGES.quota('ClientIdsPerOpenIdConnectProvider', deps.limits.clientIds));
  }
  await deps.store.putProvider(changedProviderDocument(p, { ClientIDList: [...p.clientIdList, clientId] }), p);
  return null;
}

/** A client ID the provider does not have is ignored. */
export async function removeClientId(deps: IamDeps, req: QueryRequest): Result {
  const { arn, clientId } = readProviderClientId(req.params);
  const p = providerWithArn(deps, arn);
  if (!p.clientIdList.includes(clientId)) return null;
  await deps.store.putProvider(changedProviderDocument(p, { ClientIDList: p.clientIdList.filter((c) => c !== clientId) }), p);
  return null;
}

/** The list given replaces the provider's thumbprints. */
export async function updateThumbprint(deps: IamDeps, req: QueryRequest): Result {
  const { arn, thumbprints } = readUpdateThumbprint(req.params);
  const p = providerWithArn(deps, arn);
  checkThumbprints(thumbprints, deps.limits.thumbprints);
  await deps.store.putProvider(changedProviderDocument(p, { ThumbprintList: [...thumbprints] }), p);
  return null;
}
