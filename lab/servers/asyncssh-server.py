"""AsyncSSH server for the smtpsurvey lab: listens on one address, lets nobody in.

argv: ip port hostkey...  No auth method is offered that can succeed: public-key auth is
advertised, and every key is refused; passwords and keyboard-interactive are off.
"""
import asyncio
import sys

import asyncssh


class NobodyServer(asyncssh.SSHServer):
    def begin_auth(self, username):
        return True

    def public_key_auth_supported(self):
        return True

    def validate_public_key(self, username, key):
        return False

    def password_auth_supported(self):
        return False


async def main():
    ip, port, keys = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    await asyncssh.listen(ip, port, server_host_keys=keys, server_factory=NobodyServer)
    print(f"asyncssh {asyncssh.__version__} listening on {ip}:{port}", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
