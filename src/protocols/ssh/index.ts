/** SSH on 22: identification, KEXINIT lists and every host key, never authenticating. */
import type { Protocol } from "../types.js";
import { sshDescription } from "./description.js";
import { runSshSession } from "./session.js";

export const ssh: Protocol = {
  name: "ssh",
  family: "ssh",
  description: sshDescription,
  defaultPorts: [22],
  run: runSshSession,
};
