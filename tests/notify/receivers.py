#!/usr/bin/env python3
"""Local receivers for the notification tests (tests/notify/): a real SMTP server and an HTTP
receiver, on loopback only, started as child processes by notify_test.cpp.

  receivers.py smtp OUT CERT KEY USER PASSWORD
      aiosmtpd (Debian python3-aiosmtpd) on 127.0.0.1, an ephemeral port, STARTTLS required with
      CERT/KEY, AUTH LOGIN/PLAIN accepted only for USER/PASSWORD after STARTTLS. Every message is
      parsed with the standard email package and appended to OUT as one JSON line: envelope
      sender and recipients, decoded Subject, decoded text body, raw headers, whether TLS was on.

  receivers.py http OUT FAIL_FIRST
      http.server on 127.0.0.1, an ephemeral port. Every POST is appended to OUT as one JSON line
      (path, headers, body). The first FAIL_FIRST requests are answered 503; later ones 200 with
      {"ok": true} (what the Telegram Bot API answers).

Each prints "PORT <n>" on stdout once listening, then serves until killed (SIGTERM).
"""
import json
import signal
import ssl
import sys
import threading


def append(out, record):
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_smtp(out, cert, key, user, password):
    import email
    import email.policy
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            raw = envelope.original_content or envelope.content
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain",))
            append(out, {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "subject": str(msg["subject"]),
                "raw_headers": raw.decode("ascii", "replace").split("\r\n\r\n", 1)[0],
                "content_type": msg.get_content_type(),
                "charset": msg.get_content_charset(),
                "transfer_encoding": str(msg["content-transfer-encoding"]),
                "body": body.get_content() if body is not None else "",
                "tls": session.ssl is not None,
                "login": bool(session.authenticated),
            })
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login or b"").decode() == user and (auth_data.password or b"").decode() == password
        return AuthResult(success=ok)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Handler(), hostname="127.0.0.1", port=0, tls_context=context,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True,
                            auth_required=bool(user))
    # aiosmtpd 1.4 has no port 0 support in Controller's readiness check: bind a free port first.
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller.port = port
    controller.start()
    print("PORT", port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


def run_http(out, fail_first):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    lock = threading.Lock()
    seen = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            with lock:
                seen[0] += 1
                n = seen[0]
                append(out, {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                             "body": body, "n": n})
            if n <= fail_first:
                self.send_response(503)
                payload = b'{"ok":false,"description":"try later"}'
            else:
                self.send_response(200)
                payload = b'{"ok":true,"result":{}}'
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT", server.server_address[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "smtp":
        run_smtp(*sys.argv[2:7])
    elif sys.argv[1] == "http":
        run_http(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: receivers.py smtp|http ...")
