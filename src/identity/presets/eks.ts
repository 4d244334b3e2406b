/**
 * Kubernetes service-account tokens as EKS projects them for IAM roles for service accounts (the Pod Identity
 * Webhook's token at /var/run/secrets/eks.amazonaws.com/serviceaccount/token), as Kubernetes' "Configure Service
 * Accounts for Pods" (the pod-bound token payload) and the EKS User Guide's "Assign IAM roles to Kubernetes service
 * accounts" describe them: iss https://oidc.eks.<region>.amazonaws.com/id/<id>, sub
 * system:serviceaccount:<namespace>:<name>, aud ["sts.amazonaws.com"] (a list, as Kubernetes writes it), and the
 * kubernetes.io claim with the namespace, the service account, the pod and the node.
 */
import { type OptionSchema, type OptionsOf, type Preset, times } from './schema.js';

export const EKS_DEMO = {
  namespace: 'default',
  serviceAccount: 'demo-app',
  serviceAccountUid: '0b5c4d3e-2f1a-4b9c-8d7e-6f5a4b3c2d1e',
  podUid: '7e6d5c4b-3a29-4c18-9f07-e6d5c4b3a291',
  node: 'ip-192-168-12-34.us-east-1.compute.internal',
  nodeUid: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  audience: 'sts.amazonaws.com',
} as const;

/** Namespaces and service-account names are DNS labels / subdomains: no ':' can make `sub` ambiguous. */
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const OPTIONS = {
  namespace: {
    kind: 'string',
    flag: 'namespace',
    value: 'name',
    help: "the pod's namespace (default default)",
    default: EKS_DEMO.namespace,
  },
  serviceAccount: {
    kind: 'string',
    flag: 'service-account',
    value: 'name',
    help: 'the service account (default demo-app)',
    default: EKS_DEMO.serviceAccount,
  },
  serviceAccountUid: {
    kind: 'string',
    flag: 'service-account-uid',
    value: 'uid',
    help: 'kubernetes.io.serviceaccount.uid',
    default: EKS_DEMO.serviceAccountUid,
  },
  /** Default: <service account>-7c9d8b6f5d-x2x4z. */
  pod: { kind: 'string', flag: 'pod', value: 'name', help: 'kubernetes.io.pod.name (default <service account>-7c9d8b6f5d-x2x4z)' },
  podUid: { kind: 'string', flag: 'pod-uid', value: 'uid', help: 'kubernetes.io.pod.uid', default: EKS_DEMO.podUid },
  node: { kind: 'string', flag: 'node', value: 'name', help: 'kubernetes.io.node.name', default: EKS_DEMO.node },
  aud: {
    kind: 'string',
    flag: 'aud',
    value: 'audience',
    help: "the projected token's audience (default sts.amazonaws.com)",
    default: EKS_DEMO.audience,
  },
} as const satisfies OptionSchema;

export type EksOptions = OptionsOf<typeof OPTIONS>;

export const EKS_PRESET: Preset<typeof OPTIONS> = {
  name: 'eks',
  label: 'EKS service accounts',
  source:
    'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/ (Kubernetes "Configure Service Accounts for Pods") and https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html',
  options: OPTIONS,
  conflicts(o, spell) {
    return (['namespace', 'serviceAccount'] as const)
      .filter((k) => {
        const v = o[k];
        return v !== undefined && !DNS_NAME.test(v);
      })
      .map((k) => `${spell(k)} must be a Kubernetes name (lower-case letters, digits, '-' and '.')`);
  },
  claims(issuer, o, t, jti) {
    const d = OPTIONS;
    const namespace = o.namespace ?? d.namespace.default;
    const serviceAccount = o.serviceAccount ?? d.serviceAccount.default;
    const { iat, exp } = times(t);
    return {
      aud: [o.aud ?? d.aud.default],
      exp,
      iat,
      iss: issuer.url,
      ...(jti === undefined ? {} : { jti }),
      'kubernetes.io': {
        namespace,
        node: { name: o.node ?? d.node.default, uid: EKS_DEMO.nodeUid },
        pod: { name: o.pod ?? `${serviceAccount}-7c9d8b6f5d-x2x4z`, uid: o.podUid ?? d.podUid.default },
        serviceaccount: { name: serviceAccount, uid: o.serviceAccountUid ?? d.serviceAccountUid.default },
      },
      nbf: iat,
      sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
    };
  },
};
