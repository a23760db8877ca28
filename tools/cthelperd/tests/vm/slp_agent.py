#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal SLPv2 service agent (RFC 2608), for the VM tests.

usage: slp_agent.py IFNAME URL

Debian 12 ships no SLP agent (OpenSLP was dropped), so this is the
project's own: it listens on UDP 427 (IPv4 and IPv6), joins
239.255.255.253 and ff02::116 on IFNAME, and answers every SrvRqst with a
SrvRply carrying URL, from port 427 to the requester's address and port,
as an SA does. It prints "ready" once listening.
"""
import select
import socket
import struct
import sys


def reply(request, url):
    """The SrvRply to a SrvRqst: same XID and language tag."""
    xid = request[10:12]
    tag_len = struct.unpack('>H', request[12:14])[0]
    tag = request[14:14 + tag_len]
    body = struct.pack('>HH', 0, 1)                       # no error, 1 URL
    body += struct.pack('>BHH', 0, 60, len(url)) + url + b'\0'   # URL entry, no auth
    length = 14 + tag_len + len(body)
    header = bytes([2, 2]) + length.to_bytes(3, 'big') + b'\0\0' + b'\0\0\0' + xid
    return header + struct.pack('>H', tag_len) + tag + body


def main():
    ifname, url = sys.argv[1], sys.argv[2].encode()
    ifindex = socket.if_nametoindex(ifname)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s4.bind(('', 427))
    s4.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                  socket.inet_aton('239.255.255.253') + socket.inet_aton('0.0.0.0'))
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s6.bind(('::', 427))
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                  socket.inet_pton(socket.AF_INET6, 'ff02::116') + struct.pack('=I', ifindex))
    print('ready', flush=True)
    while True:
        for s in select.select([s4, s6], [], [])[0]:
            data, peer = s.recvfrom(65535)
            if len(data) >= 14 and data[0] == 2 and data[1] == 1:
                s.sendto(reply(data, url), peer)
                print('answered', peer[0], peer[1], flush=True)


if __name__ == '__main__':
    main()
