#!/usr/bin/env python3
"""A third-party XMPP client for XMPPKit's two-user tests: slixmpp, driven by JSON lines.

Logs in as --jid/--password at --host/--port (STARTTLS, certificates checked against --ca), sends
initial presence, then reads one JSON command per line on stdin and writes one JSON object per
line on stdout:

  events   {"event": "ready" | "message" | "message_error" | "presence" | "subscription" |
            "avatar_update" | "disconnected" | "auth_failed", "seq": N, ...}
  results  {"id": <the command's id>, "ok": true, "result": {...}}
           {"id": ..., "ok": false, "error": "<stanza error condition, 'timeout', or text>"}

Commands ({"id": ..., "cmd": NAME, ...}):
  subscribe {jid}                 presence subscribe (RFC 6121 §3.1.1)
  approve {jid}                   presence subscribed to one requester (§3.1.4)
  approve_all                     accept every subscription request from now on (and pending ones),
                                  and subscribe back (slixmpp auto_authorize/auto_subscribe)
  send_message {to, body, type?}  a chat message
  send_presence {show?, status?}  an available presence (carries the avatar hash, XEP-0153)
  get_roster                      {"items": {jid: {subscription, name, ask, groups}}}
  set_vcard {nickname?, desc?, photo? (base64), photo_type?}   XEP-0054 §3.2
  get_vcard {jid?}                {"nickname", "desc", "photo" (base64), "photo_type", "xml"}
  set_avatar_presence {photo (base64), photo_type}  XEP-0153 §3.1: vCard PHOTO, then presence with
                                  the new SHA-1; returns {"hash"}
  last_activity {jid}             XEP-0012 query: {"seconds", "status"}
  set_last_activity {seconds, status?}   what slixmpp answers about its own full JID (XEP-0012 §3)
  wait_for {event, timeout?, since?, <field>: <value>...}   the first event (seq > since) whose
                                  fields match; a 'from' without resource matches any resource
  quit                            disconnect and exit

Standard error is not used for protocol data; slixmpp's log goes to --log when given.
"""

import argparse
import asyncio
import base64
import hashlib
import json
import logging
import ssl
import sys

