/**
 * Every record carries exactly one status. The names are a public contract (docs/records.md).
 * Ours in addition to the list: `session-timeout` (the whole-session cap was hit),
 * `closed` (the server hung up after its greeting, mid-dialogue), `protocol-error` (a reply after a
 * valid greeting was not SMTP), `internal-error` (a bug of ours: the detail is in `error`),
 * `unclassified` (an imported record whose tool kept a failure but no class we can map).
 */
export const STATUSES = [
  "ok",
  "refused",
  "connect-timeout",
  "host-unreachable",
  "network-unreachable",
  "closed-before-banner",
  "banner-timeout",
  "reply-timeout",
  "session-timeout",
  "reset",
  "closed",
  "not-smtp",
  "protocol-error",
  "rejected",
  "too-long",
  "out-of-scope",
  "internal-error",
  "unclassified",
] as const;

export type Status = (typeof STATUSES)[number];

/** Failures a channel reports while reading or writing; protocols turn them into a Status. */
export type ChannelFailure = "timeout" | "session-timeout" | "closed" | "reset" | "too-long";

export class ChannelError extends Error {
  constructor(
    readonly failure: ChannelFailure,
    message: string,
  ) {
    super(message);
    this.name = "ChannelError";
  }
}

/** Connect failures as statuses; anything unforeseen is kept in `error` with the nearest class. */
export function statusForConnectError(code: string | undefined): Status {
  switch (code) {
    case "ECONNREFUSED":
      return "refused";
    case "ETIMEDOUT":
    case "ECONNTIMEOUT":
      return "connect-timeout";
    case "EHOSTUNREACH":
    case "EHOSTDOWN":
      return "host-unreachable";
    case "ENETUNREACH":
    case "ENETDOWN":
    case "EADDRNOTAVAIL":
      return "network-unreachable";
    case "ECONNRESET":
    case "EPIPE":
      return "reset";
    default:
      return "network-unreachable";
  }
}
