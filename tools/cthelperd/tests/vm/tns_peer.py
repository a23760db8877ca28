#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A scripted Oracle TNS listener and client: Debian has no Oracle software.
The packets are those of a listener's redirect as python-oracledb's thin
client and Wireshark's TNS dissector read them: an 8-byte header (16-bit
length, checksums 0, type, flags), a REDIRECT with its 16-bit data length,
the address, a NUL and the connect data (or the data in the DATA packet
after a REDIRECT with length 0, the case conntrackd's helper reads).

usage:
  tns_peer.py listener PORT...   Listen on TCP 1521 and on each PORT (IPv4
      and IPv6); answer a CONNECT on 1521 with the REDIRECT its connect data
      asks for (SERVICE_NAME=redirect_HOST_PORT_MODE, see the client);
      answer a CONNECT on a PORT with an ACCEPT and print "redirected from
      ADDR".
  tns_peer.py client SERVER HOST PORT [MODE [SECONDS]]  CONNECT to
      SERVER:1521 asking to be redirected to (HOST=HOST)(PORT=PORT) (MODE
      data: the address in a DATA packet sent after the REDIRECT; data1:
      both in one segment; "-": in the REDIRECT), follow the redirect
      (connecting within SECONDS, 5 by default), print "redirect HOST PORT"
      and "accepted"; exit 0 when the redirected server accepted, 1
      otherwise.
"""
import re
import select
import socket
import struct
import sys
import time

CONNECT, ACCEPT, REDIRECT, DATA = 1, 2, 5, 6
FLAG_REDIRECT = 0x04


def packet(ptype, body, flags=0):
    return struct.pack(">HHBBH", 8 + len(body), 0, ptype, flags, 0) + body


def read_packet(sock):
    head = b""
    while len(head) < 8:
        chunk = sock.recv(8 - len(head))
        if not chunk:
            raise EOFError("connection closed")
        head += chunk
    length, _, ptype, flags, _ = struct.unpack(">HHBBH", head)
    body = b""
    while len(body) < length - 8:
        chunk = sock.recv(length - 8 - len(body))
        if not chunk:
            raise EOFError("connection closed")
        body += chunk
    return ptype, flags, body


def connect_packet(description, flags=0):
    data = description.encode()
    # version 317, compatible 300, options, SDU, TDU, characteristics,
    # turnaround, one, data length, data offset (58), max data, flags
    fixed = struct.pack(">HHHHHHHHHHIBB", 317, 300, 0x0c41, 8192, 65535, 0x4f98, 0, 1,
                        len(data), 58, 0, 0x41, 0x41) + bytes(24)
    return packet(CONNECT, fixed + data, flags)


def description(host, service="ORCL"):
    return ("(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=%s)(PORT=1521))"
            "(CONNECT_DATA=(SERVICE_NAME=%s)(CID=(PROGRAM=selftest)(HOST=client)"
            "(USER=scott))))" % (host, service))


def listen(port):
    socks = []
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        s.listen(8)
        socks.append(s)
    return socks


def listener(ports):
    main_socks, redir_socks = listen(1521), [s for p in ports for s in listen(p)]
    while True:
        readable, _, _ = select.select(main_socks + redir_socks, [], [])
        for s in readable:
            conn, peer = s.accept()
            try:
                ptype, _, body = read_packet(conn)
                if ptype != CONNECT:
                    continue
                if s in main_socks:
                    match = re.search(rb"SERVICE_NAME=redirect_([^_)]*)_(\d+)_([a-z0-9-]*)\)",
                                      body)
                    if not match:
                        continue
                    host, port, mode = match.group(1).decode(), int(match.group(2)), \
                        match.group(3).decode()
                    address = "(ADDRESS=(PROTOCOL=tcp)(HOST=%s)(PORT=%d))" % (host, port)
                    data = address.encode() + b"\0" + description(host).encode()
                    if mode == "data":
                        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                        conn.sendall(packet(REDIRECT, struct.pack(">H", 0), FLAG_REDIRECT))
                        time.sleep(0.2)
                        conn.sendall(packet(DATA, b"\0\0" + data))
                    elif mode == "data1":
                        conn.sendall(packet(REDIRECT, struct.pack(">H", 0), FLAG_REDIRECT) +
                                     packet(DATA, b"\0\0" + data))
                    else:
                        conn.sendall(packet(REDIRECT, struct.pack(">H", len(data)) + data))
                else:
                    # version 317, options, SDU, TDU, one, no data, flags
                    conn.sendall(packet(ACCEPT, struct.pack(">HHHHHHHBB", 317, 0x0801, 8192,
                                                            65535, 0x0100, 0, 0, 0x41, 0x01)))
                    print("redirected from %s" % peer[0], flush=True)
            except (EOFError, OSError):
                pass
            finally:
                conn.close()


def client(server, to_host, to_port, mode, seconds):
    sock = socket.create_connection((server, 1521), timeout=10)
    sock.sendall(connect_packet(description(server, "redirect_%s_%s_%s" %
                                            (to_host, to_port, mode))))
    ptype, _, body = read_packet(sock)
    if ptype != REDIRECT:
        sys.exit("client: no redirect (packet type %d)" % ptype)
    length = struct.unpack(">H", body[:2])[0]
    data = body[2:]
    if not data:
        ptype, _, body = read_packet(sock)
        if ptype != DATA:
            sys.exit("client: no redirect data")
        data = body[2:]
    address = data.split(b"\0")[0].decode()
    if length and length != len(data):
        sys.exit("client: redirect data length %d, %d bytes" % (length, len(data)))
    sock.close()
    match = re.search(r"\(HOST=([^)]*)\).*\(PORT=(\d+)\)", address)
    if not match:
        sys.exit("client: no address in %r" % address)
    host, port = match.group(1).strip("[]"), int(match.group(2))
    print("redirect %s %d" % (host, port), flush=True)
    try:
        sock = socket.create_connection((host, port), timeout=seconds)
        sock.settimeout(seconds)
        sock.sendall(connect_packet(description(host), FLAG_REDIRECT))
        ptype, _, _ = read_packet(sock)
    except (OSError, EOFError) as err:
        print("redirected connection: %s" % err, flush=True)
        return 1
    print("accepted" if ptype == ACCEPT else "packet type %d" % ptype, flush=True)
    return 0 if ptype == ACCEPT else 1


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "listener":
        listener([int(p) for p in sys.argv[2:]])
    elif len(sys.argv) in (5, 6, 7) and sys.argv[1] == "client":
        sys.exit(client(sys.argv[2], sys.argv[3], sys.argv[4],
                        sys.argv[5] if len(sys.argv) > 5 else "-",
                        float(sys.argv[6]) if len(sys.argv) > 6 else 5))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
