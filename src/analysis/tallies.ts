/**
 * The survey's tallies in one streaming pass: failures (djb's table), software by endpoint, by
 * host and by domain (PingedIn's market share), TLS posture of SMTP endpoints, and population
 * estimates with Wilson intervals when the targets were a sample. Records arrive one at a time;
 * what is kept is O(addresses + endpoints + distinct keys and names + targets with a domain), a
 * few ints each, never the records.
 *
 * An endpoint (ip, port) counts once, by its first record; only the failure table counts every
 * record, since it counts connection attempts. An endpoint "answered" when its status is ok; its
 * software counts when it answered or was identified anyway (a 554 greeting can still name the
 * product).
 */

import type { Cluster } from "../core/cluster-types.js";
import { InputError } from "../core/errors.js";
import type { Target } from "../core/target.js";
import type { ScanRecord } from "../store/schema.js";
import { AddressIds } from "./address-ids.js";
import { bump, countRows } from "./counts.js";
import { DomainShareAccumulator, NOT_ANSWERED } from "./domain-share.js";
import { populationEstimate, wilson } from "./estimates.js";
import { FailureAccumulator } from "./failure-tally.js";
import { HostMerger } from "./host-merge.js";
import { Interner, IntList } from "./int-list.js";
import {
  announcedName,
  isoBefore,
  isSmtpProtocol,
  isTime,
  keyIdentities,
  knownSoftware,
  offersStarttls,
  smtpPortRank,
} from "./record-facts.js";
import { SoftwareTable, softwareCounts, UNKNOWN_LABEL, UNKNOWN_SOFTWARE } from "./software-table.js";
import type { EstimateRow, Estimates, TallyResult } from "./tally-types.js";
import { TlsPostureAccumulator } from "./tls-posture.js";

export interface SampleInfo {
  /** addresses drawn (the sample's size, answered or not) */
  sampled: number;
  /** addresses in the space they were drawn from */
  spaceSize: number;
}

export interface TallyOptions {
  /** domain → MX → address targets (market share by domain); more can be given with addTarget */
  targets?: Iterable<Target>;
  /** when the targets were a uniform sample: estimates for the whole space */
  sample?: SampleInfo;
  /**
   * endpoints per key (spki_sha256 → count) from a wider view than these records, e.g. the
   * clusters of a larger run (keyCountsFromClusters); by default the records' own counts
   */
  keyCounts?: ReadonlyMap<string, number>;
  /** the z of the intervals (default 1.96: 95 %) */
  z?: number;
}

const NONE = -1;
/** confidences are kept as integers in millionths, in the same typed lists as the rest */
const MICRO = 1_000_000;

export class Tallies {
  private records = 0;
  private okEndpoints = 0;
  private firstStarted: string | null = null;
  private lastStarted: string | null = null;

  private readonly failures = new FailureAccumulator();
  private readonly addresses = new AddressIds();
  private readonly software = new SoftwareTable();
  private readonly names = new Interner();
  private readonly merger = new HostMerger();
  private readonly domains = new DomainShareAccumulator();
  private readonly postureAll = new TlsPostureAccumulator("all");
  private readonly posturePerPort = new Map<number, TlsPostureAccumulator>();

  private readonly endpoints = new Set<number>();
  private readonly endpointSoftware = new Map<number, number>();
  private readonly protocolSoftware = new Map<string, Map<number, number>>();

  // keys: spki → id, and how many endpoints present each
  private readonly keyIds = new Map<string, number>();
  private readonly keyTexts: string[] = [];
  private readonly keyPresenters = new IntList();

  // per address id (lists grow as ids appear)
  private readonly inRecords = new IntList();
  private readonly answered = new IntList();
  /** the best SMTP answer: software id, port rank (NONE: no SMTP answer), confidence */
  private readonly smtpSoftware = new IntList();
  private readonly smtpRank = new IntList();
  private readonly smtpConfidence = new IntList();
  /** the surest answer on any other protocol */
  private readonly otherSoftware = new IntList();
  private readonly otherConfidence = new IntList();
  /** NOT_ANSWERED, or the software id port 25 answered SMTP with */
  private readonly port25 = new IntList();
  private readonly starttls25 = new IntList();

