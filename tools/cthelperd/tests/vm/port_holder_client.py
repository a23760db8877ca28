#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""FTP client that announces PORT MYADDR:PORT and then only listens there:
its expectation stays pending while another client behind the same SNAT
announces the same port. Nothing may connect to it: a connection would be
the server's data connection for the other client.

usage: port_holder_client.py SERVER MYADDR PORT READY_FILE GO_FILE
exit: 0 nothing connected; 1 a connection arrived; 2 setup failed
"""
import os
import socket
import sys
import time

server, myaddr, port, ready, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]


def reply(f):
    line = f.readline()
    while len(line) > 3 and line[3:4] == "-":
        line = f.readline()
    return line


data = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
data.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
data.bind((myaddr, port))
data.listen(1)
ctl = socket.create_connection((server, 21), timeout=10, source_address=(myaddr, 0))
f = ctl.makefile("r", encoding="latin-1", newline="\r\n")
reply(f)
ctl.sendall(b"USER anonymous\r\n")
line = reply(f)
if line.startswith("331"):
    ctl.sendall(b"PASS x\r\n")
    line = reply(f)
arg = ",".join(myaddr.split(".") + [str(port >> 8), str(port & 0xFF)])
ctl.sendall(("PORT " + arg + "\r\n").encode())
line = reply(f)
if not line.startswith("200"):
    print("PORT:", line.strip())
    sys.exit(2)
open(ready, "w").close()
for _ in range(300):
    if os.path.exists(go):
        break
    time.sleep(0.1)
data.settimeout(2)
try:
    conn, peer = data.accept()
    print("a connection for someone else arrived from %s:%d: %r" % (peer[0], peer[1], conn.recv(64)))
    sys.exit(1)
except socket.timeout:
    print("nothing connected to %s:%d" % (myaddr, port))
ctl.sendall(b"QUIT\r\n")
