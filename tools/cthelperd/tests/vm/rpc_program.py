#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal ONC RPC program for the rpc helper's VM test: registers
PROG version 1 with the local rpcbind (RPCBPROC_SET, rpcbind v4, for the
netids tcp, udp, tcp6 and udp6, from a privileged port as rpcbind wants)
at PORT, then answers the NULL procedure there over TCP and UDP, IPv4 and
IPv6, until killed. usage: rpc_program.py PROG PORT"""
import socket
import struct
import sys
import threading

PROG, PORT = int(sys.argv[1]), int(sys.argv[2])


def xdr_string(s):
    b = s.encode()
    return struct.pack(">I", len(b)) + b + b"\0" * (-len(b) % 4)


def register():
    uaddr4 = "0.0.0.0.%d.%d" % (PORT >> 8, PORT & 255)
    uaddr6 = "::.%d.%d" % (PORT >> 8, PORT & 255)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 800))
    s.settimeout(5)
    for xid, (netid, uaddr) in enumerate((("tcp", uaddr4), ("udp", uaddr4),
                                          ("tcp6", uaddr6), ("udp6", uaddr6)), 1):
        call = struct.pack(">IIIIII", xid, 0, 2, 100000, 4, 1) + b"\0" * 16
        call += struct.pack(">II", PROG, 1) + xdr_string(netid) + xdr_string(uaddr)
        call += xdr_string("superuser")
        s.sendto(call, ("127.0.0.1", 111))
        reply = s.recv(200)
        if reply[-4:] != b"\0\0\0\1":
            sys.exit("rpcbind refused %s: %s" % (netid, reply.hex()))


def answer(call):
    """the accepted, successful answer to a NULL call, or None"""
    if len(call) < 24:
        return None
    xid, mtype, _, prog = struct.unpack(">IIII", call[:16])
    if mtype != 0 or prog != PROG:
        return None
    return struct.pack(">IIIIII", xid, 1, 0, 0, 0, 0)


def serve_tcp(conn):
    with conn:
        while True:
            head = conn.recv(4)
            if len(head) < 4:
                return
            n = struct.unpack(">I", head)[0] & 0x7FFFFFFF
            body = b""
            while len(body) < n:
                more = conn.recv(n - len(body))
                if not more:
                    return
                body += more
            reply = answer(body)
            if reply:
                conn.sendall(struct.pack(">I", 0x80000000 | len(reply)) + reply)


def tcp_loop():
    t = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("::", PORT))
    t.listen(8)
    while True:
        conn, _ = t.accept()
        threading.Thread(target=serve_tcp, args=(conn,), daemon=True).start()


def main():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("::", PORT))
    threading.Thread(target=tcp_loop, daemon=True).start()
    register()
    print("registered", flush=True)
    while True:
        data, peer = u.recvfrom(2048)
        reply = answer(data)
        if reply:
            u.sendto(reply, peer)


main()