  constructor(private readonly options: TallyOptions = {}) {
    for (const target of options.targets ?? []) this.addTarget(target);
  }

  addTarget(target: Target): void {
    if (!target.domain) return;
    const address = this.address(target.ip, `target for ${target.domain}`);
    this.domains.add(target, address);
  }

  add(record: ScanRecord): void {
    this.records += 1;
    this.failures.add(record);
    this.noteTime(record.started_at);

    const address = this.address(record.ip, `record for port ${record.port}`);
    this.inRecords.set(address, 1);
    const endpoint = address * 65536 + record.port;
    if (this.endpoints.has(endpoint)) return;
    this.endpoints.add(endpoint);

    const ok = record.status === "ok";
    if (ok) {
      this.okEndpoints += 1;
      this.answered.set(address, 1);
    }
    const keys = this.presentKeys(address, record);
    const name = announcedName(record);
    if (name !== null) this.merger.addName(address, this.names.id(name));

    const known = knownSoftware(record);
    const software = this.software.id(known);
    if (ok || record.software !== null) {
      bump(this.endpointSoftware, software);
      let perProtocol = this.protocolSoftware.get(record.protocol);
      if (!perProtocol) {
        perProtocol = new Map();
        this.protocolSoftware.set(record.protocol, perProtocol);
      }
      bump(perProtocol, software);
      this.answered.set(address, 1);
      this.offerAnswer(address, record, software, known?.confidence ?? 0);
    }

    if (!ok || !isSmtpProtocol(record.protocol)) return;
    const leafKey = record.tls?.chain[0] ? (keys[0] ?? NONE) : NONE;
    this.postureAll.add(record, leafKey);
    let perPort = this.posturePerPort.get(record.port);
    if (!perPort) {
      perPort = new TlsPostureAccumulator(String(record.port));
      this.posturePerPort.set(record.port, perPort);
    }
    perPort.add(record, leafKey);
    if (record.port === 25 && record.protocol === "smtp") {
      this.port25.set(address, software);
      if (offersStarttls(record)) this.starttls25.set(address, 1);
    }
  }

  result(): TallyResult {
    const presenters = this.options.keyCounts
      ? (key: number) => this.options.keyCounts?.get(this.keyTexts[key] as string) ?? 0
      : (key: number) => this.keyPresenters.get(key);
    const ports = [...this.posturePerPort].sort(
      (a, b) => smtpPortRank(a[0]) - smtpPortRank(b[0]) || a[0] - b[0],
    );
    let addressesInRecords = 0;
    let answering25 = 0;
    for (const seen of this.inRecords.view()) addressesInRecords += seen;
    for (const answer of this.port25.view()) if (answer !== NOT_ANSWERED) answering25 += 1;
    return {
      records: this.records,
      endpoints: this.endpoints.size,
      addresses: addressesInRecords,
      okEndpoints: this.okEndpoints,
      smtpAnswering25: answering25,
      firstStartedAt: this.firstStarted,
      lastStartedAt: this.lastStarted,
      failures: this.failures.result(),
      software: this.softwareResult(),
      domains: this.domains.size > 0 ? this.domains.result((a) => this.port25.get(a), this.software) : null,
      tls: [this.postureAll.result(presenters), ...ports.map(([, posture]) => posture.result(presenters))],
      estimates: this.options.sample ? this.estimates(this.options.sample, answering25) : null,
    };
  }

