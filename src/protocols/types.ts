/**
 * The contract between the engine (src/scan) and a protocol (src/protocols/<name>).
 * The engine owns every socket; a protocol only talks through the Channels it is handed, so a
 * protocol is added without touching the engine.
 */

import type { Duplex } from "node:stream";
import type { Status } from "../core/status.js";
import type { RecordPartName, ScanRecord, TranscriptEntry } from "./record.js";

/** What one TLS handshake yielded; the chain is raw DER, leaf first. */
export interface TlsHandshake {
  version: string | null;
  cipher: string | null;
  chainDer: Buffer[];
  /** null when the handshake completed; otherwise what went wrong (the chain may still be there) */
  error: string | null;
}

export interface ConnectOptions {
  /** the session will call takeStream() */
  stream?: boolean;
}

/** A connected stream to one (ip, port), with deadlines and byte caps enforced by the engine. */
export interface Channel {
  readonly ip: string;
  readonly port: number;
  /** Our end's address on this connection: what an address-literal EHLO names (RFC 5321 4.1.3). */
  localAddress(): string;
  /** Milliseconds since the record started (the transcript's clock). */
  elapsed(): number;
  /** An absolute deadline (ms, on the performance.now() clock) `ms` from now. */
  deadlineIn(ms: number): number;
  /**
   * The next line, without its line ending (CRLF or bare LF). Rejects with a ChannelError:
   * `timeout` at the deadline, `closed` / `reset` when the peer went away, `too-long` past a cap.
   */
  readLine(deadline: number): Promise<Buffer>;
  /**
   * The next line as text: escapeBytes of what readLine gives (the string the transcript keeps).
   * A string at once when a whole line is already buffered, else a promise that fails as
   * readLine's does.
   */
  readText(deadline: number): string | Promise<string>;
  /** Sends bytes as they are; the transcript records them. */
  write(data: string | Buffer): Promise<void>;
  /**
   * Upgrades to TLS accepting any certificate, within the deadline (the whole handshake, like a
   * reply); never rejects: failures come back in `error`.
   */
  startTls(deadline: number, servername?: string): Promise<TlsHandshake>;
  /**
   * Hands the raw connected stream to a library that speaks the protocol itself (ssh2): the
   * channel stops reading; the engine still ends the connection at the session cap and on close.
   */
  takeStream(): Duplex;
  /** Adds an informational transcript line (dir "I"). */
  note(text: string): void;
  /** Ends the connection (and frees its per-IP slot); safe to call twice. */
  close(): void;
}

export interface ProtocolOptions {
  /**
   * the name we announce (EHLO/HELO); null: the address literal of each connection's own end,
   * which a server that checks a literal against the client's address accepts
   */
  ehloName: string | null;
  /** STARTTLS when advertised, always, or never */
  starttls: "auto" | "always" | "never";
  /**
   * false: one command per round trip even when the server offers PIPELINING (RFC 2920); by
   * default HELP and QUIT go in one write to such a server when no STARTTLS follows
   */
  pipelining?: boolean;
  /** reply timeout in ms: from a command (or the connect) to the reply's last line */
  replyTimeoutMs: number;
  /** names of the probe sessions to run after the main session */
  probes: string[];
  /**
   * Chooses further probes from what the session has seen so far (adaptive identification):
   * called after the fixed probes and after each planned one; null stops. The protocol knows
   * nothing of products: the planner is handed in by the CLI (src/fingerprint/adaptive.ts).
   */
  probePlanner?: ProbePlanner;
}

/** What a probe planner sees: the record's protocol part as it stands. */
export interface PlannerView {
  protocol: string;
  smtp: ScanRecord["smtp"];
  tls: ScanRecord["tls"];
}

export type ProbePlanner = (view: PlannerView) => string | null;

export type ConnectResult = { ok: true; channel: Channel } | { ok: false; status: Status; error: string };

export interface SessionContext {
  readonly ip: string;
  readonly port: number;
  readonly options: ProtocolOptions;
  /**
   * Opens a new connection to the same (ip, port) through the engine (scope, rate, per-IP caps).
   * `stream: true` when the protocol will hand the stream to a library (takeStream); otherwise
   * the engine reads the connection into one shared buffer, which costs no allocation per read.
   */
  connect(options?: ConnectOptions): Promise<ConnectResult>;
  /** The address's reverse DNS name (cached per address; null when there is none or on timeout). */
  reverseName(): Promise<string | null>;
}

