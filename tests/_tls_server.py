# A TLS test server on 127.0.0.1 (python's ssl module, i.e. OpenSSL): optionally limited to
# one TLS version, with per-name certificates chosen by SNI, and optionally asking for a client
# certificate. Every request gets one HTTP/1.1 answer whose body says what the server saw:
#   sni=<name or -> version=<TLSv1.x> cipher=<suite> client=<client CN or -> path=<path>
# Prints the port on stdout, then serves until killed.
#
# usage: _tls_server.py CERT KEY [--min 1.2|1.3] [--max 1.2|1.3] [--sni NAME=CERT,KEY]...
#                        [--client-ca CA]

import argparse
import socket
import ssl
import sys
import threading

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def context(cert, key, args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if args.min:
        ctx.minimum_version = VERSIONS[args.min]
    if args.max:
        ctx.maximum_version = VERSIONS[args.max]
    if args.client_ca:
        ctx.load_verify_locations(args.client_ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cert")
    parser.add_argument("key")
    parser.add_argument("--min")
    parser.add_argument("--max")
    parser.add_argument("--sni", action="append", default=[])
    parser.add_argument("--client-ca")
    args = parser.parse_args()

    default = context(args.cert, args.key, args)
    by_name = {}
    for entry in args.sni:
        name, files = entry.split("=", 1)
        cert, key = files.split(",", 1)
        by_name[name] = context(cert, key, args)

    def on_sni(sock, name, _ctx):
        sock.seen_name = name
        if name in by_name:
            sock.context = by_name[name]

    default.sni_callback = on_sni
    for ctx in by_name.values():
        ctx.sni_callback = on_sni

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(default, conn), daemon=True).start()


def serve(ctx, conn):
    try:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = tls.recv(4096)
                if not chunk:
                    return
                head += chunk
            path = head.split(b" ", 2)[1].decode("latin-1")
            peer = tls.getpeercert()
            client = "-"
            if peer:
                for rdn in peer.get("subject", ()):
                    for key, value in rdn:
                        if key == "commonName":
                            client = value
            body = "sni=%s version=%s cipher=%s client=%s path=%s\n" % (
                getattr(tls, "seen_name", None) or "-",
                tls.version(),
                tls.cipher()[0],
                client,
                path,
            )
            data = body.encode()
            tls.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                + b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data
            )
    except (ssl.SSLError, OSError):
        pass
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
