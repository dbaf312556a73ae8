/** `smtpsurvey grab`: targets × ports through the engine into JSON Lines. */
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Command } from "commander";
import { PLANNER_DEFAULTS, probePlanner } from "../fingerprint/adaptive.js";
import { identifyRecord } from "../fingerprint/identify.js";
import { loadModel } from "../fingerprint/model.js";
import { protocolForPort, protocolNamed, protocolNames } from "../protocols/registry.js";
import { loadProbes } from "../protocols/smtp/probes.js";
import { ENGINE_DEFAULTS, type EngineOptions, runScan, type ScanJob } from "../scan/engine.js";
import { Scope } from "../scan/scope.js";
import { openRecordOutput, type RecordOutput } from "../store/record-output.js";
import { type FailureFile, openFailureFile } from "../targets/mx-failures.js";
import { planTargets, type TargetPlan } from "../targets/plan.js";
import { type PortSpec, parsePorts } from "../targets/ports.js";
import type { Target } from "../targets/target.js";
import { positiveInteger, reportAndExit, seconds, usageError } from "./errors.js";
import { createProgress } from "./progress.js";
import { printStatusSummary } from "./summary.js";
import { addTargetOptions, type TargetFlags, targetOptionsFrom } from "./target-options.js";

interface GrabFlags extends TargetFlags {
  ports?: string;
  scope?: string;
  output?: string;
  concurrency: string;
  rate: string;
  perIp: string;
  perIpRate: string;
  timeout: string;
  connectTimeout: string;
  sessionTimeout: string;
  ehlo: string;
  starttls: string;
  probes: string;
  mxFailures?: string;
  resume?: boolean;
  quiet?: boolean;
  identify?: boolean;
}

export function register(program: Command): void {
  addTargetOptions(
    program
      .command("grab")
      .description(
        "grab sessions (SMTP, IMAP, POP3, HTTP: greetings, capabilities, TLS certificates) into JSON Lines",
      )
      .argument("[targets...]", "IPv4/IPv6 addresses, CIDRs or host names"),
  )
    .option("-p, --ports <list>", "ports: 25,465,587 or 2501-2511; PORT:PROTOCOL picks a protocol")
    .option("--scope <cidrs>", "the CIDRs this scan may connect to (required)")
    .option("-o, --output <file>", "JSON Lines output, - for stdout")
    .option("-c, --concurrency <n>", "sessions in flight at most", String(ENGINE_DEFAULTS.concurrency))
    .option("--rate <n>", "new connections per second over the whole scan, 0 = unlimited", "0")
    .option("--per-ip <n>", "connections at once to one IP", String(ENGINE_DEFAULTS.perIpConcurrency))
    .option(
      "--per-ip-rate <n>",
      "new connections per second to one IP, 0 = unlimited",
      String(ENGINE_DEFAULTS.perIpRate),
    )
    .option(
      "--timeout <seconds>",
      "reply timeout, from a command (or the connect) to the reply's last line",
      "20",
    )
    .option("--connect-timeout <seconds>", "TCP connect timeout", "10")
    .option("--session-timeout <seconds>", "cap on one connection's whole life", "120")
    .option("--ehlo <name>", "the name announced in EHLO/HELO", hostname())
    .option("--starttls <mode>", "auto (when advertised), always, never", "auto")
    .option(
      "--probes <list>",
      "probe sessions to run after the main one (comma list, 'all' or 'none')",
      "none",
    )
    .option(
      "--mx-failures <file>",
      "with --domains: where domains that gave no address go (default OUT.mx-failures.jsonl)",
    )
    .option("--identify", "fill each record's `software` (probes chosen adaptively, a few per host)")
    .option("--resume", "continue an interrupted run into the same output")
    .option("--quiet", "no progress output")
    .action(async (targets: string[], flags: GrabFlags) => {
      try {
        await grab(targets, flags);
      } catch (error) {
        reportAndExit(error);
      }
    });
}