import slixmpp
from slixmpp.exceptions import IqError, IqTimeout


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid, password, ca_file):
        super().__init__(jid, password)
        context = ssl.create_default_context(cafile=ca_file)
        context.check_hostname = True
        self.ssl_context = context
        self.ca_certs = None
        for plugin in ("xep_0030", "xep_0054", "xep_0153", "xep_0012", "xep_0199", "xep_0092"):
            self.register_plugin(plugin)
        # None: neither accept nor reject on our own; the test decides (approve / approve_all).
        self.roster.auto_authorize = None
        self.roster.auto_subscribe = False
        self.history = []
        self.changed = asyncio.Event()
        self.pending_subscribers = set()
        self.ready = asyncio.get_event_loop().create_future()
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_all_auth", self.on_failed_auth)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("presence", self.on_presence)
        self.add_event_handler("vcard_avatar_update", self.on_avatar)
        self.add_event_handler("disconnected", self.on_disconnected)

    def record(self, event):
        event["seq"] = len(self.history) + 1
        self.history.append(event)
        emit(event)
        self.changed.set()

    async def on_start(self, _):
        try:
            await self.get_roster(timeout=15)
        except (IqError, IqTimeout):
            pass
        self.send_presence()
        self.record({"event": "ready", "jid": str(self.boundjid)})
        if not self.ready.done():
            self.ready.set_result(True)

    def on_failed_auth(self, _):
        self.record({"event": "auth_failed"})
        if not self.ready.done():
            self.ready.set_exception(RuntimeError("authentication failed"))

    def on_disconnected(self, reason):
        self.record({"event": "disconnected", "reason": str(reason)})

    def on_message(self, msg):
        if msg["type"] == "error":
            self.record({"event": "message_error", "from": str(msg["from"]), "id": msg["id"],
                         "condition": msg["error"]["condition"], "error_type": msg["error"]["type"],
                         "text": msg["error"]["text"]})
            return
        self.record({"event": "message", "from": str(msg["from"]), "to": str(msg["to"]), "id": msg["id"],
                     "type": msg["type"], "body": msg["body"]})

    def on_presence(self, pres):
        kind = pres["type"]
        event = {"event": "presence", "from": str(pres["from"]), "type": kind}
        if kind in ("subscribe", "subscribed", "unsubscribe", "unsubscribed"):
            event["event"] = "subscription"
            if kind == "subscribe":
                self.pending_subscribers.add(pres["from"].bare)
        elif kind == "error":
            event["condition"] = pres["error"]["condition"]
        else:
            event["show"] = pres["show"]
            event["status"] = pres["status"]
            if pres.match("presence/vcard_temp_update"):
                event["photo"] = pres["vcard_temp_update"]["photo"]
        self.record(event)

    def on_avatar(self, pres):
        self.record({"event": "avatar_update", "from": str(pres["from"]), "hash": pres["vcard_temp_update"]["photo"]})

    # Commands ---------------------------------------------------------------

    async def cmd_subscribe(self, c):
        self.send_presence(pto=c["jid"], ptype="subscribe")
        return {}

    async def cmd_approve(self, c):
        self.send_presence(pto=c["jid"], ptype="subscribed")
        self.pending_subscribers.discard(slixmpp.JID(c["jid"]).bare)
        return {}

    async def cmd_approve_all(self, _):
        self.roster.auto_authorize = True
        self.roster.auto_subscribe = True
        self.client_roster.auto_authorize = True
        self.client_roster.auto_subscribe = True
        for jid in sorted(self.pending_subscribers):
            self.send_presence(pto=jid, ptype="subscribed")
            self.send_presence(pto=jid, ptype="subscribe")
        approved = sorted(self.pending_subscribers)
        self.pending_subscribers.clear()
        return {"approved": approved}

    async def cmd_send_message(self, c):
        msg = self.make_message(mto=c["to"], mbody=c.get("body"), mtype=c.get("type", "chat"))
        if c.get("msg_id"):
            msg["id"] = c["msg_id"]
        msg.send()
        return {"id": msg["id"]}

    async def cmd_send_presence(self, c):
        self.send_presence(pshow=c.get("show"), pstatus=c.get("status"))
        return {}

    async def cmd_get_roster(self, _):
        await self.get_roster(timeout=15)
        items = {}
        for jid in self.client_roster:
            item = self.client_roster[jid]
            items[str(jid)] = {"subscription": item["subscription"], "name": item["name"],
                               "ask": "subscribe" if item["pending_out"] else None,
                               "groups": list(item["groups"])}
        return {"items": items}

    async def cmd_set_vcard(self, c):
        vcard = self.plugin["xep_0054"].make_vcard()
        if c.get("nickname") is not None:
            vcard["NICKNAME"] = c["nickname"]
        if c.get("desc") is not None:
            vcard["DESC"] = c["desc"]
        if c.get("photo") is not None:
            vcard["PHOTO"]["TYPE"] = c.get("photo_type", "image/png")
            vcard["PHOTO"]["BINVAL"] = base64.b64decode(c["photo"])
        await self.plugin["xep_0054"].publish_vcard(vcard, timeout=15)
        return {}

    async def cmd_get_vcard(self, c):
        jid = c.get("jid") or self.boundjid.bare
        iq = await self.plugin["xep_0054"].get_vcard(slixmpp.JID(jid), cached=False, local=False, timeout=15)
        vcard = iq["vcard_temp"]
        photo = vcard["PHOTO"]["BINVAL"]
        nickname = vcard["NICKNAME"]  # slixmpp splits NICKNAME on commas into a list
        if isinstance(nickname, list):
            nickname = ",".join(nickname)
        note = vcard.xml.find("{vcard-temp}NOTE")
        return {"nickname": nickname or None, "desc": vcard["DESC"] or None,
                "note": note.text if note is not None and note.text else None,
                "photo": base64.b64encode(photo).decode() if photo else None,
                "photo_type": vcard["PHOTO"]["TYPE"] or None, "xml": str(vcard)}

    async def cmd_set_avatar_presence(self, c):
        data = base64.b64decode(c["photo"])
        await self.plugin["xep_0153"].set_avatar(avatar=data, mtype=c.get("photo_type", "image/png"), timeout=15)
        return {"hash": hashlib.sha1(data).hexdigest()}

    async def cmd_last_activity(self, c):
        iq = await self.plugin["xep_0012"].get_last_activity(slixmpp.JID(c["jid"]), timeout=15)
        return {"seconds": iq["last_activity"]["seconds"], "status": iq["last_activity"]["status"] or None}

    async def cmd_set_last_activity(self, c):
        await self.plugin["xep_0012"].set_last_activity(jid=self.boundjid, seconds=int(c.get("seconds", 0)),
                                                       status=c.get("status"))
        return {}

    async def cmd_wait_for(self, c):
        wanted = {k: v for k, v in c.items() if k not in ("id", "cmd", "timeout", "since")}
        since = int(c.get("since", 0))
        deadline = asyncio.get_event_loop().time() + float(c.get("timeout", 15))
        while True:
            for event in self.history[since:]:
                if self.matches(event, wanted):
                    return {"event": event}
            since = len(self.history)
            remaining = deadline - asyncio.get_event_loop().time()
            if remaining <= 0:
                raise TimeoutError("no matching event")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    @staticmethod
    def matches(event, wanted):
        for key, value in wanted.items():
            have = event.get(key)
            if key == "from" and have is not None and "/" not in value:
                have = have.split("/", 1)[0]
            if have != value:
                return False
        return True


