import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { repoRoot } from "../core/paths.js";
import { type ScanRecord, ScanRecordSchema } from "../store/schema.js";
import { ClusterBuilder, clusterSizeDistribution, clustersOf } from "./clusters.js";

/** a 64-hex key fingerprint from a short label, so tests read "k1" rather than hashes */
function spki(label: string): string {
  return Buffer.from(label).toString("hex").padEnd(64, "0").slice(0, 64);
}

interface Options {
  tls?: { key: string; type?: string; bits?: number; ptr?: string; serverName?: string };
  ssh?: Array<{ key: string | null; type?: string; bits?: number }>;
  status?: ScanRecord["status"];
  name?: string;
}

function record(ip: string, port: number, protocol: string, options: Options = {}): ScanRecord {
  const { tls, ssh } = options;
  return ScanRecordSchema.parse({
    schema: 1,
    ip,
    port,
    protocol,
    name: options.name ?? null,
    status: options.status ?? "ok",
    error: null,
    started_at: "2026-01-01T00:00:00.000Z",
    duration_ms: 1,
    smtp: null,
    tls: tls
      ? {
          implicit: true,
          version: "TLSv1.3",
          cipher: null,
          error: null,
          chain: [
            {
              der: "",
              sha256: spki(`cert-${tls.key}`),
              spki_sha256: spki(tls.key),
              subject: "CN=x",
              issuer: "CN=x",
              san: [],
              not_before: "2026-01-01T00:00:00.000Z",
              not_after: "2027-01-01T00:00:00.000Z",
              serial: "01",
              key_type: tls.type ?? "rsa",
              key_bits: tls.bits ?? 2048,
              self_signed: true,
            },
          ],
          names: {
            ptr: tls.ptr ?? null,
            ptr_match: null,
            server_name: tls.serverName ?? null,
            server_name_match: null,
          },
        }
      : null,
    ssh: ssh
      ? {
          banner: "SSH-2.0-OpenSSH_9.2",
          kex: null,
          errors: [],
          host_keys: ssh.map((k) => ({
            type: k.type ?? "ssh-ed25519",
            algorithm: k.type ?? "ssh-ed25519",
            bits: k.bits ?? 256,
            fingerprint_sha256: "SHA256:x",
            spki_sha256: k.key === null ? null : spki(k.key),
            blob: "",
          })),
        }
      : null,
    transcript: [],
  });
}

function build(records: ScanRecord[]) {
  const builder = new ClusterBuilder();
  for (const r of records) builder.add(r);
  return builder.build();
}

const endpoints = (c: { members: Array<{ ip: string; port: number }> }) =>
  c.members.map((m) => `${m.ip}:${m.port}`);