  private address(ip: string, where: string): number {
    const id = this.addresses.id(ip, where);
    while (this.inRecords.length <= id) {
      this.inRecords.push(0);
      this.answered.push(0);
      this.smtpSoftware.push(UNKNOWN_SOFTWARE);
      this.smtpRank.push(NONE);
      this.smtpConfidence.push(0);
      this.otherSoftware.push(UNKNOWN_SOFTWARE);
      this.otherConfidence.push(NONE);
      this.port25.push(NOT_ANSWERED);
      this.starttls25.push(0);
    }
    return id;
  }

  /** Interns the record's keys, counts this endpoint as presenting each; the leaf's id first. */
  private presentKeys(address: number, record: ScanRecord): number[] {
    const ids: number[] = [];
    for (const spki of keyIdentities(record)) {
      let id = this.keyIds.get(spki);
      if (id === undefined) {
        id = this.keyTexts.length;
        this.keyTexts.push(spki);
        this.keyIds.set(spki, id);
        this.keyPresenters.push(0);
      }
      if (ids.includes(id)) continue;
      ids.push(id);
      this.keyPresenters.set(id, this.keyPresenters.get(id) + 1);
      this.merger.addKey(address, id);
    }
    return ids;
  }

  /** Keeps the address's best SMTP answer (known first, then 25 → 587 → 465, then surest) and best other answer. */
  private offerAnswer(address: number, record: ScanRecord, software: number, confidence: number): void {
    const micro = Math.round(confidence * MICRO);
    const known = software !== UNKNOWN_SOFTWARE ? 1 : 0;
    if (isSmtpProtocol(record.protocol)) {
      const rank = smtpPortRank(record.port);
      const heldRank = this.smtpRank.get(address);
      const heldKnown = this.smtpSoftware.get(address) !== UNKNOWN_SOFTWARE ? 1 : 0;
      const better =
        heldRank === NONE ||
        known > heldKnown ||
        (known === heldKnown &&
          (rank < heldRank || (rank === heldRank && micro > this.smtpConfidence.get(address))));
      if (better) {
        this.smtpSoftware.set(address, software);
        this.smtpRank.set(address, rank);
        this.smtpConfidence.set(address, micro);
      }
      return;
    }
    if (known && micro > this.otherConfidence.get(address)) {
      this.otherSoftware.set(address, software);
      this.otherConfidence.set(address, micro);
    }
  }

  private softwareResult(): TallyResult["software"] {
    const addresses = this.addresses.size;
    const forest = this.merger.merge(addresses);
    // per host root: the address whose answer speaks for it, and how many answering addresses it holds
    const speaker = new Int32Array(addresses).fill(NONE);
    const members = new Int32Array(addresses);
    let answering = 0;
    for (let a = 0; a < addresses; a++) {
      if (this.answered.get(a) === 0) continue;
      answering += 1;
      const root = forest.find(a);
      members[root] = (members[root] as number) + 1;
      const held = speaker[root] as number;
      if (held === NONE || this.speaksBetter(a, held)) speaker[root] = a;
    }
    const hostSoftware = new Map<number, number>();
    let hosts = 0;
    let multi = 0;
    let largest = 0;
    for (let root = 0; root < addresses; root++) {
      const a = speaker[root] as number;
      if (a === NONE) continue;
      hosts += 1;
      const size = members[root] as number;
      if (size > 1) multi += 1;
      largest = Math.max(largest, size);
      bump(hostSoftware, this.hostAnswer(a));
    }
    const byProtocol = [...this.protocolSoftware].map(([protocol, counts]) => {
      const table = softwareCounts(counts, this.software);
      return { protocol, endpoints: table.total, products: table.products };
    });
    byProtocol.sort((a, b) => b.endpoints - a.endpoints || (a.protocol < b.protocol ? -1 : 1));
    return {
      byEndpoint: softwareCounts(this.endpointSoftware, this.software),
      byProtocol,
      byHost: softwareCounts(hostSoftware, this.software),
      merge: {
        addresses: answering,
        hosts,
        mergedAddresses: answering - hosts,
        multiAddressHosts: multi,
        largestHost: largest,
      },
    };
  }