async function grab(targetArgs: string[], flags: GrabFlags): Promise<void> {
  if (!flags.scope) {
    usageError(
      "--scope is required for any command that connects: name the CIDRs this scan may reach, e.g. --scope 127.77.0.0/16",
    );
  }
  const scope = Scope.parse(flags.scope);
  if (!flags.ports) usageError("-p/--ports is required, e.g. -p 25,465,587");
  const ports = parsePorts(flags.ports, protocolNames());
  if (!flags.output) usageError("-o/--output is required (- for stdout)");
  if (flags.resume && flags.output === "-") usageError("--resume needs an output file, not stdout");
  if (!["auto", "always", "never"].includes(flags.starttls))
    usageError(`--starttls takes auto, always or never, not ${flags.starttls}`);
  const probes = probeNames(flags.probes);
  let failures: FailureFile | undefined;
  const targetOptions = targetOptionsFrom(targetArgs, flags, scope, (f) => failures?.write(f));
  const plan = await planTargets(targetOptions);
  const resolvers = targetOptions.dns?.servers ? [...targetOptions.dns.servers] : undefined;

  const model = flags.identify ? loadModel() : null;
  const controller = new AbortController();
  const options: EngineOptions = {
    ...ENGINE_DEFAULTS,
    scope,
    concurrency: positiveInteger("-c", flags.concurrency),
    rate: positiveInteger("--rate", flags.rate, { allowZero: true }),
    perIpConcurrency: positiveInteger("--per-ip", flags.perIp),
    perIpRate: positiveInteger("--per-ip-rate", flags.perIpRate, { allowZero: true }),
    connectTimeoutMs: seconds("--connect-timeout", flags.connectTimeout),
    sessionTimeoutMs: seconds("--session-timeout", flags.sessionTimeout),
    protocol: {
      ehloName: flags.ehlo,
      starttls: flags.starttls as "auto" | "always" | "never",
      replyTimeoutMs: seconds("--timeout", flags.timeout),
      probes,
      probePlanner: model
        ? probePlanner(model, { ...PLANNER_DEFAULTS, probes: [...loadProbes().keys()] })
        : undefined,
    },
    signal: controller.signal,
    resolvers,
  };

  // Every check has passed: only now is anything written.
  const output = openRecordOutput(flags.output, { resume: Boolean(flags.resume) });
  if (flags.domains) {
    const path =
      flags.mxFailures ?? (flags.output === "-" ? "mx-failures.jsonl" : `${flags.output}.mx-failures.jsonl`);
    failures = await openFailureFile(path);
  }
  const planned =
    plan.expected === null ? null : plan.expected * BigInt(ports.length) - BigInt(output.resumedCount);
  const progress = createProgress(
    planned !== null && planned <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(planned) : null,
    flags.quiet ? "quiet" : "auto",
  );
  if (output.resumedCount > 0 && !flags.quiet) {
    process.stderr.write(`smtpsurvey: resuming: ${output.resumedCount} records already in ${flags.output}\n`);
  }
  const stopSignals = interruptOn(controller, output);
  try {
    const stats = await runScan(jobsFor(plan, ports, output), protocolNamed, options, (record) => {
      if (model) record.software = identifyRecord(model, record);
      output.write(record);
      progress.record(record.status);
    });
    progress.stop();
    output.close();
    await failures?.close();
    if (flags.output !== "-") writeTargetsMeta(flags.output, plan);
    if (!flags.quiet) process.stderr.write(`smtpsurvey: ${plan.exclusionSummary()}\n`);
    if (!flags.quiet) printStatusSummary(stats, controller.signal.aborted);
    // An interrupted run is not a finished one: say so to scripts, as shells do for SIGINT.
    if (controller.signal.aborted) process.exitCode = 130;
  } finally {
    stopSignals();
  }
}

async function* jobsFor(plan: TargetPlan, ports: PortSpec[], output: RecordOutput): AsyncGenerator<ScanJob> {
  for await (const target of plan.stream()) {
    // a target that names its own port (zgrab2 input) is grabbed on that port only
    const specs: PortSpec[] = target.port !== undefined ? [{ port: target.port, protocol: null }] : ports;
    for (const spec of specs) {
      if (!output.claim(target.ip, spec.port)) continue;
      yield {
        ip: target.ip,
        port: spec.port,
        protocol: spec.protocol ?? protocolForPort(spec.port),
        name: nameOf(target),
        ...(target.country !== undefined ? { country: target.country } : {}),
        ...(target.asn !== undefined ? { asn: target.asn } : {}),
      };
    }
  }
}

/** The name a record carries: the host name given, or the MX host the address came from. */
function nameOf(target: Target): string | null {
  return target.name ?? target.mx ?? null;
}

/** What the targets were (sample space, exclusions, MX figures): kept beside the records for estimates. */
function writeTargetsMeta(output: string, plan: TargetPlan): void {
  writeFileSync(`${output}.targets.json`, `${JSON.stringify(plan.meta(), null, 1)}\n`);
}

function probeNames(list: string): string[] {
  const catalogue = loadProbes();
  if (list === "none" || list === "") return [];
  if (list === "all") return [...catalogue.keys()];
  const names = list.split(",").map((s) => s.trim());
  for (const name of names) {
    if (!catalogue.has(name))
      usageError(`unknown probe ${JSON.stringify(name)} (known: ${[...catalogue.keys()].join(", ")})`);
  }
  return names;
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
