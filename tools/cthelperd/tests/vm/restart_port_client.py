#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""FTP client for the restart test: logs in, then waits until the test has
restarted cthelperd, then sends PORT in one segment. The restarted daemon
reads a segment from its first byte only where it knows a line starts; it
knows that only from the private data the kernel kept, so the data
connection gets through the firewall only if that round trip works.

usage: restart_port_client.py SERVER MYADDR PORT SIGNAL_FILE GO_FILE EXPECTED_SIZE
"""
import os
import socket
import sys
import time

server, myaddr, port, signal_file, go_file, size = sys.argv[1:7]
port, size = int(port), int(size)


def reply(f):
    line = f.readline()
    # multi-line replies: "123-..." until "123 ..."
    while len(line) > 3 and line[3:4] == "-":
        line = f.readline()
    return line


ctl = socket.create_connection((server, 21), timeout=10)
ctl.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = ctl.makefile("r", encoding="latin-1", newline="\r\n")
assert reply(f).startswith("220"), "no banner"
ctl.sendall(b"USER anonymous\r\n")
line = reply(f)
if line.startswith("331"):  # vsftpd's no_anon_password logs in at once
    ctl.sendall(b"PASS x\r\n")
    line = reply(f)
assert line.startswith("230"), "login: " + line
ctl.sendall(b"TYPE I\r\n")
assert reply(f).startswith("200"), "TYPE I"


data = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
data.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
data.bind((myaddr, port))
data.listen(1)
data.settimeout(10)

arg = ",".join(myaddr.split(".") + [str(port >> 8), str(port & 0xFF)])
open(signal_file, "w").close()
for _ in range(200):
    if os.path.exists(go_file):
        break
    time.sleep(0.1)
else:
    sys.exit("the test never restarted the daemon")
ctl.sendall(("PORT " + arg + "\r\n").encode())
line = reply(f)
assert line.startswith("200"), "PORT: " + line
ctl.sendall(b"RETR file\r\n")
conn, _ = data.accept()
got = 0
while True:
    chunk = conn.recv(65536)
    if not chunk:
        break
    got += len(chunk)
conn.close()
line = reply(f)
while line.startswith("150"):
    line = reply(f)
assert line.startswith("226"), "RETR: " + line
assert got == size, "got %d bytes, want %d" % (got, size)
ctl.sendall(b"QUIT\r\n")
print("transfer ok", got)