/** What a protocol session returns: the status and the record parts it filled (its own; tls too, if it did TLS). */
export interface SessionOutcome {
  status: Status;
  error: string | null;
  fields: Partial<Pick<ScanRecord, RecordPartName>>;
}

/** The parts of a record a description reads: a whole record, or a session still under way. */
export type RecordView = Pick<ScanRecord, "protocol"> & Partial<ScanRecord>;

/** Sets a named feature; null and undefined set nothing (the feature is missing, not empty). */
export type FeatureSetter = (name: string, value: string | null | undefined) => void;

/** A column a protocol adds to the run database's `records` table (docs/sqlite.md). */
export interface RecordColumn {
  name: string;
  /** SQL type */
  type: "TEXT" | "INTEGER" | "REAL";
  value(record: ScanRecord): string | number | null;
}

/** A labelled greeting as rules/examples/<protocol>/*.jsonl writes it (src/fingerprint/examples.ts). */
export interface ExampleDialogue {
  banner: string;
  ehlo?: string[];
  help?: string[];
  starttls?: string;
  quit?: string;
}

/**
 * A child table a protocol adds to the run database, one row per item of a record's part (SSH's
 * host keys, say). Its rows start with record_id, ip and port, as every child table's do.
 */
export interface RecordTable {
  name: string;
  /** the columns after record_id, ip and port: name and SQL type with constraints */
  columns: ReadonlyArray<readonly [name: string, type: string]>;
  /** columns worth an index beside record_id's */
  indexed?: readonly string[];
  /** the rows of one record, each in the order of `columns` */
  rows(record: ScanRecord): Array<Array<string | number | null>>;
}

/**
 * What a protocol family tells the rest of the house about its records, so that identification
 * (src/fingerprint) and the tables (src/store) read every protocol without naming one. smtp and
 * smtps share one description, as they share one record part.
 */
export interface ProtocolDescription {
  /** the record part the family's sessions fill */
  readonly part: RecordPartName;
  /** the `kind` a rule file gives a product that is only this family's server (docs/rules.md) */
  readonly productKind?: string;
  /** the named strings rules match against (the table in docs/rules.md), from the record */
  features(record: RecordView, set: FeatureSetter): void;
  /** the features that are the greeting: what a banner-stripped server would not show */
  readonly greetingFeatures: readonly string[];
  /** the greeting feature the hint is read from (masked, first line) */
  readonly hintFeature: string;
  /** the product word the greeting shows (src/core/hint.ts); undefined when there is no greeting */
  hint(features: ReadonlyMap<string, string>): string | null | undefined;
  /** the greeting as one text, for the `banner` column; absent when it has its own column */
  greeting?(record: ScanRecord): string | null;
  /** what the server says of itself first, as one line of the terminal summary table */
  selfDescription?(record: ScanRecord): string | null;
  /** the colour of a key shared within the family (e.g. smtp–smtp) in the report's graphs */
  readonly colour: string;
  /** colours of keys shared with another family, by that family, for the pairs a survey meets most */
  readonly pairColours?: Readonly<Record<string, string>>;
  /** the name the server gave itself in the dialogue (SMTP's EHLO reply), for `ehlo_name` */
  announcedName?(record: ScanRecord): string | null;
  /** whether a TLS upgrade was offered (STARTTLS, STLS); null when no list was read */
  upgradeOffered?(record: ScanRecord): boolean | null;
  /** a labelled greeting → this family's record part; absent: the family has no labelled greetings */
  examplePart?(example: ExampleDialogue): unknown;
  /** columns of its own in the `records` table */
  readonly columns?: readonly RecordColumn[];
  /** child tables of its own in the run database (docs/sqlite.md) */
  readonly tables?: readonly RecordTable[];
}

export interface Protocol {
  /** name as written in records' `protocol` and accepted by `-p PORT:NAME` */
  readonly name: string;
  /**
   * The protocol this one is a variant of, for everything that reads its records: smtps is SMTP
   * over TLS, so its family is "smtp" (the same rules, tallies and colours). A protocol that is
   * nobody's variant is its own family.
   */
  readonly family: string;
  readonly defaultPorts: readonly number[];
  /** what its records hold, for identification and the tables (shared within a family) */
  readonly description: ProtocolDescription;
  run(ctx: SessionContext): Promise<SessionOutcome>;
}

export type { TranscriptEntry };
