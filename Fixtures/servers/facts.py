#!/usr/bin/env python3
"""Measure what the local test servers really offer (Python 3 stdlib only).

    scripts/servers start >/dev/null && python3 Fixtures/servers/facts.py [prosody|ejabberd]

Reads the NAME=value lines of `scripts/servers env` (from the environment or from
$XMPPKIT_SERVERS_DIR/env) and prints one line per fact: stream features before and after TLS
(STARTTLS on TLS 1.2 and 1.3, direct TLS), SASL mechanisms and XEP-0440 channel-binding types,
compression, in-band registration, SCRAM logins (with tls-unique for -PLUS), a registration /
password change / removal round trip, disco features and XEP-0157 addresses, an XEP-0363 upload
round trip and the RFC 7395 WebSocket endpoint. Exits non-zero if a check that the tests rely
on fails. Re-run it when a server package changes and update README.md.
"""
import base64, hashlib, hmac, os, secrets, socket, ssl, struct, sys, urllib.request
import xml.etree.ElementTree as ET

NS = {
    "stream": "http://etherx.jabber.org/streams",
    "tls": "urn:ietf:params:xml:ns:xmpp-tls",
    "sasl": "urn:ietf:params:xml:ns:xmpp-sasl",
    "cb": "urn:xmpp:sasl-cb:0",
    "compress": "http://jabber.org/features/compress",
    "compress_p": "http://jabber.org/protocol/compress",
    "register_f": "http://jabber.org/features/iq-register",
    "register": "jabber:iq:register",
    "bind": "urn:ietf:params:xml:ns:xmpp-bind",
    "disco_info": "http://jabber.org/protocol/disco#info",
    "disco_items": "http://jabber.org/protocol/disco#items",
    "data": "jabber:x:data",
    "upload": "urn:xmpp:http:upload:0",
    "framing": "urn:ietf:params:xml:ns:xmpp-framing",
}
FAILED = []


def q(ns, name):
    return "{%s}%s" % (NS[ns], name)


def short(tag):
    ns, _, name = tag[1:].partition("}")
    return "%s(%s)" % (name, ns)


def report(key, value):
    print("%-52s %s" % (key, value), flush=True)


def check(key, ok, detail=""):
    report(key, ("ok " if ok else "FAIL ") + detail)
    if not ok:
        FAILED.append(key)


def load_env():
    values = {}
    path = os.path.join(os.environ.get("XMPPKIT_SERVERS_DIR", "/tmp/xmppkit-servers"), "env")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.strip().partition("=")
            values[k] = v.strip("'\"")
    for k, v in os.environ.items():
        if k.startswith(("PROSODY_", "EJABBERD_")) or k == "CA_FILE":
            values[k] = v
    return values


