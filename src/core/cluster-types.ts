/**
 * Key-reuse clusters: endpoints that share any key (TLS leaf SPKI or SSH host key SPKI) are in one
 * cluster, across ports, protocols and addresses. `clusters.jsonl` holds one `Cluster` a line;
 * the field names are a public contract (docs/analysis.md).
 */
export interface ClusterKey {
  /** lowercase hex SHA-256 of the key's DER SubjectPublicKeyInfo */
  spki_sha256: string;
  /** e.g. "rsa-2048", "ecdsa-p256", "ed25519", "dsa-1024" */
  kind: string;
  /** protocols the key was seen on, sorted (smtp, smtps, https, ssh, …) */
  protocols: string[];
  /** how many endpoints present this key */
  count: number;
  /** when the key is known to ship inside software (a library's test certificate, …): what */
  known: string | null;
}

export interface ClusterMember {
  ip: string;
  port: number;
  protocol: string;
  /** the host name the target was given as, or the PTR / announced name when known */
  name: string | null;
  /** indexes into the cluster's `keys` that this endpoint presents */
  keys: number[];
}

export interface Cluster {
  /** stable for the same input: derived from the smallest key fingerprint in the cluster */
  id: string;
  /** number of endpoints (ip, port) */
  size: number;
  /** number of distinct addresses */
  hosts: number;
  keys: ClusterKey[];
  members: ClusterMember[];
}
