/**
 * Control targets (`--control`): servers in the scope known to answer, grabbed once before the
 * survey, so that a port blocked on the way out is told apart from targets that are silent.
 */
import { isIpAddress } from "../core/cidr.js";
import { InputError } from "../core/errors.js";
import type { ScanRecord } from "../protocols/record.js";
import { protocolForPort, protocolNamed } from "../protocols/registry.js";
import { runScan } from "../scan/engine.js";
import type { ScanSettings } from "./scan-settings.js";

export interface Control {
  ip: string;
  port: number;
}

export function parseControl(text: string, settings: ScanSettings): Control {
  const match = /^(?:\[(.+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const ip = match?.[1] ?? match?.[2] ?? "";
  const port = Number(match?.[3]);
  if (!match || !isIpAddress(ip) || port < 1 || port > 65535)
    throw new InputError(`--control takes ADDRESS:PORT (or [IPv6]:PORT), not ${JSON.stringify(text)}`);
  if (!settings.scope.check(ip).allowed) throw new InputError(`--control ${text} is outside --scope`);
  return { ip, port };
}

/** Grabs each control target once; the ports on which one answered. */
export async function checkControls(
  controls: Control[],
  settings: ScanSettings,
  resolvers: string[] | undefined,
  say: (line: string) => void,
): Promise<Set<number>> {
  const answered = new Set<number>();
  if (controls.length === 0) return answered;
  const jobs = controls.map((c) => ({
    ip: c.ip,
    port: c.port,
    protocol: protocolForPort(c.port),
    name: null,
  }));
  const records: ScanRecord[] = [];
  await runScan(
    (async function* () {
      yield* jobs;
    })(),
    protocolNamed,
    controlEngine(settings, resolvers),
    (record) => {
      records.push(record);
    },
  );
  for (const record of records) {
    const answeredHere = record.status === "ok";
    if (answeredHere) answered.add(record.port);
    say(
      `control ${record.ip}:${record.port}: ${record.status}${answeredHere ? "" : " (it did not answer: check the network and --scope)"}`,
    );
  }
  return answered;
}

/** The main run's engine settings, without probes: a control target is only asked whether it answers. */
function controlEngine(settings: ScanSettings, resolvers: string[] | undefined) {
  const engine = settings.engine(new AbortController().signal, resolvers);
  return { ...engine, protocol: { ...engine.protocol, probes: [], probePlanner: undefined } };
}
