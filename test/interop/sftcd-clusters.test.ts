/**
 * Clusters of records.fresh files whose clusters are known, whatever the order of their lines.
 *
 * The key-reuse survey's SameKeys.py labels clusters as it meets collisions and, on a merge,
 * relabels only the records before the merge point, so its answer depends on the input order
 * (surveys.md §1.8). These files are built so that such an order-dependent labelling would split
 * components: chains whose links appear far apart, a merge of two grown clusters, a key shared
 * across SSH and TLS (which SameKeys, hashing SSH blobs and TLS SPKIs differently, never joins),
 * and hosts whose keys are theirs alone. smtpsurvey must give the same host clusters for every
 * order.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clustersOf } from "../../src/analysis/clusters.js";
import type { Cluster } from "../../src/core/cluster-types.js";
import { importRecords } from "../../src/interop/import-records.js";
import { readRecords } from "../../src/store/read-records.js";

/** An Ed25519 SSH host key's wire blob (RFC 8709): string "ssh-ed25519", string key. */
function ed25519Blob(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64");
}

const lab = (name: string) => JSON.parse(readFileSync(`test/fixtures/lab/${name}.json`, "utf8"));
/** real certificates from the lab: Postfix's (also nginx's) and the cross-protocol key's (Dovecot's TLS, Dropbear's RSA host key) */
const POSTFIX_CERT = lab("postfix-25").tls.chain[0].der as string;
const DOVECOT_CERT = lab("dovecot-993").tls.chain[0].der as string;
const CHASQUID_CERT = lab("chasquid-25").tls.chain[0].der as string;
const DROPBEAR_RSA = (lab("ssh/dropbear-22").ssh.host_keys as Array<{ type: string; blob: string }>).find(
  (k) => k.type === "ssh-rsa",
)?.blob as string;

/** FreshGrab's shim shapes (surveys.md §2.1) */
const ssh = (ip: string, blob: string) => ({
  ip,
  data: {
    xssh: {
      server_id: { raw: "SSH-2.0-OpenSSH_9.2p1" },
      key_exchange: { server_host_key: { raw: blob, algorithm: "ssh-ed25519" } },
    },
  },
});
const handshake = (der: string) => ({
  server_hello: { version: { name: "TLSv1.2" } },
  server_certificates: { certificate: { raw: der, parsed: {} }, chain: [] },
});
const smtp = (ip: string, der: string) => ({
  ip,
  data: {
    banner: "220 mx ESMTP\r\n",
    ehlo: "250-mx\r\n250 STARTTLS\r\n",
    starttls: "220 go ahead\r\n",
    tls: handshake(der),
  },
});
const imaps = (ip: string, der: string) => ({ ip, data: { banner: "* OK ready\r\n", tls: handshake(der) } });
const https = (ip: string, der: string) => ({
  ip,
  data: { http: { response: { status_code: 200, request: { tls_handshake: handshake(der) } } } },
});

interface Layout {
  lines: object[];
  expected: string[][];
}

/** Hosts 10.0.0.x; the expected clusters are sets of addresses. */
function layout(): Layout {
  const ip = (n: number) => `198.51.100.${n}`;
  const lines: Array<Record<string, unknown>> = [];
  const host = (n: number, ports: Record<string, unknown>) =>
    lines.push({ ip: ip(n), writer: "FreshGrab.py", duration: 1, average: 1, ...ports });
  // a chain 1 – 2 – 3 – 4 – 5: each neighbour pair shares one SSH key, on ports p22 and p25
  const chain = Array.from({ length: 5 }, () => ed25519Blob());
  for (let n = 1; n <= 5; n++) {
    const ports: Record<string, unknown> = { p22: ssh(ip(n), chain[n - 1] as string) };
    lines.push({ ip: ip(n), writer: "FreshGrab.py", ...ports });
  }
  // … whose links are SSH keys used twice: host n's p22 key is also host n+1's (as a second port
  // would not fit records.fresh's one p22, host n+1 shows it on 2222)
  for (let n = 1; n < 5; n++)
    (lines[n] as Record<string, unknown>).p2222 = ssh(ip(n + 1), chain[n - 1] as string);
  // two clusters that grow apart and then merge: 10,11,12 share Postfix's certificate; 13,14 share
  // chasquid's; host 15 has both (p25 Postfix's, p587 chasquid's) and comes between them
  for (const n of [10, 11, 12]) host(n, { p25: smtp(ip(n), POSTFIX_CERT) });
  for (const n of [13, 14]) host(n, { p587: smtp(ip(n), CHASQUID_CERT) });
  host(15, {
    p25: smtp(ip(15), POSTFIX_CERT),
    p587: smtp(ip(15), CHASQUID_CERT),
    p443: https(ip(15), POSTFIX_CERT),
  });
  // one key across SSH and TLS: host 20's RSA host key is host 21's IMAPS key and host 22's HTTPS key
  host(20, { p22: ssh(ip(20), DROPBEAR_RSA) });
  host(21, { p993: imaps(ip(21), DOVECOT_CERT) });
  host(22, { p443: https(ip(22), DOVECOT_CERT) });
  // alone: unique keys, a key reused only on one host's own ports, failures
  const own = ed25519Blob();
  host(30, { p22: ssh(ip(30), ed25519Blob()) });
  host(31, { p22: ssh(ip(31), own), p2222: ssh(ip(31), own) });
  host(32, { p25: { ip: ip(32), data: {} }, p110: "Traceback (most recent call last): timeout" });
  return {
    lines,
    expected: [
      [1, 2, 3, 4, 5],
      [10, 11, 12, 13, 14, 15],
      [20, 21, 22],
    ].map((group) => group.map(ip).sort()),
  };
}

