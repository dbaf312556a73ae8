/**
 * TLS posture over SMTP endpoints that answered: is STARTTLS offered, does the handshake work,
 * which versions and ciphers, and is the leaf certificate self-signed, out of its validity at the
 * time of the grab, weakly keyed, naming the host, or shared with other endpoints. "Shared" needs
 * every endpoint's key count, known only at the end, so each endpoint's leaf key id is kept (an
 * int per endpoint) and resolved in `result`.
 */
import type { ScanRecord } from "../store/schema.js";
import { bump, countRows } from "./counts.js";
import { IntList } from "./int-list.js";
import { tlsKeyKind } from "./key-kind.js";
import { isoBefore, isWeakKey, offersStarttls } from "./record-facts.js";
import type { TlsPosture } from "./tally-types.js";

type Counter = Exclude<keyof TlsPosture, "scope" | "versions" | "ciphers" | "keyKinds" | "sharedKey">;

export class TlsPostureAccumulator {
  private readonly counts: Record<Counter, number> = {
    endpoints: 0,
    starttlsOffered: 0,
    implicitTls: 0,
    handshakes: 0,
    handshakeFailures: 0,
    withCertificate: 0,
    selfSigned: 0,
    expired: 0,
    notYetValid: 0,
    weakKey: 0,
    serverNameMatch: 0,
    serverNameMismatch: 0,
    ptrMatch: 0,
    ptrMismatch: 0,
  };
  private readonly versions = new Map<string, number>();
  private readonly ciphers = new Map<string, number>();
  private readonly keyKinds = new Map<string, number>();
  private readonly leafKeys = new IntList();

  constructor(private readonly scope: string) {}

  /**
   * One answering SMTP endpoint's record; `leafKey` is the interned id of its leaf key (or -1),
   * looked up in `result` to tell whether other endpoints present it too.
   */
  add(record: ScanRecord, leafKey: number): void {
    const c = this.counts;
    c.endpoints += 1;
    const tls = record.tls;
    if (tls?.implicit) c.implicitTls += 1;
    else if (offersStarttls(record)) c.starttlsOffered += 1;
    if (!tls) return;
    if (tls.version) {
      c.handshakes += 1;
      bump(this.versions, tls.version);
      if (tls.cipher) bump(this.ciphers, tls.cipher);
    } else if (tls.error) {
      c.handshakeFailures += 1;
    }
    const leaf = tls.chain[0];
    if (!leaf) return;
    c.withCertificate += 1;
    if (leaf.self_signed) c.selfSigned += 1;
    // an imported record without a time (records.fresh keeps none) cannot be judged expired
    if (record.started_at !== null) {
      if (isoBefore(leaf.not_after, record.started_at)) c.expired += 1;
      if (isoBefore(record.started_at, leaf.not_before)) c.notYetValid += 1;
    }
    if (isWeakKey(leaf)) c.weakKey += 1;
    bump(this.keyKinds, tlsKeyKind(leaf.key_type, leaf.key_bits));
    const names = tls.names;
    if (names?.server_name_match === true) c.serverNameMatch += 1;
    if (names?.server_name_match === false) c.serverNameMismatch += 1;
    if (names?.ptr_match === true) c.ptrMatch += 1;
    if (names?.ptr_match === false) c.ptrMismatch += 1;
    if (leafKey >= 0) this.leafKeys.push(leafKey);
  }

  /** `presenters(keyId)`: how many endpoints present that key. */
  result(presenters: (keyId: number) => number): TlsPosture {
    let sharedKey = 0;
    for (const key of this.leafKeys.view()) if (presenters(key) >= 2) sharedKey += 1;
    return {
      scope: this.scope,
      ...this.counts,
      sharedKey,
      versions: countRows(this.versions, this.counts.handshakes),
      ciphers: countRows(this.ciphers, this.counts.handshakes, 10),
      keyKinds: countRows(this.keyKinds, this.counts.withCertificate),
    };
  }
}
