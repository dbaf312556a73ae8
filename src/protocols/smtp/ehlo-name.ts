/**
 * The name a session announces in EHLO/HELO: the one it was given, else the address literal of
 * its own end of the connection (RFC 5321 4.1.3). The literal is per connection because strict
 * servers (qpsmtpd's helo checks, Postfix's reject_unknown_helo_hostname family) compare it with
 * the client's address, and a machine's "first interface" is not the one a connection leaves by.
 */
import { isIPv6 } from "node:net";
import type { Channel, ProtocolOptions } from "../types.js";

export function addressLiteral(address: string): string {
  const bare = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (bare === "") return "[127.0.0.1]";
  return isIPv6(bare) ? `[IPv6:${bare}]` : `[${bare}]`;
}

export function announcedName(options: ProtocolOptions, channel: Channel): string {
  return options.ehloName ?? addressLiteral(channel.localAddress());
}