async def run_command(peer, command):
    ident = command.get("id")
    name = command.get("cmd", "")
    handler = getattr(peer, "cmd_" + name, None)
    if handler is None:
        emit({"id": ident, "ok": False, "error": "unknown command " + name})
        return
    try:
        result = await handler(command)
        emit({"id": ident, "ok": True, "result": result})
    except IqError as error:
        emit({"id": ident, "ok": False, "error": error.iq["error"]["condition"], "text": error.iq["error"]["text"]})
    except (IqTimeout, TimeoutError, asyncio.TimeoutError):
        emit({"id": ident, "ok": False, "error": "timeout"})
    except Exception as error:  # a test reads the reason; the peer keeps going
        emit({"id": ident, "ok": False, "error": type(error).__name__ + ": " + str(error)})


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--log")
    args = parser.parse_args()
    if args.log:
        logging.basicConfig(filename=args.log, level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    peer = Peer(args.jid, args.password, args.ca)
    peer.connect(args.host, args.port)
    try:
        await asyncio.wait_for(asyncio.shield(peer.ready), 30)
    except Exception as error:
        emit({"event": "error", "error": "login failed: %s" % (error or type(error).__name__)})
        peer.disconnect()
        return 2

    loop = asyncio.get_event_loop()
    reader = asyncio.StreamReader(limit=64 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks = set()
    while True:
        line = await reader.readline()
        if not line:
            break
        try:
            command = json.loads(line)
        except ValueError:
            emit({"id": None, "ok": False, "error": "not JSON"})
            continue
        if command.get("cmd") == "quit":
            emit({"id": command.get("id"), "ok": True, "result": {}})
            break
        task = asyncio.ensure_future(run_command(peer, command))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    for task in tasks:
        task.cancel()
    peer.disconnect(wait=2)
    try:
        await asyncio.wait_for(peer.disconnected, 5)
    except Exception:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
