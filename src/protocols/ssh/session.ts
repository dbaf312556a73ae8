/**
 * The SSH session: one handshake for the identification, the KEXINIT lists and a first key, then
 * one handshake for each other key family the server offers, so that every host key is fetched
 * (a plain handshake shows one key only: zgrab2 records OpenSSH's Ed25519 key and nothing else).
 *
 * Handshakes run one after another, through the engine's per-IP caps: each is a new connection
 * that ends before authentication, which OpenSSH ≥ 9.8 holds against the source
 * (PerSourcePenalties: 1 s per such connection, enforced from 15 s); a handful in a row stays
 * below that, and none of our servers' answers depend on going faster.
 */
import type { ServerHostKeyAlgorithm } from "ssh2";
import { describeSshKey } from "../keys/ssh-key.js";
import type { SshHostKey, SshRecord } from "../record.js";
import type { SessionContext, SessionOutcome } from "../types.js";
import { ALL_HOST_KEY_ALGORITHMS, type KeyFamily, negotiate, offeredFamilies } from "./families.js";
import { type HandshakeResult, sshHandshake } from "./handshake.js";

export async function runSshSession(ctx: SessionContext): Promise<SessionOutcome> {
  const first = await sshHandshake(ctx, ALL_HOST_KEY_ALGORITHMS);
  // nothing SSH came back (no connection, silence, another protocol): no `ssh` part at all
  if (first.ident === null) return { status: first.status, error: first.error, fields: {} };
  const ssh: SshRecord = { banner: first.ident, kex: first.kex, host_keys: [], errors: [] };
  if (first.kex) await fetchEveryKey(ctx, ssh, first.kex.host_key, first);
  return { status: first.status, error: first.error, fields: { ssh } };
}

async function fetchEveryKey(
  ctx: SessionContext,
  ssh: SshRecord,
  offered: readonly string[],
  first: HandshakeResult,
): Promise<void> {
  const { families, unsupported } = offeredFamilies(offered);
  // the first handshake offered everything: negotiation gave it the best family the server has
  const firstAlgorithm = negotiate(ALL_HOST_KEY_ALGORITHMS, offered);
  /** set when a connection failed outright or stalled: the server is gone or hostile, stop knocking */
  let abandoned: string | null = first.timedOut ? "the first handshake timed out" : null;
  for (const family of families) {
    let remaining = [...family.algorithms];
    if (firstAlgorithm && remaining.includes(firstAlgorithm)) {
      if (first.key) {
        addKey(ssh, first.key.blob, first.key.algorithm);
        continue;
      }
      ssh.errors.push({ algorithm: firstAlgorithm, error: first.keyError ?? "no host key" });
      remaining = remaining.filter((a) => a !== firstAlgorithm);
    }
    abandoned = await fetchFamily(ctx, ssh, family, remaining, offered, abandoned);
  }
  for (const algorithm of unsupported) {
    ssh.errors.push({ algorithm, error: "not supported by smtpsurvey's SSH library (ssh2)" });
  }
}

/** Tries a family's algorithms best first until one gives its key; returns why to stop, if so. */
async function fetchFamily(
  ctx: SessionContext,
  ssh: SshRecord,
  family: KeyFamily,
  algorithms: ServerHostKeyAlgorithm[],
  offered: readonly string[],
  abandoned: string | null,
): Promise<string | null> {
  let remaining = algorithms;
  while (remaining.length > 0) {
    const tried = negotiate(remaining, offered) ?? (remaining[0] as ServerHostKeyAlgorithm);
    if (abandoned) {
      ssh.errors.push({ algorithm: tried, error: `not tried: ${abandoned}` });
      return abandoned;
    }
    const result = await sshHandshake(ctx, remaining);
    if (result.key) {
      addKey(ssh, result.key.blob, result.key.algorithm);
      return null;
    }
    ssh.errors.push({ algorithm: tried, error: result.keyError ?? result.error ?? "no host key" });
    // no KEXINIT this time: not a key problem but a connection one (refused, timeout, reset)
    if (!result.kex) return `an earlier ${family.name} handshake failed (${result.error ?? result.status})`;
    // a stalled key exchange: each further try would cost a whole reply timeout again
    if (result.timedOut) return `an earlier ${family.name} handshake timed out`;
    remaining = remaining.filter((a) => a !== tried);
  }
  return abandoned;
}

function addKey(ssh: SshRecord, blob: Buffer, algorithm: string): void {
  let identity: ReturnType<typeof describeSshKey>;
  try {
    identity = describeSshKey(blob);
  } catch (failure) {
    ssh.errors.push({ algorithm, error: `unreadable host key: ${(failure as Error).message}` });
    return;
  }
  const key: SshHostKey = { ...identity, algorithm, blob: blob.toString("base64") };
  ssh.host_keys.push(key);
}
