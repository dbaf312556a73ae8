/** HTTP on 80 (plain) and HTTPS on 443 (implicit TLS): one HEAD / each. */
import type { Protocol } from "../types.js";
import { httpDescription } from "./description.js";
import { runHttpSession } from "./session.js";

export const http: Protocol = {
  name: "http",
  family: "http",
  description: httpDescription,
  defaultPorts: [80],
  run: (ctx) => runHttpSession(ctx, false),
};

export const https: Protocol = {
  name: "https",
  family: "http",
  description: httpDescription,
  defaultPorts: [443],
  run: (ctx) => runHttpSession(ctx, true),
};