class XMPP:
    """A tiny blocking XMPP stream over a socket; enough to observe a server."""

    def __init__(self, host, port, domain, ca, direct_tls=False, tls_version=None):
        self.domain, self.ca, self.tls_version = domain, ca, tls_version
        self.sock = socket.create_connection((host, port), timeout=10)
        if direct_tls:
            self._wrap()
        self.open()

    def context(self):
        ctx = ssl.create_default_context(cafile=self.ca)
        if self.tls_version == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        elif self.tls_version == "1.3":
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        return ctx

    def _wrap(self):
        self.sock = self.context().wrap_socket(self.sock, server_hostname=self.domain)

    def open(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.send("<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' "
                  "xmlns:stream='%s' version='1.0'>" % (self.domain, NS["stream"]))
        self.features = self.next()
        assert self.features.tag == q("stream", "features"), short(self.features.tag)
        return self.features

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def next(self):
        while True:
            for event, el in self.parser.read_events():
                if event == "start":
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == 1:
                        return el
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("stream closed")
            self.parser.feed(data)

    def starttls(self):
        self.send("<starttls xmlns='%s'/>" % NS["tls"])
        el = self.next()
        assert el.tag == q("tls", "proceed"), short(el.tag)
        self._wrap()
        return self.open()

    @property
    def tls(self):
        return self.sock.version() if isinstance(self.sock, ssl.SSLSocket) else "none"

    def iq(self, type_, payload, to=None):
        ident = secrets.token_hex(4)
        self.send("<iq type='%s' id='%s'%s>%s</iq>" % (type_, ident, " to='%s'" % to if to else "", payload))
        while True:
            el = self.next()
            if el.tag == "{jabber:client}iq" and el.get("id") == ident:
                return el

    def close(self):
        try:
            self.send("</stream:stream>")
            self.sock.close()
        except OSError:
            pass


def features_summary(f):
    out = {}
    mechs = f.find(q("sasl", "mechanisms"))
    out["mechanisms"] = [m.text for m in mechs.findall(q("sasl", "mechanism"))] if mechs is not None else []
    cb = f.find(q("cb", "sasl-channel-binding"))
    out["channel-binding"] = [c.get("type") for c in cb] if cb is not None else None
    comp = f.find(q("compress", "compression"))
    out["compression"] = [m.text for m in comp] if comp is not None else []
    out["register"] = f.find(q("register_f", "register")) is not None
    tls = f.find(q("tls", "starttls"))
    out["starttls"] = None if tls is None else ("required" if tls.find(q("tls", "required")) is not None else "optional")
    out["other"] = sorted(short(c.tag) for c in f if c.tag not in (
        q("sasl", "mechanisms"), q("cb", "sasl-channel-binding"), q("compress", "compression"),
        q("register_f", "register"), q("tls", "starttls")))
    return out


def fmt(s):
    parts = ["SASL=" + (",".join(s["mechanisms"]) or "-")]
    parts.append("cb=" + (",".join(s["channel-binding"]) if s["channel-binding"] is not None else "(no XEP-0440)"))
    parts.append("compression=" + (",".join(s["compression"]) or "-"))
    parts.append("register=" + ("yes" if s["register"] else "no"))
    if s["starttls"]:
        parts.append("starttls=" + s["starttls"])
    if s["other"]:
        parts.append("other=" + " ".join(s["other"]))
    return " ".join(parts)


def b64(b):
    return base64.b64encode(b if isinstance(b, bytes) else b.encode()).decode()


def auth_plain(x, user, password):
    x.send("<auth xmlns='%s' mechanism='PLAIN'>%s</auth>" % (NS["sasl"], b64("\0%s\0%s" % (user, password))))
    return x.next().tag == q("sasl", "success")


def auth_scram(x, mech, user, password):
    """RFC 5802 / 7677; -PLUS binds with tls-unique. Returns (ok, detail)."""
    base = mech.replace("-PLUS", "")
    hname = {"SCRAM-SHA-1": "sha1", "SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}[base]
    cb_data = b""
    if mech.endswith("-PLUS"):
        gs2 = "p=tls-unique,,"
        cb_data = x.sock.get_channel_binding("tls-unique") or b""
    else:
        gs2 = "n,,"
    nonce = secrets.token_urlsafe(18)
    first_bare = "n=%s,r=%s" % (user, nonce)
    x.send("<auth xmlns='%s' mechanism='%s'>%s</auth>" % (NS["sasl"], mech, b64(gs2 + first_bare)))
    el = x.next()
    if el.tag != q("sasl", "challenge"):
        return False, "no challenge: " + short(el.tag) + " " + "".join(c.tag.split("}")[1] for c in el)
    server_first = base64.b64decode(el.text).decode()
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    without_proof = "c=%s,r=%s" % (b64(gs2.encode() + cb_data), attrs["r"])
    salted = hashlib.pbkdf2_hmac(hname, password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", hname).digest()
    auth_msg = ",".join([first_bare, server_first, without_proof]).encode()
    sig = hmac.new(hashlib.new(hname, client_key).digest(), auth_msg, hname).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, sig))
    x.send("<response xmlns='%s'>%s</response>" % (NS["sasl"], b64(without_proof + ",p=" + b64(proof))))
    el = x.next()
    if el.tag != q("sasl", "success"):
        return False, "failure: " + ",".join(c.tag.split("}")[1] for c in el)
    v = dict(kv.split("=", 1) for kv in base64.b64decode(el.text or "").decode().split(","))
    expect = hmac.new(hmac.new(salted, b"Server Key", hname).digest(), auth_msg, hname).digest()
    return v.get("v") == b64(expect), "i=%s" % attrs["i"]


def bind(x):
    x.open()
    res = x.iq("set", "<bind xmlns='%s'><resource>facts</resource></bind>" % NS["bind"])
    return res.get("type") == "result"


def login(env, p, user, password, tls_version="1.3"):
    x = XMPP(env[p + "_HOST"], int(env[p + "_PORT"]), env[p + "_DOMAIN"], env["CA_FILE"], tls_version=tls_version)
    x.starttls()
    if not auth_plain(x, user, password):
        raise RuntimeError("PLAIN login failed for %s" % user)
    bind(x)
    return x


# ------------------------------------------------------------------ checks

def streams(env, p):
    host, port, tls_port, domain, ca = (env[p + "_HOST"], int(env[p + "_PORT"]), int(env[p + "_TLS_PORT"]),
                                        env[p + "_DOMAIN"], env["CA_FILE"])
    user = env[p + "_USER_JID"].split("@")[0]
    password = env[p + "_PASSWORD"]
    x = XMPP(host, port, domain, ca)
    report("%s starttls port %d, before TLS" % (p, port), fmt(features_summary(x.features)))
    x.close()
    for v in ("1.2", "1.3"):
        for how, prt in (("starttls", port), ("direct-tls", tls_port)):
            x = XMPP(host, prt, domain, ca, direct_tls=(how == "direct-tls"), tls_version=v)
            f = x.starttls() if how == "starttls" else x.features
            s = features_summary(f)
            report("%s %s %d, %s" % (p, how, prt, x.tls), fmt(s))
            x.close()
            if how == "direct-tls":
                continue
            for mech in s["mechanisms"]:
                if not mech.startswith("SCRAM"):
                    continue
                x = XMPP(host, prt, domain, ca, tls_version=v)
                x.starttls()
                ok, detail = auth_scram(x, mech, user, password)
                check("%s login %s on %s" % (p, mech, x.tls), ok, detail)
                x.close()
    x = XMPP(host, port, domain, ca, tls_version="1.3")
    x.starttls()
    check("%s login PLAIN on TLS" % p, auth_plain(x, user, password))
    x.open()
    report("%s features after SASL" % p, fmt(features_summary(x.features)))
    x.close()


def extra_host(env, p, key):
    """A second vhost on the same ports: what it offers, and a SCRAM login with each of its
    mechanisms, for an account made there by in-band registration."""
    domain = env.get(key)
    if not domain:
        return
    host, port, ca = env[p + "_HOST"], int(env[p + "_PORT"]), env["CA_FILE"]
    mechs = {}
    for v in ("1.2", "1.3"):
        x = XMPP(host, port, domain, ca, tls_version=v)
        s = features_summary(x.starttls())
        mechs[v] = s["mechanisms"]
        report("%s %s on %s" % (p, domain, x.tls), fmt(s))
        x.close()
    user, pw = "x-" + secrets.token_hex(4), secrets.token_hex(12)
    x = XMPP(host, port, domain, ca, tls_version="1.3")
    x.starttls()
    r = x.iq("set", "<query xmlns='%s'><username>%s</username><password>%s</password></query>" % (NS["register"], user, pw))
    x.close()
    check("%s %s in-band registration" % (p, domain), r.get("type") == "result", user)
    for v in ("1.2", "1.3"):
        for mech in mechs[v]:
            if not mech.startswith("SCRAM"):
                continue
            x = XMPP(host, port, domain, ca, tls_version=v)
            x.starttls()
            ok, detail = auth_scram(x, mech, user, pw)
            check("%s %s login %s on %s" % (p, domain, mech, x.tls), ok, detail)
            x.close()


def registration(env, p):
    host, port, domain, ca = env[p + "_HOST"], int(env[p + "_PORT"]), env[p + "_DOMAIN"], env["CA_FILE"]
    for round_ in (1, 2):
        user, pw = "reg-%s" % secrets.token_hex(4), secrets.token_hex(12)
        x = XMPP(host, port, domain, ca, tls_version="1.3")
        x.starttls()
        form = x.iq("get", "<query xmlns='%s'/>" % NS["register"])
        fields = [short(c.tag).split("(")[0] for c in form.find(q("register", "query"))] if form.get("type") == "result" else []
        if round_ == 1:
            report("%s register form" % p, " ".join(fields))
        r = x.iq("set", "<query xmlns='%s'><username>%s</username><password>%s</password></query>" % (NS["register"], user, pw))
        check("%s in-band registration #%d" % (p, round_), r.get("type") == "result", user)
        x.close()
        if r.get("type") != "result":
            continue
        # password change, then removal, each as the logged-in user
        x = login(env, p, user, pw)
        pw2 = secrets.token_hex(12)
        r = x.iq("set", "<query xmlns='%s'><username>%s</username><password>%s</password></query>" % (NS["register"], user, pw2))
        check("%s password change #%d" % (p, round_), r.get("type") == "result")
        x.close()
        x = login(env, p, user, pw2)
        r = x.iq("set", "<query xmlns='%s'><remove/></query>" % NS["register"])
        check("%s account removal #%d" % (p, round_), r.get("type") == "result")
        x.close()
        try:
            x = XMPP(host, port, domain, ca, tls_version="1.3")
            x.starttls()
            check("%s removed account cannot log in #%d" % (p, round_), not auth_plain(x, user, pw2))
            x.close()
        except EOFError:
            check("%s removed account cannot log in #%d" % (p, round_), True, "(stream closed)")


def disco_and_upload(env, p):
    jid, pw = env[p + "_USER_JID"], env[p + "_PASSWORD"]
    domain = env[p + "_DOMAIN"]
    x = login(env, p, jid.split("@")[0], pw)
    info = x.iq("get", "<query xmlns='%s'/>" % NS["disco_info"], to=domain)
    query = info.find(q("disco_info", "query"))
    feats = sorted(f.get("var") for f in query.findall(q("disco_info", "feature")))
    interesting = ["jabber:iq:register", "urn:xmpp:blocking", "jabber:iq:privacy", "jabber:iq:last",
                   "vcard-temp", "urn:xmpp:ping", "urn:xmpp:carbons:2", "urn:xmpp:mam:2", "jabber:iq:version",
                   "urn:xmpp:time", "urn:xmpp:reporting:1", "urn:xmpp:reporting:reason:spam:0",
                   "jabber:iq:private", "msgoffline", "urn:xmpp:sasl-cb:0"]
    report("%s server disco#info has" % p, " ".join(f for f in interesting if f in feats))
    report("%s server disco#info lacks" % p, " ".join(f for f in interesting if f not in feats))
    for form in query.findall(q("data", "x")):
        for field in form.findall(q("data", "field")):
            if field.get("var", "").endswith("-addresses"):
                report("%s XEP-0157 %s" % (p, field.get("var")), " ".join(v.text for v in field.findall(q("data", "value"))))
    # bare-JID (own account) disco: PEP etc.
    items = x.iq("get", "<query xmlns='%s'/>" % NS["disco_items"], to=domain)
    services = [i.get("jid") for i in items.find(q("disco_items", "query"))]
    report("%s server disco#items" % p, " ".join(services))
    upload = env.get(p + "_UPLOAD_DOMAIN")
    if upload:
        info = x.iq("get", "<query xmlns='%s'/>" % NS["disco_info"], to=upload)
        query = info.find(q("disco_info", "query"))
        has = query is not None and any(f.get("var") == NS["upload"] for f in query.findall(q("disco_info", "feature")))
        max_size = None
        if query is not None:
            for field in query.iter(q("data", "field")):
                if field.get("var") == "max-file-size":
                    max_size = field.find(q("data", "value")).text
        check("%s %s offers XEP-0363" % (p, upload), has, "max-file-size=%s" % max_size)
        data = os.urandom(3000)
        slot = x.iq("get", "<request xmlns='%s' filename='facts.bin' size='%d' content-type='application/octet-stream'/>"
                    % (NS["upload"], len(data)), to=upload)
        s = slot.find(q("upload", "slot"))
        if s is None:
            check("%s upload slot" % p, False, ET.tostring(slot).decode()[:300])
        else:
            put = s.find(q("upload", "put")).get("url")
            get = s.find(q("upload", "get")).get("url")
            headers = {h.get("name"): h.text for h in s.find(q("upload", "put")).findall(q("upload", "header"))}
            headers["Content-Type"] = "application/octet-stream"
            req = urllib.request.Request(put, data=data, method="PUT", headers=headers)
            st = urllib.request.urlopen(req, timeout=10).status
            back = urllib.request.urlopen(get, timeout=10).read()
            check("%s upload PUT %s" % (p, put.rsplit("/", 2)[0] + "/..."), st in (200, 201), "HTTP %d" % st)
            check("%s upload GET returns the bytes" % p, back == data, get.rsplit("/", 2)[0] + "/...")
    x.close()


def compression(env, p):
    x = login(env, p, env[p + "_USER_JID"].split("@")[0], env[p + "_PASSWORD"])
    # login() already re-opened and bound; look at the features we got after SASL
    s = features_summary(x.features)
    x.close()
    if not s["compression"]:
        report("%s XEP-0138 compression after SASL" % p, "not offered")
        return
    x = XMPP(env[p + "_HOST"], int(env[p + "_PORT"]), env[p + "_DOMAIN"], env["CA_FILE"], tls_version="1.3")
    x.starttls()
    auth_plain(x, env[p + "_USER_JID"].split("@")[0], env[p + "_PASSWORD"])
    x.open()
    x.send("<compress xmlns='%s'><method>zlib</method></compress>" % NS["compress_p"])
    el = x.next()
    check("%s XEP-0138 zlib negotiation" % p, el.tag == q("compress_p", "compressed"), short(el.tag))
    x.sock.close()


def ws_frame(payload):
    data = payload.encode()
    mask = os.urandom(4)
    n = len(data)
    head = b"\x81" + (bytes([0x80 | n]) if n < 126 else b"\xfe" + struct.pack(">H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def ws_read(sock, buf):
    while True:
        if len(buf) >= 2:
            n = buf[1] & 0x7F
            off = 2
            if n == 126:
                n, off = struct.unpack(">H", buf[2:4])[0], 4
            elif n == 127:
                n, off = struct.unpack(">Q", buf[2:10])[0], 10
            if len(buf) >= off + n:
                return buf[off:off + n].decode(), buf[off + n:]
        d = sock.recv(65536)
        if not d:
            raise EOFError
        buf += d


def websocket(env, p, domain=None, expect_anonymous=False):
    url = env[p + "_WS_URL"]
    hostport, _, path = url[len("ws://"):].partition("/")
    host, _, port = hostport.partition(":")
    domain = domain or env[p + "_DOMAIN"]
    sock = socket.create_connection((host, int(port)), timeout=10)
    key = b64(os.urandom(16))
    sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: xmpp\r\n\r\n"
                  % (path, hostport, key)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(4096)
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    proto = [l for l in lines if l.lower().startswith("sec-websocket-protocol")]
    ok = lines[0].split()[1] == "101"
    check("%s websocket %s (to=%s)" % (p, url, domain), ok and bool(proto), lines[0] + "; " + (proto[0] if proto else "no protocol header"))
    if not ok:
        return
    sock.sendall(ws_frame("<open xmlns='%s' to='%s' version='1.0'/>" % (NS["framing"], domain)))
    frames = []
    while not any("features" in f for f in frames):
        f, buf = ws_read(sock, buf)
        frames.append(f)
    feats = ET.fromstring(frames[-1])
    s = features_summary(feats)
    report("%s websocket features (to=%s)" % (p, domain), fmt(s))
    if expect_anonymous:
        sock.sendall(ws_frame("<auth xmlns='%s' mechanism='ANONYMOUS'/>" % NS["sasl"]))
        f, buf = ws_read(sock, buf)
        check("%s websocket SASL ANONYMOUS on %s" % (p, domain), "<success" in f, f[:80])
    sock.close()


def main():
    env = load_env()
    if "CA_FILE" not in env:
        sys.exit("no server environment: run scripts/servers start first")
    which = sys.argv[1:] or ["prosody", "ejabberd"]
    for name in which:
        p = name.upper()
        if p + "_PORT" not in env:
            report(p, "not running")
            continue
        streams(env, p)
        extra_host(env, p, "PROSODY_SHA256_DOMAIN" if p == "PROSODY" else "EJABBERD_PLAIN_DOMAIN")
        registration(env, p)
        disco_and_upload(env, p)
        compression(env, p)
        websocket(env, p)
        if p == "PROSODY":
            websocket(env, p, env["PROSODY_ANON_DOMAIN"], expect_anonymous=True)
            websocket(env, p, env["PROSODY_SANDBOX_DOMAIN"])
    print("facts: %d failed checks%s" % (len(FAILED), (": " + "; ".join(FAILED)) if FAILED else ""))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
