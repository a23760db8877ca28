#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one UDP query from a fixed address and port, print every answer.

usage: udp_query.py SRC SPORT DST DPORT HEXPAYLOAD SECONDS
       udp_query.py --send SRC SPORT DST DPORT TEXT

The query goes from SRC:SPORT (broadcast allowed; an IPv6 link-local
SRC is given as fe80::x%IFNAME) to DST:DPORT; then for SECONDS each
datagram that arrives is printed as "from ADDR PORT PAYLOAD" (the payload
as text when printable, else hex). The VM tests use it to see which
answers a firewall lets back to a query's port. --send sends TEXT once
(SO_REUSEADDR: a server may hold the port), for the answers.
"""
import socket
import sys
import time


def sockaddr(family, addr, port):
    """(addr, port) or, for IPv6, with the scope of a trailing %IFNAME."""
    if family == socket.AF_INET:
        return (addr, int(port))
    addr, _, ifname = addr.partition('%')
    return (addr, int(port), 0, socket.if_nametoindex(ifname) if ifname else 0)


def send(src, sport, dst, dport, text):
    family = socket.AF_INET6 if ':' in dst else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(sockaddr(family, src, sport))
    s.sendto(text.encode(), sockaddr(family, dst, dport))


def main():
    if sys.argv[1] == '--send':
        send(*sys.argv[2:7])
        return
    src, sport, dst, dport, payload, seconds = sys.argv[1:7]
    family = socket.AF_INET6 if ':' in dst else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.bind(sockaddr(family, src, sport))
        if '%' in src:
            ifindex = socket.if_nametoindex(src.split('%')[1])
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
            dest = (dst, int(dport), 0, ifindex)
        else:
            dest = sockaddr(family, dst, dport)
    else:
        s.bind((src, int(sport)))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
        dest = (dst, int(dport))
    s.sendto(bytes.fromhex(payload), dest)
    print("sent", flush=True)
    end = time.monotonic() + float(seconds)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            break
        text = data.decode('ascii', 'replace') if data.isascii() and data.strip().isalnum() else data.hex()
        print("from", peer[0].split('%')[0], peer[1], text, flush=True)


if __name__ == '__main__':
    main()
