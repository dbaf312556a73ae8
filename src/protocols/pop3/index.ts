/** POP3 on 110 (STLS when advertised) and POP3S on 995 (implicit TLS, the same dialogue inside). */
import type { Protocol } from "../types.js";
import { pop3Description } from "./description.js";
import { runPop3Session } from "./session.js";

export const pop3: Protocol = {
  name: "pop3",
  family: "pop3",
  description: pop3Description,
  defaultPorts: [110],
  run: (ctx) => runPop3Session(ctx, false),
};

export const pop3s: Protocol = {
  name: "pop3s",
  family: "pop3",
  description: pop3Description,
  defaultPorts: [995],
  run: (ctx) => runPop3Session(ctx, true),
};
