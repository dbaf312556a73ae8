import { describe, expect, it } from "vitest";
import type { Cluster, ClusterKey, ClusterMember } from "../core/cluster-types.js";
import { clusterDot, overviewDot, renderSvg } from "./cluster-graph.js";
import { prefixSummary } from "./cluster-key-groups.js";

function key(n: number, kind: string, protocols: string[], known: string | null = null): ClusterKey {
  return { spki_sha256: n.toString(16).padStart(64, "0"), kind, protocols, count: 0, known };
}

function member(
  ip: string,
  port: number,
  protocol: string,
  keys: number[],
  name: string | null = null,
): ClusterMember {
  return { ip, port, protocol, name, keys };
}

function cluster(keys: ClusterKey[], members: ClusterMember[]): Cluster {
  const counts = keys.map((_, k) => members.filter((m) => m.keys.includes(k)).length);
  return {
    id: keys[0]?.spki_sha256 ?? "empty",
    size: members.length,
    hosts: new Set(members.map((m) => m.ip)).size,
    keys: keys.map((k, i) => ({ ...k, count: counts[i] ?? 0 })),
    members,
  };
}

/** Graphviz writes every "-" in text as "&#45;"; the assertions read it back as "-". */
async function render(dot: string): Promise<string> {
  return (await renderSvg(dot)).replaceAll("&#45;", "-");
}

/** The node and edge groups of a Graphviz SVG, by their <title> (the DOT id) and stroke colour. */
function svgShapes(svg: string): {
  nodes: string[];
  edges: { title: string; stroke: string; text: string }[];
} {
  const nodes = [...svg.matchAll(/class="node">\n<title>([^<]*)<\/title>/g)].map((m) => m[1] as string);
  const edges = [
    ...svg.matchAll(
      /class="edge">\n<title>([^<]*)<\/title>\n<path[^>]*stroke="([^"]*)"[^>]*>([\s\S]*?)<\/g>/g,
    ),
  ].map((m) => ({ title: m[1] as string, stroke: (m[2] as string).toUpperCase(), text: m[3] as string }));
  return { nodes, edges };
}

// The lab's shared-key cluster: Postfix on 25/587/465 and nginx on 443 with one RSA key.
const labSharedKey = cluster(
  [key(0xaa, "rsa-2048", ["https", "smtp", "smtps"])],
  [
    member("127.77.1.1", 25, "smtp", [0], "postfix.lab.test"),
    member("127.77.1.1", 587, "smtp", [0], "postfix.lab.test"),
    member("127.77.1.1", 465, "smtps", [0], "postfix.lab.test"),
    member("127.77.5.1", 443, "https", [0]),
  ],
);

// The lab's cloned SSH host: two machines with the same five host keys.
const sshKinds = ["rsa-3072", "ecdsa-p256", "ecdsa-p384", "ed25519", "dsa-1024"];
const labSsh = cluster(
  sshKinds.map((kind, i) => key(0x100 + i, kind, ["ssh"])),
  ["127.77.3.1", "127.77.3.2"].map((ip) => member(ip, 22, "ssh", [0, 1, 2, 3, 4])),
);

describe("clusterDot, small clusters", () => {
  it("draws the lab's shared-key cluster as two hosts and one smtp–https edge", async () => {
    const svg = await render(clusterDot(labSharedKey));
    const { nodes, edges } = svgShapes(svg);
    expect(nodes.filter((n) => /^h\d+$/.test(n))).toEqual(["h0", "h1"]);
    expect(edges).toHaveLength(1);
    expect(edges[0]?.title).toBe("h0--h1");
    expect(edges[0]?.stroke).toBe("#D55E00"); // smtp–https in the fixed palette
    expect(edges[0]?.text).toContain("rsa-2048 00000000");
    // Postfix's three ports share the key: said on the node, not drawn as self-loops.
    expect(svg).toContain("same rsa-2048 00000000 on 25, 465, 587");
    expect(svg).toContain("25/smtp 465/smtps 587/smtp");
    expect(svg).toContain("postfix.lab.test");
    expect(svg).toContain(">http–smtp<"); // the legend (https folds into its family, http)
  });

  it("draws the cloned SSH host as one ssh–ssh edge labelled with the five keys", async () => {
    const svg = await render(clusterDot(labSsh));
    const { nodes, edges } = svgShapes(svg);
    expect(nodes.filter((n) => /^h\d+$/.test(n))).toHaveLength(2);
    expect(edges).toHaveLength(1);
    expect(edges[0]?.stroke).toBe("#009E73"); // ssh–ssh
    expect(edges[0]?.text).toContain(">5 keys<");
    expect(edges[0]?.text).toContain("dsa-1024 ecdsa-p256 ecdsa-p384 ed25519");
  });

  it("draws one edge per host pair and protocol pair, and none for a key only one host has", async () => {
    const mixed = cluster(
      [key(1, "rsa-2048", ["smtp", "imaps"]), key(2, "ed25519", ["ssh"]), key(3, "rsa-4096", ["smtp"])],
      [
        member("127.77.1.1", 25, "smtp", [0]),
        member("127.77.1.1", 22, "ssh", [1]),
        member("127.77.1.2", 993, "imaps", [0]),
        member("127.77.1.2", 22, "ssh", [1]),
        member("127.77.1.3", 25, "smtp", [0, 2]),
      ],
    );
    const { edges } = svgShapes(await render(clusterDot(mixed)));
    const byPair = edges.map((e) => `${e.title} ${e.stroke}`).sort();
    expect(byPair).toEqual([
      "h0--h1 #009E73", // ssh–ssh
      "h0--h1 #CC79A7", // imap–smtp
      "h0--h2 #0072B2", // smtp–smtp
      "h1--h2 #CC79A7",
    ]);
  });

  it("keeps hostile names as text", async () => {
    const hostile = cluster(
      [key(9, "rsa-2048", ["smtp"], 'ships with "</svg><script>alert(1)</script>"')],
      [
        member("127.77.1.1", 25, "smtp", [0], '</text></g><script>alert("x")</script>\\N'),
        member("::1", 25, "smtp", [0], "two\nlines &amp;"),
      ],
    );
    const svg = await render(clusterDot(hostile));
    expect(svg).not.toMatch(/<script|<\/svg>[\s\S]*<\/svg>/);
    expect(svg).toContain("&lt;/text&gt;&lt;/g&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\N");
    expect(svg).toContain("two\\x0alines &amp;amp;");
    expect(svg).toContain(">::1<");
  });
});

