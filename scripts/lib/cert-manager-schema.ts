/**
 * A strict schema for the one cert-manager kind this library emits (`cert-manager.io/v1` Certificate), written for
 * this project from the Go types of cert-manager v1.18.2 (pkg/apis/certmanager/v1/types_certificate.go, and
 * pkg/apis/meta/v1 for the issuer reference). cert-manager's CRDs are not among the pinned upstream schemas
 * (`../shared/crds` has none, and the test fixture of its release file keeps only the CRDs' names and versions), so
 * without this a Certificate would have no schema to validate against.
 *
 * It covers the spec fields a Certificate of this library can carry (JSON names are the Go `json` tags, enums the
 * kubebuilder markers); any other field is an error here, although cert-manager would accept the fields it knows
 * (`subject`, `keystores`, `nameConstraints`, ...): add them here when a construct starts writing them. Status is left
 * out: the library never writes status.
 */

type Schema = { [keyword: string]: any };

const str: Schema = { type: 'string' };
const strings: Schema = { type: 'array', items: str };
const stringMap: Schema = { type: 'object', additionalProperties: str };
const obj = (properties: { [name: string]: Schema }, required: string[] = []): Schema =>
  ({ type: 'object', properties, ...(required.length ? { required } : {}) });

/** pkg/apis/meta/v1 IssuerReference: name, kind (Issuer or ClusterIssuer for cert-manager's own), group. */
const issuerRef = obj({ name: str, kind: str, group: str }, ['name']);
/** CertificateSecretTemplate: labels and annotations copied onto the Secret. */
const secretTemplate = obj({ annotations: stringMap, labels: stringMap });
/** CertificatePrivateKey, with the enums of PrivateKeyRotationPolicy, PrivateKeyEncoding and PrivateKeyAlgorithm. */
const privateKey = obj({
  rotationPolicy: { type: 'string', enum: ['Never', 'Always'] },
  encoding: { type: 'string', enum: ['PKCS1', 'PKCS8'] },
  algorithm: { type: 'string', enum: ['RSA', 'ECDSA', 'Ed25519'] },
  size: { type: 'integer' },
});
/** CertificateSpec (the fields above); `secretName` and `issuerRef` are required. */
const certificateSpec = obj({
  commonName: str,
  dnsNames: strings,
  duration: str,
  renewBefore: str,
  secretName: str,
  secretTemplate,
  issuerRef,
  privateKey,
  usages: strings,
  revisionHistoryLimit: { type: 'integer', format: 'int32', minimum: 1 },
}, ['secretName', 'issuerRef']);

/** The schemas as CustomResourceDefinitions, for the SchemaValidator. */
export function certManagerCustomResourceDefinitions(): any[] {
  return [{
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'certificates.cert-manager.io' },
    spec: {
      group: 'cert-manager.io',
      scope: 'Namespaced',
      names: { kind: 'Certificate', plural: 'certificates' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: obj({ spec: certificateSpec }, ['spec']) } }],
    },
  }];
}

/** Where this schema comes from, for messages. */
export const CERT_MANAGER_SCHEMA_SOURCE = 'cert-manager v1.18.2 Certificate (schema written from the Go types)';
