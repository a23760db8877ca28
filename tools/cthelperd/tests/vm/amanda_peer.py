#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Both ends of Amanda's bsd-authentication exchange over UDP, for the
amanda helper's VM test (a real Amanda needs a whole backup configuration):
the packets are the ones Amanda's sources print, the streams plain TCP.

usage:
  amanda_peer.py amandad FAMILY READY [INDEX]
      On UDP port 10080 (FAMILY 4 or 6), wait for a REQ (30 s); answer with
      an ACK, then a REP whose CONNECT line names three TCP ports it listens
      on (DATA, MESG, and INDEX, or "INDEX -1" when INDEX is "noindex");
      write each stream's name to whoever connects (15 s).
      Creates READY once listening. exit 0: every stream was taken.
  amanda_peer.py server HOST
      Send a sendbackup REQ to HOST port 10080, take the ACK and the REP,
      ACK it, connect to HOST at each port the CONNECT line names (5 s each)
      and read the stream's name. exit 0: every stream answered; 1: one
      connection failed; 2: no REP came.
Prints what it does on stderr (the test shows it on failure).
"""
import socket
import sys
import time

HDR = "Amanda 3.5 %s HANDLE 000-2D4A0708 SEQ 1701234567\n"
OPTIONS = "OPTIONS features=9ffe00feffff;hostname=client.example;\n"


def log(*args):
    print("amanda_peer:", *args, file=sys.stderr, flush=True)


def amandad(family, ready, index="index"):
    fam = socket.AF_INET6 if family == "6" else socket.AF_INET
    any_addr = "::" if fam == socket.AF_INET6 else "0.0.0.0"
    udp = socket.socket(fam, socket.SOCK_DGRAM)
    udp.bind((any_addr, 10080))
    names = ["DATA", "MESG"] + (["INDEX"] if index != "noindex" else [])
    listeners = {}
    for name in names:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((any_addr, 0))
        s.listen(1)
        s.settimeout(15)
        listeners[name] = s
    open(ready, "w").close()
    udp.settimeout(30)
    req, peer = udp.recvfrom(4096)
    log("REQ from", peer)
    udp.sendto((HDR % "ACK" + "\n").encode(), peer)
    connect = "CONNECT " + " ".join(
        "%s %d" % (n, listeners[n].getsockname()[1]) for n in names)
    if index == "noindex":
        connect += " INDEX -1"
    udp.sendto((HDR % "REP" + connect + "\n" + OPTIONS).encode(), peer)
    log("sent", connect)
    for name in names:
        try:
            conn, addr = listeners[name].accept()
        except socket.timeout:
            log(name, "stream: nobody came")
            return 1
        log(name, "stream from", addr)
        conn.sendall(name.encode())
        conn.close()
    return 0


def server(host):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    udp = socket.socket(fam, socket.SOCK_DGRAM)
    udp.settimeout(10)
    req = (HDR % "REQ" + "SERVICE sendbackup\n"
           "OPTIONS features=9ffe00feffff;maxdumps=1;hostname=client.example;auth=bsd;\n"
           "GNUTAR /home 0 1970:1:1:0:0:0 -1 OPTIONS |;auth=bsd;index;\n")
    udp.sendto(req.encode(), (host, 10080))
    connect = None
    deadline = time.time() + 10
    while connect is None and time.time() < deadline:
        try:
            pkt = udp.recv(4096).decode(errors="replace")
        except socket.timeout:
            break
        log("got", pkt.splitlines()[0])
        for line in pkt.splitlines():
            if line.startswith("CONNECT "):
                connect = line.split()[1:]
    if connect is None:
        log("no REP came")
        return 2
    udp.sendto((HDR % "ACK" + "\n").encode(), (host, 10080))
    log("CONNECT", " ".join(connect))
    for name, port in zip(connect[0::2], connect[1::2]):
        if port == "-1":
            continue
        try:
            s = socket.create_connection((host, int(port)), timeout=5)
            got = s.recv(64).decode()
            s.close()
        except OSError as e:
            log(name, "stream to port", port, "failed:", e)
            return 1
        if got != name:
            log(name, "stream answered", repr(got))
            return 1
        log(name, "stream ok on port", port)
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "amandad":
        sys.exit(amandad(*sys.argv[2:5]))
    if len(sys.argv) == 3 and sys.argv[1] == "server":
        sys.exit(server(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    sys.exit(64)
