/**
 * Host key algorithms grouped by the key behind them: one handshake per family fetches one key.
 * RSA is one family reached three ways: modern OpenSSH (≥ 8.8) refuses ssh-rsa signatures, old
 * servers know only ssh-rsa, so we ask for rsa-sha2-512, then rsa-sha2-256, then ssh-rsa.
 */
import type { ServerHostKeyAlgorithm } from "ssh2";

export interface KeyFamily {
  name: string;
  /** the algorithms that fetch this family's key, best first */
  algorithms: readonly ServerHostKeyAlgorithm[];
}

/** Every family ssh2 can verify, in the order they are fetched. */
export const KEY_FAMILIES: readonly KeyFamily[] = [
  { name: "ed25519", algorithms: ["ssh-ed25519"] },
  { name: "ecdsa-p256", algorithms: ["ecdsa-sha2-nistp256"] },
  { name: "ecdsa-p384", algorithms: ["ecdsa-sha2-nistp384"] },
  { name: "ecdsa-p521", algorithms: ["ecdsa-sha2-nistp521"] },
  { name: "rsa", algorithms: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] },
  { name: "dsa", algorithms: ["ssh-dss"] },
];

/** Every host key algorithm we can fetch, best first: what the first handshake offers. */
export const ALL_HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = KEY_FAMILIES.flatMap(
  (f) => f.algorithms,
);

/**
 * Host certificates (`*-cert-v01@openssh.com`) are not fetched: ssh2 cannot verify them, and the
 * key they certify is offered under its plain algorithm too.
 */
export function isCertificateAlgorithm(algorithm: string): boolean {
  return algorithm.endsWith("-cert-v01@openssh.com") || algorithm.startsWith("x509v3-");
}

export interface OfferedFamilies {
  /** each family the server offers, with only the algorithms it offers, best first */
  families: KeyFamily[];
  /** plain (non-certificate) algorithms the server offers that we cannot fetch */
  unsupported: string[];
}

export function offeredFamilies(serverHostKeyAlgorithms: readonly string[]): OfferedFamilies {
  const offered = new Set<string>(serverHostKeyAlgorithms);
  const families = KEY_FAMILIES.map((f) => ({
    name: f.name,
    algorithms: f.algorithms.filter((a) => offered.has(a)),
  })).filter((f) => f.algorithms.length > 0);
  const known = new Set<string>(ALL_HOST_KEY_ALGORITHMS);
  const unsupported = serverHostKeyAlgorithms.filter((a) => !known.has(a) && !isCertificateAlgorithm(a));
  return { families, unsupported: [...new Set(unsupported)] };
}

/** What SSH negotiation picks (RFC 4253 §7.1): the client's first algorithm the server also has. */
export function negotiate<T extends string>(client: readonly T[], server: readonly string[]): T | undefined {
  return client.find((a) => server.includes(a));
}
