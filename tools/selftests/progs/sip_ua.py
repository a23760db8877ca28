#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A scripted SIP user agent for the VM tests (tools/selftests/net/sip_*.sh).

Real user agents cannot be told to send from one port and listen on
another, to announce a third party's address or to lie in Content-Length,
and they do not say whether each media direction arrived: this one does.

  uas   the callee: registers with the registrar over UDP, answers every
        INVITE with 200 OK + SDP, sends RTP and RTCP to the offer until BYE
        and logs, per call, what media it received.
  uac   the caller: optionally REGISTERs, INVITEs (UDP or TCP, through the
        proxy), ACKs, exchanges RTP and RTCP, BYEs; prints what it saw.
        Or, with --listen, only REGISTERs and then logs the requests that
        reach its Contact, for --listen seconds or until SIGUSR2; SIGUSR1
        makes it unregister (Expires: 0, on the same socket or TCP
        connection, as a phone does) and go on listening.

Media is sent from a socket other than the announced one, so that each
direction is its own conntrack and needs its own expectation: a reply to
media that got in cannot open the other direction.
"""
import argparse
import random
import select
import signal
import socket
import sys
import threading
import time


def fam(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def hostport(addr, port):
    return "[%s]:%d" % (addr, port) if ":" in addr else "%s:%d" % (addr, port)


def host(addr):
    return "[%s]" % addr if ":" in addr else addr


def sdp(addr, port, sess_id):
    ipv = "IP6" if ":" in addr else "IP4"
    return ("v=0\r\n"
            "o=- %d 1 IN %s %s\r\n"
            "s=sipvm\r\n"
            "c=IN %s %s\r\n"
            "t=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\n"
            "a=rtpmap:0 PCMU/8000\r\n" % (sess_id, ipv, addr, ipv, addr, port))


def parse(msg):
    """(first line, {lower-case header: value}, body) of one message."""
    head, _, body = msg.partition("\r\n\r\n")
    lines = head.split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        hdrs.setdefault(name.strip().lower(), value.strip())
    return lines[0], hdrs, body


def sdp_media(body):
    """(address, port) of the first audio stream of an SDP body."""
    addr, port = None, None
    for line in body.split("\r\n"):
        if line.startswith("c=IN "):
            addr = line.split()[2]
        elif line.startswith("m=audio "):
            port = int(line.split()[1])
    return addr, port


def rtp_packet(seq, ssrc, text):
    return bytes([0x80, 0x00]) + seq.to_bytes(2, "big") + \
        (seq * 160).to_bytes(4, "big") + ssrc.to_bytes(4, "big") + text


def rtcp_packet(ssrc, text):
    # a receiver report without blocks, then the text
    return bytes([0x80, 201, 0x00, 0x01]) + ssrc.to_bytes(4, "big") + text


class Media:
    """Receives on PORT and PORT+1 of ADDR; sends RTP and RTCP from other
    sockets to the peer; payloads carry what this side has received so
    far, so that the caller learns whether its own media arrived."""

    def __init__(self, addr, port):
        self.rtp = socket.socket(fam(addr), socket.SOCK_DGRAM)
        self.rtp.bind((addr, port))
        self.rtcp = socket.socket(fam(addr), socket.SOCK_DGRAM)
        self.rtcp.bind((addr, port + 1))
        self.tx = socket.socket(fam(addr), socket.SOCK_DGRAM)
        self.tx.bind((addr, 0))
        self.got_rtp = self.got_rtcp = 0
        self.peer_got = None
        self.ssrc = random.getrandbits(32)

    def flags(self):
        return b"SIPVM got-rtp=%d got-rtcp=%d" % (
            1 if self.got_rtp else 0, 1 if self.got_rtcp else 0)

    def _absorb(self, data):
        i = data.find(b"SIPVM ")
        if i >= 0:
            self.peer_got = data[i:].decode(errors="replace")

    def run(self, peer_addr, peer_port, seconds, stop=None, until_done=False):
        end = time.monotonic() + seconds
        seq = 0
        while time.monotonic() < end and not (stop and stop.is_set()):
            if peer_addr and peer_port:
                try:
                    self.tx.sendto(rtp_packet(seq, self.ssrc, self.flags()),
                                   (peer_addr, peer_port))
                    self.tx.sendto(rtcp_packet(self.ssrc, self.flags()),
                                   (peer_addr, peer_port + 1))
                except OSError:
                    pass
            seq += 1
            r, _, _ = select.select([self.rtp, self.rtcp], [], [], 0.1)
            for s in r:
                data = s.recv(2048)
                if s is self.rtp:
                    self.got_rtp += 1
                else:
                    self.got_rtcp += 1
                self._absorb(data)
            if until_done and self.got_rtp and self.got_rtcp and \
                    self.peer_got == "SIPVM got-rtp=1 got-rtcp=1":
                break
        return self.got_rtp, self.got_rtcp

    def close(self):
        for s in (self.rtp, self.rtcp, self.tx):
            s.close()


class Signalling:
    """Requests and responses over one UDP socket or one TCP connection."""

    def __init__(self, local, port, proxy, proxy_port, transport):
        self.transport = transport
        self.proxy = (proxy, proxy_port)
        self.local, self.port = local, port
        self.buf = b""
        if transport == "tcp":
            self.sock = socket.socket(fam(local), socket.SOCK_STREAM)
            self.sock.bind((local, 0))
            self.sock.settimeout(10)
            self.sock.connect(self.proxy)
            self.sock.settimeout(None)
            self.listen = socket.socket(fam(local), socket.SOCK_STREAM)
            self.listen.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.listen.bind((local, port))
            self.listen.listen(4)
        else:
            self.sock = socket.socket(fam(local), socket.SOCK_DGRAM)
            self.sock.bind((local, port))
            self.listen = None

    def via(self, branch):
        return "Via: SIP/2.0/%s %s;rport;branch=z9hG4bK%s" % (
            self.transport.upper(), hostport(self.local, self.port), branch)

    def send(self, text):
        data = text.encode()
        if self.transport == "tcp":
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, self.proxy)

    def _frame(self):
        """One message from the TCP buffer, or None."""
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        _, hdrs, _ = parse(self.buf[:end + 4].decode(errors="replace"))
        clen = int(hdrs.get("content-length", hdrs.get("l", "0")) or 0)
        if len(self.buf) < end + 4 + clen:
            return None
        msg, self.buf = self.buf[:end + 4 + clen], self.buf[end + 4 + clen:]
        return msg.decode(errors="replace")

    def recv(self, timeout):
        """The next message (from the proxy), or None after timeout."""
        end = time.monotonic() + timeout
        while True:
            if self.transport == "tcp":
                m = self._frame()
                if m:
                    return m
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            if self.transport == "tcp":
                data = self.sock.recv(65536)
                if not data:
                    return None
                self.buf += data
            else:
                return self.sock.recv(65536).decode(errors="replace")

    def request_response(self, text, cseq_method, timeout):
        """Send a request, return the final response (or None)."""
        self.send(text)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = self.recv(end - time.monotonic())
            if m is None:
                return None
            first, hdrs, body = parse(m)
            if not first.startswith("SIP/2.0 "):
                continue
            if cseq_method not in hdrs.get("cseq", ""):
                continue
            code = int(first.split()[1])
            if code >= 200:
                return code, hdrs, body
        return None


def tag():
    return "%08x" % random.getrandbits(32)


def uac(a):
    sig = Signalling(a.local, a.sig_port, a.proxy, a.proxy_port, a.transport)
    me = "sip:%s@%s" % (a.user, host(a.local))
    contact = "<sip:%s@%s%s>" % (a.user, hostport(a.local, a.sig_port),
                                 ";transport=tcp" if a.transport == "tcp" else "")
    ftag = tag()
    regid = "reg-%s" % tag()

    def register(expires, cseq):
        req = ("REGISTER sip:%s SIP/2.0\r\n%s\r\nMax-Forwards: 70\r\n"
               "From: <%s>;tag=%s\r\nTo: <%s>\r\nCall-ID: %s\r\n"
               "CSeq: %d REGISTER\r\nContact: %s\r\nExpires: %d\r\n"
               "Content-Length: 0\r\n\r\n" % (
                   host(a.proxy), sig.via(tag()), me, ftag, me, regid,
                   cseq, contact, expires))
        r = sig.request_response(req, "REGISTER", a.timeout)
        return r[0] if r else "timeout"

    # listening, SIGUSR1: unregister; SIGUSR2: stop. Set before the
    # registration, whose answer the test waits for.
    unregister, stop = threading.Event(), threading.Event()
    if a.listen:
        signal.signal(signal.SIGUSR1, lambda *_: unregister.set())
        signal.signal(signal.SIGUSR2, lambda *_: stop.set())
    if a.register:
        code = register(a.expires, 1)
        print("register %s" % code, flush=True)
        if code != 200:
            return 2
    if a.listen:
        # the requests that reach the Contact, one line each
        socks = [sig.sock] + ([sig.listen] if sig.listen else [])
        end = time.monotonic() + a.listen
        unregistered = False
        while time.monotonic() < end and not stop.is_set():
            if unregister.is_set() and not unregistered:
                unregistered = True
                print("unregister %s" % register(0, 2), flush=True)
            r, _, _ = select.select(socks, [], [],
                                    min(0.2, max(0, end - time.monotonic())))
            for s in r:
                if s is sig.listen:
                    c, peer = s.accept()
                    c.settimeout(2)
                    try:
                        data = c.recv(65536)
                    except OSError:
                        data = b""
                    c.close()
                elif sig.listen:
                    # the TCP connection to the registrar: not the Contact
                    data, peer = s.recv(65536), sig.proxy
                    if not data:
                        socks.remove(s)
                        continue
                else:
                    data, peer = s.recvfrom(65536)
                first = data.decode(errors="replace").split("\r\n")[0]
                print("received %s from %s" % (first.split(" ")[0],
                                               hostport(peer[0], peer[1])),
                      flush=True)
        return 0
    if not a.to:
        return 0

    announce = a.announce or a.local
    media = Media(announce, a.media_port)
    callid = a.call_id or "call-%s" % tag()
    body = sdp(announce, a.media_port, random.getrandbits(30))
    clen = a.content_length if a.content_length is not None else len(body)
    ruri = "sip:%s@%s" % (a.to, host(a.proxy))
    branch = tag()
    invite = ("INVITE %s SIP/2.0\r\n%s\r\nMax-Forwards: 70\r\n"
              "From: <%s>;tag=%s\r\nTo: <%s>\r\nCall-ID: %s\r\n"
              "CSeq: 1 INVITE\r\nContact: %s\r\n"
              "Content-Type: application/sdp\r\nContent-Length: %s\r\n\r\n%s" % (
                  ruri, sig.via(branch), me, ftag, ruri, callid, contact,
                  clen, body))
    r = sig.request_response(invite, "INVITE", a.timeout)
    print("invite %s" % (r[0] if r else "timeout"), flush=True)
    if not r or r[0] != 200:
        # what reached the announced ports meanwhile (a callee that got
        # the INVITE sends at once)
        media.run(None, None, 0.5)
        print("media-in rtp=%d rtcp=%d" % (1 if media.got_rtp else 0,
                                           1 if media.got_rtcp else 0), flush=True)
        media.close()
        return 2
    _, hdrs, rbody = r
    to = hdrs.get("to", hdrs.get("t", ""))
    rcontact = hdrs.get("contact", hdrs.get("m", "")).strip("<>").split(">")[0]
    ack = ("ACK %s SIP/2.0\r\n%s\r\nMax-Forwards: 70\r\n"
           "From: <%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\n"
           "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n" % (
               rcontact, sig.via(tag()), me, ftag, to, callid))
    sig.send(ack)
    paddr, pport = sdp_media(rbody)
    print("answer media %s" % (hostport(paddr, pport) if paddr else "none"),
          flush=True)
    media.run(paddr, pport, a.media_time, until_done=True)
    print("media-in rtp=%d rtcp=%d" % (1 if media.got_rtp else 0,
                                       1 if media.got_rtcp else 0))
    print("peer-got %s" % (media.peer_got[6:] if media.peer_got else "unknown"),
          flush=True)
    media.close()
    if a.no_bye:
        return 0
    bye = ("BYE %s SIP/2.0\r\n%s\r\nMax-Forwards: 70\r\n"
           "From: <%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\n"
           "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n" % (
               rcontact, sig.via(tag()), me, ftag, to, callid))
    r = sig.request_response(bye, "BYE", a.timeout)
    print("bye %s" % (r[0] if r else "timeout"), flush=True)
    return 0


class Call:
    def __init__(self, callid, media, thread, stop):
        self.callid, self.media, self.thread, self.stop = callid, media, thread, stop


def uas(a):
    addrs = {socket.AF_INET: a.media4, socket.AF_INET6: a.media6}
    sock = socket.socket(fam(a.local), socket.SOCK_DGRAM)
    sock.bind((a.local, a.sig_port))
    log = open(a.log, "a", buffering=1)
    me = "sip:%s@%s" % (a.user, host(a.local))
    contact = "<sip:%s@%s>" % (a.user, hostport(a.local, a.sig_port))
    reg = ("REGISTER sip:%s SIP/2.0\r\n"
           "Via: SIP/2.0/UDP %s;rport;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n"
           "From: <%s>;tag=%s\r\nTo: <%s>\r\nCall-ID: reg-%s\r\n"
           "CSeq: 1 REGISTER\r\nContact: %s\r\nExpires: 3600\r\n"
           "Content-Length: 0\r\n\r\n" % (
               host(a.registrar), hostport(a.local, a.sig_port), tag(), me,
               tag(), me, tag(), contact))
    registered = False
    for _ in range(20):
        sock.sendto(reg.encode(), (a.registrar, a.registrar_port))
        r, _, _ = select.select([sock], [], [], 1)
        if r and sock.recv(65536).startswith(b"SIP/2.0 200"):
            registered = True
            break
    if not registered:
        log.write("register failed\n")
        return 2
    log.write("ready\n")
    calls = {}
    port = a.media_port
    while True:
        data, peer = sock.recvfrom(65536)
        first, hdrs, body = parse(data.decode(errors="replace"))
        method = first.split(" ")[0]
        callid = hdrs.get("call-id", hdrs.get("i", ""))
        if first.startswith("SIP/2.0"):
            continue
        vias = [l for l in data.decode(errors="replace").split("\r\n\r\n")[0].split("\r\n")
                if l.lower().startswith("via:") or l.lower().startswith("v:")]
        common = "%s\r\nFrom: %s\r\nTo: %s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n" % (
            "\r\n".join(vias), hdrs.get("from", hdrs.get("f", "")),
            hdrs.get("to", hdrs.get("t", "")),
            "" if ";tag=" in hdrs.get("to", "") else ";tag=" + tag(),
            callid, hdrs.get("cseq", ""))
        if method == "INVITE" and callid not in calls:
            oaddr, oport = sdp_media(body)
            log.write("invite %s from %s offer %s\n" % (
                callid, hostport(peer[0], peer[1]),
                hostport(oaddr, oport) if oaddr else "none"))
            maddr = addrs[fam(oaddr or a.local)]
            media = Media(maddr, port)
            answer = sdp(maddr, port, random.getrandbits(30))
            port += 2
            if port > a.media_port + 1000:
                port = a.media_port
            resp = ("SIP/2.0 200 OK\r\n%sContact: %s\r\n"
                    "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s" % (
                        common, contact, len(answer), answer))
            sock.sendto(resp.encode(), peer)
            stop = threading.Event()
            t = threading.Thread(target=media.run, args=(oaddr, oport, 60, stop))
            t.start()
            calls[callid] = Call(callid, media, t, stop)
        elif method == "BYE":
            sock.sendto(("SIP/2.0 200 OK\r\n%sContent-Length: 0\r\n\r\n" % common).encode(), peer)
            c = calls.pop(callid, None)
            if c:
                c.stop.set()
                c.thread.join()
                log.write("call %s media-in rtp=%d rtcp=%d\n" % (
                    callid, c.media.got_rtp, c.media.got_rtcp))
                c.media.close()
        elif method not in ("ACK", "INVITE"):
            sock.sendto(("SIP/2.0 200 OK\r\n%sContent-Length: 0\r\n\r\n" % common).encode(), peer)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("uac")
    c.add_argument("--local", required=True)
    c.add_argument("--sig-port", type=int, default=5060)
    c.add_argument("--proxy", required=True)
    c.add_argument("--proxy-port", type=int, default=5060)
    c.add_argument("--transport", choices=("udp", "tcp"), default="udp")
    c.add_argument("--user", default="alice")
    c.add_argument("--to")
    c.add_argument("--register", action="store_true")
    c.add_argument("--expires", type=int, default=300)
    c.add_argument("--listen", type=float, default=0)
    c.add_argument("--media-port", type=int, default=40000)
    c.add_argument("--announce")
    c.add_argument("--call-id")
    c.add_argument("--content-length")
    c.add_argument("--media-time", type=float, default=6)
    c.add_argument("--timeout", type=float, default=15)
    c.add_argument("--no-bye", action="store_true")
    s = sub.add_parser("uas")
    s.add_argument("--local", required=True)
    s.add_argument("--sig-port", type=int, default=5070)
    s.add_argument("--registrar", required=True)
    s.add_argument("--registrar-port", type=int, default=5060)
    s.add_argument("--user", default="bob")
    s.add_argument("--media4", required=True)
    s.add_argument("--media6", required=True)
    s.add_argument("--media-port", type=int, default=42000)
    s.add_argument("--log", required=True)
    a = p.parse_args()
    return {"uac": uac, "uas": uas}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
