#!/usr/bin/env python3
"""Records what the local test servers send over RFC 7395 WebSocket, as transcripts for
Tests/XMPPClientTests/WebSocket (stdlib only; run with the servers up: `scripts/servers start`).

    python3 Fixtures/websocket/record.py            # rewrites prosody.txt and ejabberd.txt here

Each transcript: the server's upgrade response headers (`H: name: value`, Date dropped), then one
line per WebSocket message in order: `C: <xml>` sent, `S: <xml>` received, `S: [close CODE]` for a
Close frame. The exchange: `<open/>`, the features before authentication, then `<close/>` and the
closing handshake (and whether the server then closes TCP). Prosody's header order varies from run
to run (a Lua table).
Volatile values (stream ids, dates) are replaced with fixed ones so the files stay stable.
"""
import base64
import os
import re
import socket
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def env():
    out = subprocess.run([os.path.join(ROOT, "scripts/servers"), "env"], check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def package_version(name):
    result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
    return result.stdout.strip() or "unknown version"


def send_text(sock, text):
    payload = text.encode()
    mask = os.urandom(4)
    header = bytes([0x81])
    n = len(payload)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack("!Q", n)
    sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def send_close(sock, code=1000):
    payload = struct.pack("!H", code)
    mask = os.urandom(4)
    sock.sendall(bytes([0x88, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def take(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        b0, b1 = self.take(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.take(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.take(8))[0]
        return b0 & 0x0F, self.take(n)

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head.decode()


def normalise(xml):
    return re.sub(r"(\bid=['\"])[^'\"]+", r"\1STREAM-ID", xml)


def record(name, url, domain):
    m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
    host, port, path = m.group(1), int(m.group(2)), m.group(3)
    sock = socket.create_connection((host, port), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: xmpp\r\n\r\n").encode())
    reader = Reader(sock)
    lines = [f"# {name} {package_version(name)} (Debian 12 package) over RFC 7395 WebSocket at {url}, recorded by record.py"]
    for header in reader.head().split("\r\n"):
        if header.lower().startswith(("date:", "sec-websocket-accept:")):
            continue
        lines.append("H: " + header)

    def expect_message():
        while True:
            opcode, payload = reader.frame()
            if opcode == 0x1:
                text = normalise(payload.decode())
                lines.append("S: " + text)
                return text
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                lines.append(f"S: [close {code}]")
                return None
            lines.append(f"S: [opcode {opcode}]")

    def client(text):
        lines.append("C: " + text)
        send_text(sock, text)

    client(f'<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="{domain}" version="1.0" xml:lang="en"/>')
    expect_message()  # <open/>
    expect_message()  # <features/>
    client('<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>')
    try:
        while expect_message() is not None:
            pass
        lines.append("C: [close 1000]")
        send_close(sock)
        sock.settimeout(2)
        rest = sock.recv(1)
        lines.append("S: [TCP closed]" if not rest else "S: [more bytes]")
    except (EOFError, ConnectionResetError):
        lines.append("S: [TCP closed]")
    except socket.timeout:
        lines.append("S: [no TCP close within 2 s]")
    sock.close()
    with open(os.path.join(HERE, f"{name}.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    values = env()
    record("prosody", values["PROSODY_WS_URL"], values["PROSODY_DOMAIN"])
    record("ejabberd", values["EJABBERD_WS_URL"], values["EJABBERD_DOMAIN"])


if __name__ == "__main__":
    sys.exit(main())
