#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A scripted PPTP peer: the control messages of pptp-linux 1.10 (PNS) and
pptpd 1.4 (PAC) as recorded, replayed, for the selftest VM's kernel has no
PPP (pppd cannot run, so neither can a real call); then GRE (version 1,
the enhanced GRE of RFC 2637) through raw sockets.

usage:
  pptp_peer.py pac OUT          Listen on TCP 1723; answer the PNS's
      Start-Control-Connection-Request and Outgoing-Call-Request with
      pptpd's replies (call ID 0x4d2, Connected); write the PNS's call ID as
      the PAC received it (hex) to OUT; keep the connection open until
      killed.
  pptp_peer.py pns SERVER OUT   Connect to SERVER:1723, send pptp-linux's
      requests (call ID 0x937a), write the PAC's call ID from its reply to
      OUT; keep the connection open until killed.
  pptp_peer.py gre-send DST KEY     Send GRE packets keyed KEY (hex) to DST
      (10 of them, 0.3 s apart).
  pptp_peer.py gre-recv KEY SECONDS READY  Create the file READY once
      listening, wait for a GRE packet keyed KEY; print its source address.
      exit 0: one came; 1: none.
"""
import select
import socket
import struct
import sys
import time

MAGIC = 0x1A2B3C4D


def header(length, ctrl_type):
    return struct.pack(">HHIHH", length, 1, MAGIC, ctrl_type, 0)


# pptp-linux 1.10's requests (host name "local", vendor "cananian")
SCCRQ = header(156, 1) + struct.pack(">HHIIHH", 0x100, 0, 3, 3, 0xffff, 1) + \
    b"local".ljust(64, b"\0") + b"cananian".ljust(64, b"\0")


def ocrq(call_id):
    return header(168, 7) + struct.pack(">HHIIIIHHHH", call_id, 0, 2400, 10000000, 3, 3,
                                        3, 0, 0, 0) + b"\0" * 128


# pptpd 1.4's replies (host name "local", vendor "linux")
SCCRP = header(156, 2) + struct.pack(">HBBIIHH", 0x100, 1, 0, 0, 0, 1, 1) + \
    b"local".ljust(64, b"\0") + b"linux".ljust(64, b"\0")


def ocrp(call_id, peer_call_id):
    return header(32, 8) + struct.pack(">HHBBHIHHI", call_id, peer_call_id, 1, 0, 0,
                                       10000000, 3, 0, 0)


def read_message(sock):
    data = b""
    while len(data) < 2 or len(data) < struct.unpack(">H", data[:2])[0]:
        chunk = sock.recv(4096 if len(data) < 2 else
                          struct.unpack(">H", data[:2])[0] - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    length, _, magic, ctrl_type, _ = struct.unpack(">HHIHH", data[:12])
    if magic != MAGIC:
        raise ValueError("bad magic cookie")
    return ctrl_type, data


def hold(sock):
    sock.setblocking(False)
    while True:
        select.select([sock], [], [], 60)
        try:
            if not sock.recv(4096):
                return
        except BlockingIOError:
            pass


def pac(out):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", 1723))
    srv.listen(1)
    conn, peer = srv.accept()
    print(f"pac: control connection from {peer[0]}", file=sys.stderr)
    while True:
        ctrl_type, msg = read_message(conn)
        if ctrl_type == 1:
            conn.sendall(SCCRP)
        elif ctrl_type == 7:
            pns_call_id = struct.unpack(">H", msg[12:14])[0]
            conn.sendall(ocrp(0x4d2, pns_call_id))
            with open(out, "w") as f:
                f.write(f"{pns_call_id:x}\n")
            print(f"pac: call {pns_call_id:#x} answered", file=sys.stderr)
            break
    hold(conn)


def pns(server, out):
    sock = socket.create_connection((server, 1723), timeout=10)
    sock.sendall(SCCRQ)
    ctrl_type, msg = read_message(sock)
    if ctrl_type != 2 or msg[14] != 1:
        sys.exit("pns: session refused")
    sock.sendall(ocrq(0x937a))
    ctrl_type, msg = read_message(sock)
    if ctrl_type != 8 or msg[16] != 1:
        sys.exit("pns: call refused")
    pac_call_id = struct.unpack(">H", msg[12:14])[0]
    with open(out, "w") as f:
        f.write(f"{pac_call_id:x}\n")
    print(f"pns: call up, PAC call ID {pac_call_id:#x}", file=sys.stderr)
    hold(sock)


def gre_packet(key):
    payload = b"\xff\x03\x00\x21selftest"
    # K bit, version 1; protocol PPP; payload length; call ID
    return struct.pack(">HHHH", 0x2001, 0x880B, len(payload), key) + payload


def gre_send(dst, key):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
    for _ in range(10):
        sock.sendto(gre_packet(key), (dst, 0))
        time.sleep(0.3)


def gre_recv(key, seconds, ready):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
    open(ready, "w").close()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        readable, _, _ = select.select([sock], [], [], max(0.0, end - time.monotonic()))
        if not readable:
            break
        data, addr = sock.recvfrom(2048)
        ihl = (data[0] & 0xF) * 4
        gre = data[ihl:]
        if len(gre) >= 8 and struct.unpack(">HHHH", gre[:8])[3] == key:
            print(addr[0])
            return 0
    return 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "pac":
        pac(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "pns":
        pns(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "gre-send":
        gre_send(sys.argv[2], int(sys.argv[3], 16))
    elif len(sys.argv) == 5 and sys.argv[1] == "gre-recv":
        sys.exit(gre_recv(int(sys.argv[2], 16), float(sys.argv[3]), sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
