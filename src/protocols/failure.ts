/**
 * How a failed read becomes a record's status, for every line-based protocol. Each protocol
 * throws ProtocolMismatch for a line its grammar does not allow; channel failures map the same
 * way everywhere, split by whether the server's first words (the greeting) had arrived.
 */
import { ChannelError, type Status } from "../core/status.js";

/** A line that does not follow the protocol's grammar (an HTTP reply on an IMAP port, …). */
export class ProtocolMismatch extends Error {
  constructor(
    readonly protocol: string,
    readonly raw: string,
  ) {
    super(`not a ${protocol} reply: ${raw.slice(0, 200)}`);
    this.name = "ProtocolMismatch";
  }
}

/** greeting: nothing valid has arrived yet; dialogue: the server has spoken its protocol. */
export type Phase = "greeting" | "dialogue";

/** The status for a channel failure in a phase. */
export function channelFailureStatus(error: ChannelError, phase: Phase): Status {
  switch (error.failure) {
    case "timeout":
      return phase === "greeting" ? "banner-timeout" : "reply-timeout";
    case "session-timeout":
      return "session-timeout";
    case "closed":
      return phase === "greeting" ? "closed-before-banner" : "closed";
    case "reset":
      return "reset";
    case "too-long":
      return "too-long";
  }
}

/**
 * Turns what a session threw into a status; bugs (anything else) are re-thrown. A reply that is
 * not the protocol is `protocol-error` in either phase: `not-smtp` stays SMTP's own word.
 */
export function classifyFailure(error: unknown, phase: Phase): { status: Status; error: string } {
  if (error instanceof ProtocolMismatch) return { status: "protocol-error", error: error.message };
  if (error instanceof ChannelError)
    return { status: channelFailureStatus(error, phase), error: error.message };
  throw error;
}
