/**
 * The name EHLO/HELO announces when --ehlo is not given. Servers reject or tarpit a bare host
 * name (Postfix's reject_non_fqdn_helo_hostname), so: the machine's FQDN when it has one, else
 * null, which tells the SMTP session to announce the address literal of each connection's own
 * end (src/protocols/smtp/ehlo-name.ts, RFC 5321 4.1.3). Only the local resolver is asked
 * (getaddrinfo/getnameinfo: /etc/hosts first), under a short timeout, so a machine with no
 * network still gets an answer at once.
 */
import { lookup, lookupService } from "node:dns/promises";
import { isIP } from "node:net";
import { hostname } from "node:os";

/** What the machine says about itself; injected by tests. */
export interface HostFacts {
  hostname(): string;
  /** the name's addresses, as the local resolver gives them */
  addressesOf(name: string): Promise<string[]>;
  /** an address's name, as the local resolver gives it */
  nameOf(address: string): Promise<string>;
}

export const LOOKUP_TIMEOUT_MS = 1000;

const systemFacts: HostFacts = {
  hostname,
  addressesOf: async (name) => (await lookup(name, { all: true })).map((a) => a.address),
  nameOf: async (address) => (await lookupService(address, 0)).hostname,
};

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A name with at least two labels that is not an address and does not call itself localhost. */
export function isFqdn(name: string): boolean {
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  if (bare.length > 253 || isIP(bare) !== 0) return false;
  const labels = bare.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  // "localhost.localdomain" and the like name every machine, so they name none
  if (labels[0]?.toLowerCase() === "localhost") return false;
  return !/^\d+$/.test(labels[labels.length - 1] ?? "");
}

async function fqdnByLookup(host: string, facts: HostFacts): Promise<string | null> {
  const addresses = await facts.addressesOf(host).catch(() => []);
  const names = await Promise.all(addresses.map((a) => facts.nameOf(a).catch(() => "")));
  const found = names.find(isFqdn);
  return found ? found.replace(/\.$/, "") : null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    // unref'd: a resolver that never answers must not keep the process alive on its own account
    const timer = setTimeout(() => resolve(null), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}

export async function defaultEhloName(
  facts: HostFacts = systemFacts,
  timeoutMs = LOOKUP_TIMEOUT_MS,
): Promise<string | null> {
  const host = facts.hostname();
  if (isFqdn(host)) return host.replace(/\.$/, "");
  return host ? await withTimeout(fqdnByLookup(host, facts), timeoutMs) : null;
}

let machineName: Promise<string | null> | undefined;

/**
 * The name announced: --ehlo's value, else this machine's FQDN (looked up once a process), else
 * null: each connection's own address literal.
 */
export function ehloName(given: string | undefined): Promise<string | null> {
  if (given !== undefined) return Promise.resolve(given);
  machineName ??= defaultEhloName();
  return machineName;
}