describe("ClusterBuilder", () => {
  it("puts two SMTP endpoints and an HTTPS one sharing a TLS key into one cluster of 3", () => {
    const clusters = build([
      record("192.0.2.1", 25, "smtp", { tls: { key: "k1", ptr: "mx1.example" } }),
      record("192.0.2.2", 25, "smtp", { tls: { key: "k1", serverName: "mx2.example" } }),
      record("192.0.2.3", 443, "https", { tls: { key: "k1" }, name: "www.example" }),
    ]);
    expect(clusters).toHaveLength(1);
    const [c] = clusters;
    expect(c).toEqual({
      id: `k${spki("k1").slice(0, 12)}`,
      size: 3,
      hosts: 3,
      keys: [
        { spki_sha256: spki("k1"), kind: "rsa-2048", protocols: ["https", "smtp"], count: 3, known: null },
      ],
      members: [
        { ip: "192.0.2.1", port: 25, protocol: "smtp", name: "mx1.example", keys: [0] },
        { ip: "192.0.2.2", port: 25, protocol: "smtp", name: "mx2.example", keys: [0] },
        { ip: "192.0.2.3", port: 443, protocol: "https", name: "www.example", keys: [0] },
      ],
    });
    // the contract's key order, for clusters.jsonl
    expect(Object.keys(c ?? {})).toEqual(["id", "size", "hosts", "keys", "members"]);
  });

  it("joins SSH hosts that share one of several host keys", () => {
    const clusters = build([
      record("198.51.100.1", 22, "ssh", {
        ssh: [
          { key: "ed-a" },
          { key: "rsa-shared", type: "ssh-rsa", bits: 3072 },
          { key: "ec-a", type: "ecdsa-sha2-nistp256" },
        ],
      }),
      record("198.51.100.2", 22, "ssh", {
        ssh: [{ key: "ed-b" }, { key: "rsa-shared", type: "ssh-rsa", bits: 3072 }],
      }),
    ]);
    expect(clusters).toHaveLength(1);
    const c = clusters[0];
    expect(c?.size).toBe(2);
    expect(c?.keys).toHaveLength(4);
    // the shared key first (count 2), then by fingerprint
    expect(c?.keys[0]).toMatchObject({ spki_sha256: spki("rsa-shared"), kind: "rsa-3072", count: 2 });
    expect(c?.keys.slice(1).map((k) => k.kind)).toEqual(["ecdsa-p256", "ed25519", "ed25519"]);
    expect(c?.members[0]?.keys).toHaveLength(3);
    expect(c?.members[1]?.keys).toHaveLength(2);
    expect(c?.members.every((m) => m.keys.includes(0))).toBe(true);
  });

  it("merges transitively: A–B share k1, B–C share k2 is one cluster (the earlier tool split it)", () => {
    // the earlier tool relabelled only records before the current pair and left later ones with
    // the old label; feed the chain in an order that needs a later merge to join two labelled groups
    const clusters = build([
      record("203.0.113.1", 25, "smtp", { tls: { key: "k1" } }), // A
      record("203.0.113.4", 25, "smtp", { tls: { key: "k3" } }), // D
      record("203.0.113.3", 25, "smtp", { tls: { key: "k2" } }), // C
      record("203.0.113.5", 25, "smtp", { tls: { key: "k3" } }), // E
      record("203.0.113.2", 22, "ssh", { ssh: [{ key: "k1" }, { key: "k2" }, { key: "k3" }] }), // B
    ]);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.size).toBe(5);
    expect(clusters[0]?.keys.map((k) => k.count)).toEqual([3, 2, 2]);
    expect(endpoints(clusters[0] ?? { members: [] })).toEqual([
      "203.0.113.1:25",
      "203.0.113.2:22",
      "203.0.113.3:25",
      "203.0.113.4:25",
      "203.0.113.5:25",
    ]);
  });

  it("joins endpoints by keys, not by address: two ports of one host with different keys stay apart", () => {
    // A:25 and B:25 share k1; B:465 and C:465 share k2; B:25 and B:465 share nothing
    const clusters = build([
      record("203.0.113.1", 25, "smtp", { tls: { key: "k1" } }),
      record("203.0.113.2", 25, "smtp", { tls: { key: "k1" } }),
      record("203.0.113.2", 465, "smtps", { tls: { key: "k2" } }),
      record("203.0.113.3", 465, "smtps", { tls: { key: "k2" } }),
    ]);
    // 203.0.113.2:25 and :465 share no key: two clusters, not one (keys join, addresses do not)
    expect(clusters.map((c) => endpoints(c))).toEqual([
      ["203.0.113.1:25", "203.0.113.2:25"],
      ["203.0.113.2:465", "203.0.113.3:465"],
    ]);
  });

  it("keeps separate clusters separate, and leaves a key used once out of every cluster", () => {
    const clusters = build([
      record("192.0.2.1", 25, "smtp", { tls: { key: "a" } }),
      record("192.0.2.2", 25, "smtp", { tls: { key: "a" } }),
      record("192.0.2.3", 25, "smtp", { tls: { key: "b" } }),
      record("192.0.2.4", 587, "smtp", { tls: { key: "b" } }),
      record("192.0.2.5", 587, "smtp", { tls: { key: "b" } }),
      record("192.0.2.6", 25, "smtp", { tls: { key: "lonely" } }),
      record("192.0.2.7", 22, "ssh", { ssh: [{ key: "lonely-ssh" }] }),
      record("192.0.2.8", 25, "smtp"),
    ]);
    expect(clusters.map((c) => [c.id, c.size])).toEqual([
      [`k${spki("b").slice(0, 12)}`, 3],
      [`k${spki("a").slice(0, 12)}`, 2],
    ]);
    const all = clusters.flatMap(endpoints);
    expect(all).not.toContain("192.0.2.6:25");
    expect(all).not.toContain("192.0.2.7:22");
    expect(all).not.toContain("192.0.2.8:25");
    expect(clusterSizeDistribution(clusters)).toEqual(
      new Map([
        [2, 1],
        [3, 1],
      ]),
    );
  });

  it("counts a duplicate record of one endpoint once", () => {
    const twice = record("192.0.2.1", 25, "smtp", { tls: { key: "k" } });
    const clusters = build([twice, twice, record("192.0.2.1", 25, "smtp", { tls: { key: "k" } })]);
    // one endpoint presenting a key is not reuse, however often it was scanned
    expect(clusters).toEqual([]);
    const withPeer = build([twice, twice, record("192.0.2.2", 25, "smtp", { tls: { key: "k" } })]);
    expect(withPeer).toHaveLength(1);
    expect(withPeer[0]?.size).toBe(2);
    expect(withPeer[0]?.keys[0]?.count).toBe(2);
    expect(withPeer[0]?.members[0]?.keys).toEqual([0]);
  });

  it("treats two spellings of one address as one endpoint", () => {
    const clusters = build([
      record("2001:db8::1", 25, "smtp", { tls: { key: "k" } }),
      record("2001:0db8:0:0::1", 25, "smtp", { tls: { key: "k" } }),
      record("::ffff:192.0.2.9", 25, "smtp", { tls: { key: "k" } }),
    ]);
    expect(clusters[0]?.members.map((m) => m.ip)).toEqual(["192.0.2.9", "2001:db8::1"]);
  });

  it("clusters a same-host key across ports: one address, several endpoints", () => {
    const clusters = build([
      record("192.0.2.1", 25, "smtp", { tls: { key: "k" } }),
      record("192.0.2.1", 993, "imaps", { tls: { key: "k" } }),
    ]);
    expect(clusters[0]).toMatchObject({ size: 2, hosts: 1 });
    expect(clusters[0]?.keys[0]?.protocols).toEqual(["imaps", "smtp"]);
  });

  it("counts the key of a record whose status is not ok when it kept a leaf certificate", () => {
    // a failed implicit-TLS handshake after the certificate arrived ends closed-before-banner
    const clusters = build([
      record("192.0.2.1", 465, "smtps", { tls: { key: "k" }, status: "closed-before-banner" }),
      record("192.0.2.2", 465, "smtps", { tls: { key: "k" } }),
    ]);
    expect(clusters[0]?.size).toBe(2);
  });

  it("finds a key shared by SSH and TLS (one SPKI identity)", () => {
    const clusters = build([
      record("192.0.2.1", 22, "ssh", { ssh: [{ key: "k", type: "ssh-rsa", bits: 2048 }] }),
      record("192.0.2.2", 993, "imaps", { tls: { key: "k", type: "rsa", bits: 2048 } }),
    ]);
    expect(clusters[0]?.keys).toEqual([
      { spki_sha256: spki("k"), kind: "rsa-2048", protocols: ["imaps", "ssh"], count: 2, known: null },
    ]);
  });

  it("ignores SSH keys without an identity", () => {
    const clusters = build([
      record("192.0.2.1", 22, "ssh", { ssh: [{ key: null, type: "ssh-unknown" }] }),
      record("192.0.2.2", 22, "ssh", { ssh: [{ key: null, type: "ssh-unknown" }] }),
    ]);
    expect(clusters).toEqual([]);
  });

  it("sorts members by address, IPv4 before IPv6, numerically, then port; ids are stable", () => {
    const records = [
      record("2001:db8::2", 25, "smtp", { tls: { key: "z" } }),
      record("10.0.0.10", 587, "smtp", { tls: { key: "z" } }),
      record("10.0.0.9", 25, "smtp", { tls: { key: "z" } }),
      record("10.0.0.10", 25, "smtp", { tls: { key: "y" } }),
      record("10.0.0.10", 465, "smtps", { tls: { key: "y" } }),
      record("2001:db8::10", 25, "smtp", { tls: { key: "z" } }),
    ];
    const forward = build(records);
    expect(endpoints(forward[0] ?? { members: [] })).toEqual([
      "10.0.0.9:25",
      "10.0.0.10:587",
      "2001:db8::2:25",
      "2001:db8::10:25",
    ]);
    // the same input in another order gives the same clusters
    expect(build([...records].reverse())).toEqual(forward);
  });

  it("marks keys known to ship inside software, by SPKI or by certificate hash", () => {
    const builder = new ClusterBuilder({
      known: {
        bySpki: new Map([[spki("shipped"), "a test key"]]),
        byCert: new Map([[spki("cert-by-cert"), "a test certificate"]]),
      },
    });
    for (const ip of ["192.0.2.1", "192.0.2.2"]) {
      builder.add(record(ip, 443, "https", { tls: { key: "shipped" } }));
      builder.add(record(ip, 25, "smtp", { tls: { key: "by-cert" } }));
    }
    const known = builder.build().flatMap((c) => c.keys.map((k) => k.known));
    expect(known.sort()).toEqual(["a test certificate", "a test key"]);
  });

  it("rejects a record whose address or fingerprint is not one", () => {
    expect(() => build([record("mx.example", 25, "smtp", { tls: { key: "k" } })])).toThrow(InputError);
    const bad = record("192.0.2.1", 25, "smtp", { tls: { key: "k" } });
    if (bad.tls?.chain[0]) bad.tls.chain[0].spki_sha256 = "not-hex";
    expect(() => build([bad])).toThrow(/spki_sha256 "not-hex" is not 64 hex digits/);
  });

  it("builds from an async stream of records", async () => {
    async function* stream() {
      yield record("192.0.2.1", 25, "smtp", { tls: { key: "k" } });
      yield record("192.0.2.2", 25, "smtp", { tls: { key: "k" } });
    }
    expect((await clustersOf(stream())).map((c) => c.size)).toEqual([2]);
  });
});

