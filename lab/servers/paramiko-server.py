"""Paramiko server for the smtpsurvey lab: listens on one address, lets nobody in.

argv: ip port hostkey...  One thread per connection; public-key auth is advertised and every
key is refused; no channel is ever opened.
"""
import socket
import sys
import threading

import paramiko


class NobodyServer(paramiko.ServerInterface):
    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        return paramiko.AUTH_FAILED

    def check_auth_password(self, username, password):
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


def load_key(path):
    for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return cls.from_private_key_file(path)
        except Exception:
            continue
    raise SystemExit(f"cannot read host key {path}")


def serve(conn, keys):
    transport = paramiko.Transport(conn)
    try:
        for key in keys:
            transport.add_server_key(key)
        transport.start_server(server=NobodyServer())
        transport.join(60)
    except Exception:
        pass
    finally:
        transport.close()


def main():
    ip, port = sys.argv[1], int(sys.argv[2])
    keys = [load_key(path) for path in sys.argv[3:]]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((ip, port))
    listener.listen(64)
    print(f"paramiko {paramiko.__version__} listening on {ip}:{port}", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, keys), daemon=True).start()


main()