/** host clusters: endpoint clusters joined where they share an address */
function hostClusters(clusters: readonly Cluster[]): string[][] {
  const groups: Array<Set<string>> = [];
  for (const cluster of clusters) {
    const ips = new Set(cluster.members.map((m) => m.ip));
    if (ips.size < 2) continue;
    const touching = groups.filter((g) => [...ips].some((ip) => g.has(ip)));
    const merged = new Set([...ips, ...touching.flatMap((g) => [...g])]);
    for (const g of touching) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups.map((g) => [...g].sort()).sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** a seeded shuffle, so a failure names the order that broke */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("records.fresh with known clusters", () => {
  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-fresh-"));
  const { lines, expected } = layout();
  const idsByOrder = new Map<number, string[]>();

  it.each(Array.from({ length: 12 }, (_, i) => i))(
    "finds the right clusters in line order %i",
    async (seed) => {
      const input = join(dir, `order-${seed}.fresh`);
      const order = seed === 0 ? lines : seed === 1 ? [...lines].reverse() : shuffled(lines, seed);
      writeFileSync(input, `${order.map((l) => JSON.stringify(l)).join("\n")}\n`);
      const output = join(dir, `order-${seed}.jsonl`);
      await importRecords({ format: "sftcd", files: [input], output, scanDate: null });
      const clusters = await clustersOf(readRecords(output));
      expect(hostClusters(clusters)).toEqual(expected);
      // nor do the cluster ids (they come from the smallest key of each cluster)
      idsByOrder.set(seed, clusters.map((c) => c.id).sort());
      expect(idsByOrder.get(seed)).toEqual(idsByOrder.get(0));
    },
  );
});

describe("collisions.json from smtpsurvey's clusters", () => {
  it("numbers the known clusters, sizes them and links every colliding pair both ways", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-collisions-"));
    const { lines, expected } = layout();
    const input = join(dir, "in.fresh");
    writeFileSync(
      input,
      `${shuffled(lines, 7)
        .map((l) => JSON.stringify(l))
        .join("\n")}\n`,
    );
    await importRecords({
      format: "sftcd",
      files: [input],
      output: join(dir, "run/records.jsonl"),
      scanDate: null,
    });
    const { exportSftcd } = await import("../../src/interop/sftcd-export.js");
    await exportSftcd(join(dir, "run/records.jsonl"), join(dir, "out/records.fresh"));
    const text = readFileSync(join(dir, "out/collisions.json"), "utf8");
    expect(text).toContain("\n,\n"); // SameKeys's separator, which its stream reader depends on
    const entries = JSON.parse(text) as Array<{
      ip: string;
      ip_record: number;
      clusternum: number;
      csize: number;
      nrcs: number;
      fprints: Record<string, string>;
      rcs: Record<string, { ip: string; ports: string; str_colls: string }>;
    }>;
    const byCluster = new Map<number, string[]>();
    for (const e of entries) byCluster.set(e.clusternum, [...(byCluster.get(e.clusternum) ?? []), e.ip]);
    expect(
      [...byCluster.values()]
        .map((g) => g.sort())
        .sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
    ).toEqual(expected);
    // numbered from 1, largest first
    expect([...byCluster.keys()].sort()).toEqual([1, 2, 3]);
    expect(byCluster.get(1)).toHaveLength(6);
    const fresh = readFileSync(join(dir, "out/records.fresh"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { ip: string });
    const byRecord = new Map(entries.map((e) => [e.ip_record, e]));
    for (const e of entries) {
      expect(e.csize).toBe(byCluster.get(e.clusternum)?.length);
      expect(fresh[e.ip_record]?.ip).toBe(e.ip);
      expect(e.nrcs).toBe(Object.keys(e.rcs).length);
      for (const [peer, link] of Object.entries(e.rcs)) {
        // each link is in both hosts' entries, naming the other
        expect(link.ip).toBe(byRecord.get(Number(peer))?.ip);
        expect(byRecord.get(Number(peer))?.rcs[String(e.ip_record)]?.ip).toBe(e.ip);
      }
    }
    // the SSH key that is also a TLS key: one identity, so p22 of host 20 equals p993 of host 21
    const h20 = entries.find((e) => e.ip === "198.51.100.20");
    const h21 = entries.find((e) => e.ip === "198.51.100.21");
    expect(h20?.fprints.p22).toBe(h21?.fprints.p993);
    const link = h20?.rcs[String(h21?.ip_record)];
    expect(link?.str_colls).toBe("p22==p993;");
    // bit (remote + 8·local) over [p22, p25, p110, p143, p443, p587, p993]: local p22 = 0, remote p993 = 6
    expect(link?.ports).toBe(`0x${(1n << 6n).toString(16).padStart(16, "0")}`);
  });
});