  /** an address's own answer: its known SMTP product, else its surest known answer, else unknown */
  private hostAnswer(a: number): number {
    const smtp = this.smtpSoftware.get(a);
    if (smtp !== UNKNOWN_SOFTWARE) return smtp;
    return this.otherSoftware.get(a);
  }

  /** whether address a's answer should speak for a host rather than address b's */
  private speaksBetter(a: number, b: number): boolean {
    const key = (x: number): [number, number, number, number] => {
      const smtp = this.smtpSoftware.get(x) !== UNKNOWN_SOFTWARE;
      const other = this.otherSoftware.get(x) !== UNKNOWN_SOFTWARE;
      // known SMTP (by port rank, then confidence) > known other (by confidence) > nothing known
      if (smtp) return [2, -this.smtpRank.get(x), this.smtpConfidence.get(x), 0];
      if (other) return [1, 0, this.otherConfidence.get(x), 0];
      return [0, 0, 0, 0];
    };
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) > (kb[i] as number);
    return false;
  }

  private estimates(sample: SampleInfo, answering25: number): Estimates {
    const { sampled, spaceSize } = sample;
    if (!Number.isInteger(sampled) || sampled < 1)
      throw new InputError(`sample size must be a whole number of addresses, not ${sampled}`);
    if (!Number.isFinite(spaceSize) || spaceSize < sampled)
      throw new InputError(`the sampled space (${spaceSize}) is smaller than the sample (${sampled})`);
    if (answering25 > sampled)
      throw new InputError(
        `${answering25} addresses answered on port 25 but the sample was ${sampled}: the sample size is wrong`,
      );
    const z = this.options.z ?? 1.96;
    const row = (id: string, label: string, successes: number, trials: number, of: string): EstimateRow => {
      const share = wilson(successes, trials, z);
      const population = populationEstimate(successes, sampled, spaceSize, z);
      return {
        id,
        label,
        successes,
        trials,
        of,
        p: share.p,
        low: share.low,
        high: share.high,
        population: population.estimate,
        populationLow: population.estimateLow,
        populationHigh: population.estimateHigh,
      };
    };
    let starttls = 0;
    for (const offered of this.starttls25.view()) starttls += offered;
    const products = new Map<string, number>();
    for (const answer of this.port25.view()) {
      if (answer === NOT_ANSWERED) continue;
      bump(products, this.software.info(answer)?.product ?? UNKNOWN_LABEL);
    }
    const rows = [
      row("smtp-25", "answers SMTP on port 25", answering25, sampled, "sampled addresses"),
      row("starttls-25", "offers STARTTLS on port 25", starttls, answering25, "addresses answering on 25"),
      ...countRows(products, answering25).map((p) =>
        row(`product:${p.value}`, p.value, p.count, answering25, "addresses answering on 25"),
      ),
    ];
    return { sampled, spaceSize, z, rows };
  }

  private noteTime(text: string | null): void {
    if (text === null || !isTime(text)) return;
    if (this.firstStarted === null || isoBefore(text, this.firstStarted)) this.firstStarted = text;
    if (this.lastStarted === null || isoBefore(this.lastStarted, text)) this.lastStarted = text;
  }
}

/** The tallies of a stream of records (readRecords(path), …). */
export async function tallyRecords(
  records: AsyncIterable<ScanRecord> | Iterable<ScanRecord>,
  options: TallyOptions = {},
): Promise<TallyResult> {
  const tallies = new Tallies(options);
  for await (const record of records) tallies.add(record);
  return tallies.result();
}

/** spki_sha256 → endpoints presenting it, from clusters (keys outside any cluster are on one endpoint). */
export function keyCountsFromClusters(clusters: readonly Cluster[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const cluster of clusters) for (const key of cluster.keys) counts.set(key.spki_sha256, key.count);
  return counts;
}
