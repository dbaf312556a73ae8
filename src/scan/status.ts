/**
 * Every record carries exactly one status. The names are a public contract (docs/records.md).
 * `session-timeout` is ours in addition to the list: the whole-session cap was hit.
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
  "not-smtp",
  "rejected",
  "too-long",
  "out-of-scope",
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
