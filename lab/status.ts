/** `lab status`: which servers run, where, with which PIDs, and why a skipped one was skipped. */
import { DNS_IP, DNS_PORT } from "./dns.js";
import { labPaths } from "./paths.js";
import { allServers } from "./servers/index.js";
import { aliveEntries, DNS_ENTRY, isRunning, readManifest, readPids } from "./state.js";

export interface StatusRow {
  name: string;
  product: string;
  endpoints: string;
  state: "running" | "stopped" | "skipped" | "not started";
  pids: number[];
  note: string;
}

export function labStatusRows(): StatusRow[] {
  const paths = labPaths();
  const entries = readPids(paths);
  const skipped = readManifest(paths)?.skipped ?? [];
  const row = (name: string, product: string, endpoints: string): StatusRow => {
    const mine = entries.filter((e) => e.server === name);
    const reason = skipped.find((s) => s.name === name)?.reason;
    let state: StatusRow["state"] = "not started";
    if (isRunning(entries, name)) state = "running";
    else if (mine.length > 0) state = "stopped";
    else if (reason) state = "skipped";
    return {
      name,
      product,
      endpoints,
      state,
      pids: aliveEntries(mine).map((e) => e.pid),
      note: reason ?? "",
    };
  };
  return [
    row(DNS_ENTRY, "dnsmasq", `${DNS_IP}:${DNS_PORT}`),
    ...allServers.map((s) =>
      row(s.name, `${s.product} ${s.version}`, `${s.ip}:${s.endpoints.map((e) => e.port).join(",")}`),
    ),
  ];
}

export function formatStatus(rows: StatusRow[]): string {
  const table = [
    ["SERVER", "PRODUCT", "ENDPOINTS", "STATE", "PIDS", "NOTE"],
    ...rows.map((r) => [r.name, r.product, r.endpoints, r.state, r.pids.join(","), r.note]),
  ];
  const widths = table[0]?.map((_, col) => Math.max(...table.map((line) => (line[col] ?? "").length))) ?? [];
  return table
    .map((line) =>
      line
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Prints the status table on stdout and returns its rows. */
export function labStatus(): StatusRow[] {
  const rows = labStatusRows();
  process.stdout.write(`${formatStatus(rows)}\n`);
  return rows;
}
