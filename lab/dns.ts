/**
 * The lab's name service: one hosts file and one resolv.conf (bind-mounted over /etc/hosts and
 * /etc/resolv.conf for every daemon), and a dnsmasq on 127.77.0.53 that answers the lab's names
 * and NXDOMAIN for everything else, so no daemon ever asks a resolver off the machine.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { hostname as machineHostname } from "node:os";
import { dirname, join } from "node:path";
import type { LabCommand, LabPaths, LabServer } from "./types.js";

export const DNS_IP = "127.77.0.53";
export const DNS_PORT = 53;
export const LAB_DOMAIN = "lab.smtpsurvey.test";
/** The machine's own name resolves here in the lab (Sendmail waits 60 s when it cannot qualify it). */
export const MACHINE_IP = "127.77.0.1";

export function machineFqdn(): string {
  const name = machineHostname();
  return name.includes(".") ? name : `${name}.${LAB_DOMAIN}`;
}

export function hostsFileText(servers: LabServer[]): string {
  const short = machineHostname().split(".")[0] ?? "localhost";
  const lines = [
    "# written by smtpsurvey's lab manager; bind-mounted over /etc/hosts inside the lab daemons",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    `${MACHINE_IP}\t${machineFqdn()} ${short}`,
    ...servers.map((s) => `${s.ip}\t${s.hostname}`),
  ];
  return `${lines.join("\n")}\n`;
}

export function resolvConfText(): string {
  return `# written by smtpsurvey's lab manager\nnameserver ${DNS_IP}\noptions timeout:1 attempts:1\n`;
}

export async function writeNameFiles(paths: LabPaths, servers: LabServer[]): Promise<void> {
  await mkdir(dirname(paths.hostsFile), { recursive: true });
  await writeFile(paths.hostsFile, hostsFileText(servers));
  await writeFile(paths.resolvConf, resolvConfText());
}

export function dnsLogFile(paths: LabPaths): string {
  return join(dirname(paths.hostsFile), "dnsmasq.log");
}

export function dnsmasqCommand(paths: LabPaths, servers: LabServer[]): LabCommand {
  const records = servers.flatMap((s) => [
    `--host-record=${s.hostname},${s.ip}`,
    `--mx-host=${s.hostname},${s.hostname},10`,
  ]);
  return {
    argv: [
      "/usr/sbin/dnsmasq",
      "-k",
      "--no-resolv",
      "--no-hosts",
      `--addn-hosts=${paths.hostsFile}`,
      // every name not listed above gets NXDOMAIN instead of being forwarded anywhere
      "--address=/#/",
      ...records,
      `--listen-address=${DNS_IP}`,
      `--port=${DNS_PORT}`,
      "--bind-interfaces",
      "--user=nobody",
      "--group=nogroup",
      "--pid-file=",
      "--log-facility=-",
      "--log-queries",
    ],
    cwd: dirname(paths.hostsFile),
  };
}
