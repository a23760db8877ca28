#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A scripted IRC client for DCC through a firewall (irssi, which writes
offers the same way, wants a terminal).

usage:
  dcc_client.py offer SERVER NICK PEER MYADDR FILE [PORT]
      Register as NICK, listen on PORT or a free port (any address of
      MYADDR's family), offer FILE to PEER (online already) with DCC SEND as irssi
      writes it, with the address MYADDR (in decimal for IPv4, a literal
      for IPv6), send FILE to whoever connects (15 s), wait for the
      receiver's acknowledgement.
      exit 0: the file was taken; 1: nobody came.
  dcc_client.py receive SERVER NICK OUT READY [CONNECT_TO]
      Register as NICK, create the file READY, wait for a DCC SEND (30 s),
      connect to the announced address (or to CONNECT_TO) and port (5 s),
      receive the file into OUT, acknowledge it (the DCC SEND protocol: a
      32-bit count).
      exit 0: received; 1: the connection failed; 2: no offer came.
Prints what it does on stderr (the test shows it on failure).
"""
import ipaddress
import os
import select
import socket
import struct
import sys
import time


def log(*a):
    print(sys.argv[1], *a, file=sys.stderr, flush=True)


class Irc:
    def __init__(self, server, nick):
        family = socket.AF_INET6 if ":" in server else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect((server, 6667))
        self.buf = b""
        self.nick = nick
        self.send("NICK %s" % nick)
        self.send("USER %s 0 * :%s" % (nick, nick))
        self.wait(lambda l: " 001 " in l, 15)

    def send(self, line):
        log(">", repr(line))
        self.sock.sendall(line.encode("latin-1") + b"\r\n")

    def lines(self, timeout):
        end = time.time() + timeout
        while time.time() < end:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                line = line.rstrip(b"\r").decode("latin-1")
                if line.startswith("PING"):
                    self.send("PONG" + line[4:])
                    continue
                yield line
            r, _, _ = select.select([self.sock], [], [], max(0, end - time.time()))
            if r:
                data = self.sock.recv(4096)
                if not data:
                    return
                self.buf += data

    def wait(self, pred, timeout):
        for line in self.lines(timeout):
            log("<", repr(line))
            if pred(line):
                return line
        raise TimeoutError("nothing matched")


def dcc_address(addr):
    ip = ipaddress.ip_address(addr)
    return str(int(ip)) if ip.version == 4 else str(ip)


def offer(server, nick, peer, myaddr, path, port=0):
    irc = Irc(server, nick)
    family = socket.AF_INET6 if ":" in myaddr else socket.AF_INET
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", int(port)))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    data = open(path, "rb").read()
    irc.send("PRIVMSG %s :\x01DCC SEND %s %s %d %d\x01" %
             (peer, os.path.basename(path), dcc_address(myaddr), port, len(data)))
    lsock.settimeout(15)
    try:
        conn, who = lsock.accept()
    except socket.timeout:
        conn = None
    if conn:
        log("connection from", who)
        conn.settimeout(10)
        conn.sendall(data)
        got = b""
        while len(got) < 4:
            chunk = conn.recv(4 - len(got))
            if not chunk:
                break
            got += chunk
        acked = struct.unpack("!I", got)[0] if len(got) == 4 else -1
        log("acknowledged", acked, "of", len(data))
        return 0 if acked == len(data) else 1
    log("nobody connected")
    return 1


def receive(server, nick, out, ready, connect_to=None):
    irc = Irc(server, nick)
    open(ready, "w").close()
    try:
        line = irc.wait(lambda l: "\x01DCC SEND " in l and " PRIVMSG " in l, 30)
    except TimeoutError:
        return 2
    words = line.split("\x01DCC SEND ", 1)[1].rstrip("\x01").split(" ")
    addr, port, size = words[-3], int(words[-2]), int(words[-1])
    addr = str(ipaddress.ip_address(int(addr))) if addr.isdigit() else addr
    addr = connect_to or addr
    log("connecting to", addr, port)
    try:
        conn = socket.create_connection((addr, port), timeout=5)
    except OSError as e:
        log("connection failed:", e)
        return 1
    conn.settimeout(10)
    got = b""
    while len(got) < size:
        chunk = conn.recv(65536)
        if not chunk:
            break
        got += chunk
    conn.sendall(struct.pack("!I", len(got)))
    open(out, "wb").write(got)
    log("received", len(got), "of", size)
    time.sleep(0.5)
    return 0 if len(got) == size else 1


if __name__ == "__main__":
    try:
        if sys.argv[1] == "offer":
            sys.exit(offer(*sys.argv[2:]))
        sys.exit(receive(*sys.argv[2:]))
    except (OSError, TimeoutError) as e:
        log("failed:", e)
        sys.exit(3)
