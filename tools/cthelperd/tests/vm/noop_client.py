#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Control-packet load for the benchmark: one FTP control connection,
COUNT NOOP commands each answered before the next. Prints the number of
control round trips per second.

usage: noop_client.py SERVER COUNT
"""
import socket
import sys
import time

server, count = sys.argv[1], int(sys.argv[2])
ctl = socket.create_connection((server, 21), timeout=10)
ctl.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = ctl.makefile("rb")
f.readline()
# vsftpd answers NOOP only after login
ctl.sendall(b"USER anonymous\r\n")
if f.readline().startswith(b"331"):
    ctl.sendall(b"PASS x\r\n")
    f.readline()
start = time.monotonic()
for _ in range(count):
    ctl.sendall(b"NOOP\r\n")
    if not f.readline().startswith(b"200"):
        sys.exit("NOOP refused")
elapsed = time.monotonic() - start
ctl.sendall(b"QUIT\r\n")
print("%.1f" % (count / elapsed))
