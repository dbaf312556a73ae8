/**
 * Line-read connections run on the bare TCP handle (src/scan/raw-tcp.ts) unless
 * SMTPSURVEY_TRANSPORT=net asks for net.Socket. Both must write the same records, byte for byte
 * apart from times, against servers that behave and servers that do not: STARTTLS (the handle is
 * handed to a net.Socket for TLS), junk after STARTTLS, resets, early closes, silence, refusal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostileKind, type HostileServer, startHostile } from "../hostile/servers.js";
import { runCli } from "../support/cli.js";

const KINDS: HostileKind[] = [
  "polite",
  "starttls-injection",
  "starttls-garbage",
  "tls10-only",
  "refused",
  "immediate-close",
  "reset-on-accept",
  "reset-after-ehlo",
  "close-after-banner",
  "silent",
  "drip-banner",
  "bare-lf",
  "megabyte-line",
];

/**
 * A reset right after the accept lands before or after the client sees its connect complete,
 * whichever transport: the record is then a failed connect or a session reset at once (seen
 * both ways in CI). Both are `reset`; only the status is compared.
 */
const RACY = new Set<HostileKind>(["reset-on-accept"]);

type Line = { ip: string; port: number; [field: string]: unknown };

/** A record without what differs from run to run: times, and the TLS suite's random parts. */
function timeless(record: Line): unknown {
  const { started_at: _s, duration_ms: _d, transcript, ...rest } = record;
  return { ...rest, transcript: (transcript as Array<{ t: number }>).map(({ t: _t, ...entry }) => entry) };
}

describe("the bare-handle transport and net.Socket write the same records", () => {
  const servers: HostileServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-transport-"));
  const targets = join(dir, "targets.txt");
  beforeAll(async () => {
    for (const [index, kind] of KINDS.entries()) {
      servers.push(await startHostile(kind, { ip: `127.77.246.${index + 1}`, port: 2525 }));
    }
    writeFileSync(targets, `${servers.map((s) => s.ip).join("\n")}\n`);
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  async function grab(name: string, env?: Record<string, string>): Promise<Map<string, unknown>> {
    const out = join(dir, `${name}.jsonl`);
    const args = ["grab", "-i", targets, "-p", "2525", "--scope", "127.77.246.0/24", "-o", out];
    const run = await runCli([...args, "-t", "3", "-w", "1", "-q", "--ehlo", "transport.test"], env);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    const records = lines.map((l) => JSON.parse(l) as Line);
    return new Map(records.map((r) => [r.ip, timeless(r)]));
  }

  it("for every kind of server", async () => {
    const raw = await grab("raw");
    const net = await grab("net", { SMTPSURVEY_TRANSPORT: "net" });
    expect(raw.size).toBe(KINDS.length);
    for (const [index, kind] of KINDS.entries()) {
      const ip = `127.77.246.${index + 1}`;
      if (RACY.has(kind)) {
        const status = (m: Map<string, unknown>) => (m.get(ip) as { status: string }).status;
        expect({ kind, status: status(raw) }).toEqual({ kind, status: status(net) });
      } else expect({ kind, record: raw.get(ip) }).toEqual({ kind, record: net.get(ip) });
    }
  }, 120_000);
});
