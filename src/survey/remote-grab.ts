/**
 * The grab stage run somewhere else (survey --engine: PostgreSQL and its workers,
 * src/distributed/coordinate.ts). The survey hands it the planned targets and where
 * records.jsonl goes; it returns once every record is there, or when interrupted (the run can
 * be resumed). Passed in by the caller, so that src/survey does not depend on the distributed
 * engine (which sits above it).
 */
import type { Target } from "../core/target.js";
import type { ScanStats } from "../scan/engine.js";
import type { SpaceDescriptor } from "../targets/space-descriptor.js";
import type { ScanSettings } from "./scan-settings.js";

export interface RemoteGrabInput {
  /** the run directory's own name for the run: the same on --resume */
  runKey: string;
  /**
   * The planned targets in their two parts, space first (each is also written to the run's
   * targets file as it is read, so both are read to the end).
   */
  targets: { space: AsyncIterable<Target>; singles: AsyncIterable<Target> };
  /** the space part as plain data (random access by index), or null when it has none (--mmdb) */
  space: SpaceDescriptor | null;
  settings: ScanSettings;
  resolvers: string[] | undefined;
  /**
   * what the plan says about the targets: sources, space, sample and seed, shard, exclusions,
   * data sets and their versions (MX figures are complete only once the targets are all read)
   */
  targetsMeta: () => unknown;
  /** write every record of the run here (atomically: complete or absent) */
  recordsPath: string;
  signal: AbortSignal;
  say(line: string): void;
}

export type RemoteGrabOutcome =
  | { kind: "done"; stats: ScanStats }
  | { kind: "interrupted"; stats: ScanStats };

export type RemoteGrab = (input: RemoteGrabInput) => Promise<RemoteGrabOutcome>;
