/** SSH on 22: identification, KEXINIT lists and every host key, never authenticating. */
import type { Protocol } from "../types.js";
import { runSshSession } from "./session.js";

export const ssh: Protocol = {
  name: "ssh",
  family: "ssh",
  defaultPorts: [22],
  run: runSshSession,
};