/** 10,000 endpoints around one widely deployed key, with the shapes real surveys show. */
function largeCluster(): Cluster {
  const keys = [
    key(1, "rsa-2048", ["smtp"], "hosting panel default certificate"),
    key(2, "rsa-2048", ["https"]),
    key(3, "ecdsa-p256", ["smtp"]),
  ];
  const members: ClusterMember[] = [];
  const ip = (i: number) => `${20 + (i % 7)}.${(i >> 8) & 255}.${i & 255}.${1 + (i % 3)}`;
  let host = 0;
  // 2,000 hosts with the shared SMTP key and the shared HTTPS key.
  for (let i = 0; i < 2000; i++, host++) {
    members.push(member(ip(host), 25, "smtp", [0]), member(ip(host), 443, "https", [1]));
  }
  // 750 hosts with it on 25 and an ECDSA key on 587.
  for (let i = 0; i < 750; i++, host++) {
    members.push(member(ip(host), 25, "smtp", [0]), member(ip(host), 587, "smtp", [2]));
  }
  // 40 keys each shared by 10 hosts, and 500 hosts with a key of their own.
  for (let k = 0; k < 40; k++) {
    keys.push(key(0x1000 + k, "rsa-4096", ["imaps"]));
    for (let i = 0; i < 10; i++, host++) {
      members.push(member(ip(host), 25, "smtp", [0]), member(ip(host), 993, "imaps", [keys.length - 1]));
    }
  }
  for (let i = 0; i < 500; i++, host++) {
    keys.push(key(0x2000 + i, "ed25519", ["ssh"]));
    members.push(member(ip(host), 25, "smtp", [0]), member(ip(host), 22, "ssh", [keys.length - 1]));
  }
  // The rest: the shared key alone.
  while (members.length < 10_000) members.push(member(ip(host++), 25, "smtp", [0]));
  return cluster(keys, members);
}