describe("clusters of the lab's golden records", () => {
  const dir = join(repoRoot(), "test", "fixtures", "lab");
  const files = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => join(dir, f)),
    ...readdirSync(join(dir, "ssh")).map((f) => join(dir, "ssh", f)),
  ];
  const records = files.map((f) => ScanRecordSchema.parse(JSON.parse(readFileSync(f, "utf8"))));
  const clusters = build(records);
  const byEndpoints = clusters.map((c) => ({ hosts: c.hosts, endpoints: endpoints(c) }));

  it("finds exactly the key reuse the lab set up", () => {
    expect(byEndpoints).toEqual([
      // Dovecot's TLS key on six ports is Dropbear's RSA host key
      {
        hosts: 2,
        endpoints: [
          "127.77.3.3:22",
          "127.77.4.1:110",
          "127.77.4.1:143",
          "127.77.4.1:465",
          "127.77.4.1:587",
          "127.77.4.1:993",
          "127.77.4.1:995",
        ],
      },
      // GNU Mailutils: one certificate on its four IMAP/POP3 ports
      { hosts: 1, endpoints: ["127.77.4.2:110", "127.77.4.2:143", "127.77.4.2:993", "127.77.4.2:995"] },
      // Postfix on 25/465/587 and nginx on 443 share one certificate key
      { hosts: 2, endpoints: ["127.77.1.1:25", "127.77.1.1:465", "127.77.1.1:587", "127.77.5.1:443"] },
      // chasquid uses one key on its three ports: reuse across ports of one host
      { hosts: 1, endpoints: ["127.77.1.13:25", "127.77.1.13:465", "127.77.1.13:587"] },
      // the two OpenSSH servers share all five host keys
      { hosts: 2, endpoints: ["127.77.3.1:22", "127.77.3.2:22"] },
    ]);
  });

  it("describes the keys as the records do", () => {
    const dovecot = clusters[0];
    expect(dovecot?.keys[0]).toMatchObject({
      kind: "rsa-2048",
      protocols: ["imap", "imaps", "pop3", "pop3s", "smtp", "smtps", "ssh"],
      count: 7,
      known: null,
    });
    // Dropbear's own Ed25519 key is used nowhere else but belongs to the cluster through its host
    expect(dovecot?.keys.map((k) => [k.kind, k.count])).toEqual([
      ["rsa-2048", 7],
      ["ed25519", 1],
    ]);
    expect(dovecot?.members.find((m) => m.port === 22)?.keys).toEqual([0, 1]);
    const openssh = clusters[4];
    expect(openssh?.keys.map((k) => k.kind).sort()).toEqual([
      "ecdsa-p256",
      "ecdsa-p384",
      "ecdsa-p521",
      "ed25519",
      "rsa-3072",
    ]);
    expect(openssh?.members.map((m) => m.keys)).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ]);
    // names: the PTR name where a record of the address had one
    expect(clusters[2]?.members.map((m) => m.name)).toEqual([
      "postfix.lab.smtpsurvey.test",
      "postfix.lab.smtpsurvey.test",
      "postfix.lab.smtpsurvey.test",
      "nginx.lab.smtpsurvey.test",
    ]);
    expect(dovecot?.members[0]).toMatchObject({ ip: "127.77.3.3", protocol: "ssh", name: null });
  });
});
