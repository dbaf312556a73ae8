// The lab's Nodemailer smtp-server daemon: default settings (so STARTTLS uses the certificate and
// key built into the library, which every install shares), and it refuses every transaction.
// Usage: node smtp-server-main.mjs <npm-prefix> <ip> <port> <hostname>
import { createRequire } from "node:module";
import { join } from "node:path";

const [prefix, ip, port, hostname] = process.argv.slice(2);
if (!prefix || !ip || !port || !hostname) {
  process.stderr.write("usage: smtp-server-main.mjs <npm-prefix> <ip> <port> <hostname>\n");
  process.exit(2);
}

// smtp-server lives in the lab's npm prefix, not in the repository's node_modules
const { SMTPServer } = createRequire(join(prefix, "package.json"))("smtp-server");

const refuse = (what) => (_value, _session, callback) => {
  const err = new Error(`the smtpsurvey lab accepts no ${what}`);
  err.responseCode = 550;
  callback(err);
};

const server = new SMTPServer({
  name: hostname,
  authOptional: true,
  onMailFrom: refuse("mail"),
  onRcptTo: refuse("recipients"),
  onData(stream, _session, callback) {
    stream.resume();
    stream.on("end", () => refuse("data")(null, null, callback));
  },
});

server.on("error", (err) => process.stderr.write(`smtp-server: ${err.message}\n`));
server.listen(Number(port), ip, () => process.stdout.write(`smtp-server listening on ${ip}:${port}\n`));

const shutdown = () => server.close(() => process.exit(0));
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
