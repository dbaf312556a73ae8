/**
 * A private PostgreSQL cluster for a test file or a benchmark (lab/: real servers for tests and benchmarks): initdb into a temporary directory (as the
 * `postgres` user when the tests run as root, since PostgreSQL refuses to run as root),
 * listening on 127.0.0.1 on a free port with trust authentication, fsync off (a test's data
 * need not survive a power cut). Stopped by the postmaster's PID, read from its own pid file.
 * Needs Debian's `postgresql` package (scripts/setup.sh installs it); no running server is used.
 */
import { execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

export interface TestPostgres {
  /** postgres://smtpsurvey@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** the postmaster's PID */
  pid: number;
  stop(): Promise<void>;
}

/** The newest installed server's bin directory (Debian keeps them in /usr/lib/postgresql/N/bin). */
export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error("PostgreSQL is not installed: apt-get install postgresql (scripts/setup.sh does)");
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "smtpsurvey-pg-"));
  const data = join(dir, "data");
  // as root, the cluster belongs to `postgres`; `runuser` comes with util-linux
  const run = (command: string, args: string[]) =>
    asRoot ? { command: "runuser", args: ["-u", "postgres", "--", command, ...args] } : { command, args };
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const init = run(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "smtpsurvey",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  execFileSync(init.command, init.args, { stdio: ["ignore", "ignore", "pipe"] });
  const port = await freePort();
  const serve = run(join(bin, "postgres"), [
    "-D",
    data,
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
  ]);
  const child = spawn(serve.command, serve.args, { stdio: ["ignore", "ignore", "pipe"], detached: false });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const url = `postgres://smtpsurvey@127.0.0.1:${port}/postgres`;
  const pidFile = join(data, "postmaster.pid");
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${stderr.slice(-2000)}`);
    if (existsSync(pidFile)) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        break;
      } catch {
        await client.end().catch(() => {});
      }
    }
    if (attempt > 200) throw new Error(`postgres did not come up on port ${port}: ${stderr.slice(-2000)}`);
    await sleep(50);
  }
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    pid,
    stop: () => {
      stopped ??= (async () => {
        // SIGINT: PostgreSQL's "fast" shutdown (ends sessions, no waiting for clients)
        try {
          process.kill(pid, "SIGINT");
        } catch {
          // already gone
        }
        for (let i = 0; i < 200 && existsSync(pidFile); i++) await sleep(50);
        if (existsSync(pidFile)) process.kill(pid, "SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
