/** What the lab's tests need to know about the running lab. */
import { labPaths } from "../../lab/paths.js";
import { type LabManifest, readManifest } from "../../lab/state.js";

export function labManifest(): LabManifest {
  const manifest = readManifest(labPaths());
  if (!manifest) throw new Error("the lab is not running (no .lab-state/manifest.json)");
  return manifest;
}

/** Every SMTP endpoint of the lab, with its server. */
export function labSmtpEndpoints(manifest = labManifest()) {
  return manifest.servers.flatMap((server) =>
    server.endpoints
      .filter((e) => e.protocol === "smtp" || e.protocol === "smtps")
      .map((e) => ({ server, ip: server.ip, port: e.port, protocol: e.protocol })),
  );
}

/** The servers the foundation and keys issues require; a missing one fails the suite, never silently. */
export const REQUIRED_LAB_SERVERS = [
  "postfix",
  "postfix-stripped",
  "exim",
  "exim-stripped",
  "sendmail",
  "sendmail-stripped",
  "opensmtpd",
  "haraka",
  "smtp-server",
  "courier",
  "qpsmtpd",
  "aiosmtpd",
  "chasquid",
  "openssh",
  "openssh-nobanner",
  "dropbear",
  "dovecot",
  "nginx",
];
