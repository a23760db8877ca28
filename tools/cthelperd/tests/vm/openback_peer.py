#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The made-up protocol of examples/openback, both ends.

server ADDR: listen on ADDR port 7777; answer "HELLO" with "WELCOME", and
        "OPEN <port>" by connecting back to the client's address at <port>,
        sending "hello" (3 s); runs until killed.
client SERVER MYADDR PORT: listen on MYADDR:PORT, greet SERVER:7777, ask
        for a call-back there, wait 8 s for it.
exit (client): 0 the call-back arrived and said hello; 1 it did not; 2 setup
"""
import socket
import sys

def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

if sys.argv[1] == "server":
    addr = sys.argv[2]
    srv = socket.socket(family(addr), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, 7777))
    srv.listen(8)
    print("listening", flush=True)
    while True:
        conn, peer = srv.accept()
        f = conn.makefile("r")
        if f.readline().strip() != "HELLO":
            conn.close()
            continue
        conn.sendall(b"WELCOME\r\n")
        line = f.readline().strip()
        if line.startswith("OPEN "):
            try:
                back = socket.create_connection((peer[0], int(line[5:])), timeout=3)
                back.sendall(b"hello\n")
                back.close()
                conn.sendall(b"OK\r\n")
            except OSError as e:
                conn.sendall(("FAIL %s\r\n" % e).encode())
        conn.close()

server, myaddr, port = sys.argv[2], sys.argv[3], int(sys.argv[4])
try:
    lsn = socket.socket(family(myaddr), socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind((myaddr, port))
    lsn.listen(1)
    lsn.settimeout(8)
    ctl = socket.create_connection((server, 7777), timeout=8)
    ctl.sendall(b"HELLO\r\n")
    replies = ctl.makefile("r")
    if replies.readline().strip() != "WELCOME":
        print("setup: no WELCOME")
        sys.exit(2)
    ctl.sendall(b"OPEN %d\r\n" % port)
except OSError as e:
    print("setup:", e)
    sys.exit(2)
try:
    conn, _ = lsn.accept()
    got = conn.makefile("r").readline().strip()
    print("call-back says", got)
    sys.exit(0 if got == "hello" else 1)
except OSError as e:
    print("no call-back:", e, "; server:", replies.readline().strip())
    sys.exit(1)
