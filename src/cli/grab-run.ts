/**
 * One grab: a target stream × ports through the engine into a record output, with progress,
 * identification, early warnings and signal handling. `grab` and `survey` both run it.
 */

import type { Target } from "../core/target.js";
import { identifyRecord } from "../fingerprint/identify.js";
import type { Model } from "../fingerprint/model.js";
import { protocolForPort, protocolNamed } from "../protocols/registry.js";
import { type EngineOptions, runScan, type ScanJob, type ScanStats } from "../scan/engine.js";
import type { RecordOutput } from "../store/record-output.js";
import type { ScanRecord } from "../store/schema.js";
import type { PortSpec } from "../targets/ports.js";
import { createProgress } from "./progress.js";

export interface GrabRun {
  targets: AsyncIterable<Target>;
  ports: PortSpec[];
  engine: EngineOptions;
  controller: AbortController;
  output: RecordOutput;
  model: Model | null;
  /** how many records the run will write at most, when known (for the progress bar) */
  planned: number | null;
  quiet: boolean;
  /** sees every record after it is written (early warnings) */
  onRecord?: (record: ScanRecord) => void;
}

export async function runGrab(run: GrabRun): Promise<ScanStats> {
  const progress = createProgress(run.planned, run.quiet ? "quiet" : "auto");
  const stopSignals = interruptOn(run.controller, run.output);
  try {
    const stats = await runScan(
      jobsFor(run.targets, run.ports, run.output),
      protocolNamed,
      run.engine,
      (record) => {
        if (run.model) record.software = identifyRecord(run.model, record);
        run.output.write(record);
        progress.record(record.status);
        run.onRecord?.(record);
      },
    );
    progress.stop();
    return stats;
  } finally {
    stopSignals();
  }
}

async function* jobsFor(
  targets: AsyncIterable<Target>,
  ports: PortSpec[],
  output: RecordOutput,
): AsyncGenerator<ScanJob> {
  for await (const target of targets) {
    // a target that names its own port (zgrab2 input) is grabbed on that port only
    const specs: PortSpec[] = target.port !== undefined ? [{ port: target.port, protocol: null }] : ports;
    for (const spec of specs) {
      if (!output.claim(target.ip, spec.port)) continue;
      yield {
        ip: target.ip,
        port: spec.port,
        protocol: spec.protocol ?? protocolForPort(spec.port),
        // the host name given, or the MX host the address came from
        name: target.name ?? target.mx ?? null,
        ...(target.country !== undefined ? { country: target.country } : {}),
        ...(target.asn !== undefined ? { asn: target.asn } : {}),
      };
    }
  }
}

/**
 * SIGINT/SIGTERM: stop opening connections and let the sessions in flight end within their
 * timeouts; a second signal flushes what is finished and exits at once.
 */
function interruptOn(controller: AbortController, output: RecordOutput): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      process.stderr.write(`\nsmtpsurvey: ${signal}: finishing the sessions in flight (again to stop now)\n`);
      controller.abort();
      return;
    }
    output.flush();
    process.stderr.write("smtpsurvey: stopped; run again with --resume to finish\n");
    process.exit(130);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
