/**
 * zgrab2's status of one module's grab (scanners.md §1.2) → ours. zgrab2's classes are coarser
 * (every dial failure is `connection-timeout`, a bare EOF is `io-timeout`), so its error text,
 * which keeps the Go error, decides where it names the cause; the original status is always kept
 * at the head of `error`, so nothing is lost in the mapping.
 */
import type { Status } from "../core/status.js";

export interface Zgrab2Outcome {
  status: Status;
  error: string | null;
}

/** `got` says what the result holds: a greeting (or identification) and whether anything came at all */
export function statusOfZgrab2(
  zstatus: string,
  error: string | null,
  got: { greeting: boolean },
): Zgrab2Outcome {
  const detail = error ? `zgrab2 ${zstatus}: ${error}` : `zgrab2 ${zstatus}`;
  const text = (error ?? "").toLowerCase();
  const failed = (status: Status): Zgrab2Outcome => ({ status, error: detail });
  switch (zstatus) {
    case "success":
      return { status: "ok", error: null };
    case "connection-refused":
      return failed("refused");
    case "connection-timeout":
      return failed(dialFailure(text));
    case "connection-closed":
      return failed(got.greeting ? "closed" : "closed-before-banner");
    case "io-timeout":
      if (text.includes("reset by peer")) return failed("reset");
      if (/\beof\b/.test(text) || text.includes("closed"))
        return failed(got.greeting ? "closed" : "closed-before-banner");
      return failed(got.greeting ? "reply-timeout" : "banner-timeout");
    case "protocol-error":
      return failed(got.greeting ? "protocol-error" : "not-smtp");
    case "application-error":
      return failed("rejected");
    case "handshake-error":
      // a TLS handshake after a dialogue keeps the dialogue (ours: TLS problems leave `ok`); an
      // SSH or implicit-TLS handshake that failed left nothing to read
      return got.greeting ? { status: "ok", error: null } : failed("protocol-error");
    case "post-tls-application-error":
      return failed("protocol-error");
    case "blocklisted-target":
      return failed("out-of-scope");
    default:
      // unknown-error, invalid-inputs and statuses newer than this mapping
      return failed("unclassified");
  }
}

/** Go's dial errors, as zgrab2 keeps them in `error`: "dial tcp …: connect: connection refused" */
function dialFailure(text: string): Status {
  if (text.includes("connection refused")) return "refused";
  if (text.includes("no route to host") || text.includes("host is down")) return "host-unreachable";
  if (text.includes("network is unreachable")) return "network-unreachable";
  if (text.includes("reset by peer")) return "reset";
  return "connect-timeout";
}