/** A deterministic number in [0, 1) from an integer (xorshift-multiply hash). */
function pseudoRandom(n: number): number {
  let x = (n + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

describe("clusterDot, large clusters", () => {
  it("summarises 10,000 endpoints as a bounded keys-to-host-groups graph, quickly", async () => {
    const big = largeCluster();
    expect(big.members).toHaveLength(10_000);
    const started = performance.now();
    const dot = clusterDot(big);
    const dotMs = performance.now() - started;
    const svg = await render(dot);
    const totalMs = performance.now() - started;
    const { nodes, edges } = svgShapes(svg);
    console.log(
      `10,000-endpoint cluster: DOT ${dotMs.toFixed(0)} ms, DOT+SVG ${totalMs.toFixed(0)} ms, ` +
        `${nodes.length} nodes, ${edges.length} edges, SVG ${(svg.length / 1024).toFixed(0)} KiB`,
    );
    expect(totalMs).toBeLessThan(5000);
    expect(nodes.length).toBeLessThan(200);
    expect(svg.length).toBeLessThan(2 * 1024 * 1024);
    expect(nodes).not.toContain("h0"); // no host-by-host drawing
    expect(svg).toContain("hosting panel default certificate");
    expect(svg).toMatch(/\d+ other keys/); // 500 one-host keys and the smallest shared ones, folded
    expect(svg).toContain("2000 hosts, 4000 endpoints");
    expect(svg).toMatch(/>2000</); // edge label: hosts in the group
  });

  it("stays bounded when hosts hold many different combinations of keys", async () => {
    const keys = Array.from({ length: 60 }, (_, k) =>
      key(0x3000 + k, "rsa-2048", k % 2 ? ["smtp"] : ["https"]),
    );
    const members: ClusterMember[] = [];
    for (let h = 0; h < 5000; h++) {
      const ip = `198.${(h >> 8) & 255}.${h & 255}.7`;
      // A pseudo-random subset of the keys per host: thousands of distinct key sets.
      const held = [0, ...keys.map((_, k) => k).filter((k) => pseudoRandom(h * 64 + k) < 0.15)];
      members.push(member(ip, 25, "smtp", held), member(ip, 443, "https", held));
    }
    const started = performance.now();
    const svg = await render(clusterDot(cluster(keys, members)));
    const totalMs = performance.now() - started;
    const { nodes, edges } = svgShapes(svg);
    console.log(
      `5,000 hosts, 60 keys in random sets: ${totalMs.toFixed(0)} ms, ${nodes.length} nodes, ${edges.length} edges, ` +
        `SVG ${(svg.length / 1024).toFixed(0)} KiB`,
    );
    expect(totalMs).toBeLessThan(10_000);
    expect(nodes.length).toBeLessThan(200);
    expect(svg.length).toBeLessThan(2 * 1024 * 1024);
    expect(svg).toContain("smaller groups");
  });

  it("draws a small but dense cluster (one key on 60 hosts: 1,770 host pairs) as a summary", async () => {
    const dense = cluster(
      [key(0x77, "rsa-2048", ["smtp"])],
      Array.from({ length: 60 }, (_, h) => member(`127.79.${h}.1`, 25, "smtp", [0])),
    );
    const started = performance.now();
    const svg = await render(clusterDot(dense));
    expect(performance.now() - started).toBeLessThan(5000);
    const { nodes, edges } = svgShapes(svg);
    expect(nodes.filter((n) => !n.startsWith("legend"))).toEqual(["k0", "g0"]);
    expect(edges).toHaveLength(1);
    expect(svg).toContain("60 hosts, 60 endpoints");
  });

  it("folds groups sooner when each holds many keys (edge budget)", async () => {
    const keys = Array.from({ length: 30 }, (_, k) => key(0x4000 + k, "rsa-2048", ["smtp"]));
    const members = Array.from({ length: 10_000 }, (_, h) =>
      member(
        `10.${h >> 8}.${h & 255}.1`,
        25,
        "smtp",
        keys.map((_, k) => k).filter((k) => pseudoRandom(h * 32 + k) < 0.5),
      ),
    );
    const started = performance.now();
    const dot = clusterDot(cluster(keys, members));
    const svg = await render(dot);
    const totalMs = performance.now() - started;
    const { nodes, edges } = svgShapes(svg);
    console.log(
      `10,000 hosts, each with half of 30 keys: ${totalMs.toFixed(0)} ms, ${nodes.length} nodes, ${edges.length} edges, ` +
        `SVG ${(svg.length / 1024).toFixed(0)} KiB`,
    );
    expect(edges.length).toBeLessThanOrEqual(250 + 25);
    expect(totalMs).toBeLessThan(10_000);
  });

  it("switches to the summary above maxDetailedEndpoints", () => {
    expect(clusterDot(labSsh, { maxDetailedEndpoints: 1 })).toContain('"k0" -- "g0"');
    expect(clusterDot(labSsh)).toContain('"h0" -- "h1"');
  });
});

describe("overviewDot", () => {
  it("draws the top clusters and one node for the others", async () => {
    const clusters = Array.from({ length: 30 }, (_, i) =>
      cluster(
        [key(0x5000 + i, i % 2 ? "ed25519" : "rsa-2048", i % 2 ? ["ssh"] : ["smtp", "https"])],
        Array.from({ length: 2 + i }, (_, m) =>
          member(`127.78.${i}.${m + 1}`, i % 2 ? 22 : 25, i % 2 ? "ssh" : "smtp", [0]),
        ),
      ),
    );
    const svg = await render(overviewDot(clusters, { top: 10 }));
    const { nodes, edges } = svgShapes(svg);
    expect(nodes).toHaveLength(11);
    expect(nodes).toContain("others");
    expect(edges.every((e) => e.stroke === "TRANSPARENT" || e.stroke === "NONE")).toBe(true);
    expect(svg).toContain("31 endpoints, 31 hosts"); // the largest cluster comes first
    expect(svg).toContain("20 other clusters");
    expect(svg).toContain("key-reuse clusters: 30 (largest 10 drawn)");
  });
});

describe("prefixSummary", () => {
  it("says where a group's addresses lie", () => {
    expect(prefixSummary(["192.0.2.1", "192.0.2.9"])).toBe("all in 192.0.2.0/24");
    expect(prefixSummary(["198.51.1.1", "198.51.2.1"])).toBe("all in 198.51.0.0/16, 2 /24s");
    expect(prefixSummary(["2001:db8:1::1", "2001:db8:2::1"])).toBe("all in 2001:db8::/32, 2 /48s");
    expect(prefixSummary(["192.0.2.1", "203.0.113.1", "203.0.113.2"])).toBe(
      "2 /16s, most in 203.0.0.0/16 (2)",
    );
    expect(prefixSummary(["192.0.2.1", "2001:db8::1"])).toBe("2 /16s or /32s, most in 192.0.0.0/16 (1)");
  });
});
