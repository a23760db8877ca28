#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal UPnP control point that subscribes to events, for the VM tests.

usage: upnp_cp.py SRC GROUP CBPORT SECONDS [CBADDR]

From SRC (an IPv6 SRC as ADDR%IFNAME) it multicasts an M-SEARCH to
GROUP:1900, takes the first answer's LOCATION, fetches the description
there, and sends a SUBSCRIBE (UDA 1.1, 4.1.2) to the first eventSubURL on
a new connection, with CALLBACK <http://CBADDR:CBPORT/> (CBADDR: SRC's
address unless given); it listens on SRC:CBPORT and waits for the
device's first NOTIFY, all within SECONDS. It prints one line per step: "location URL",
"description N bytes", "subscribed SID" (or "subscribe failed ..."),
"notify from ADDR PORT" for the NOTIFY connection. Debian has no
scriptable UPnP eventing client (miniupnpc does not subscribe, gupnp's
tools are not packaged), so this is the project's own, as a control point
writes these messages.
"""
import re
import select
import socket
import sys
import time
import urllib.parse


def sockaddr(family, addr, port):
    """(addr, port) or, for IPv6, with the scope of a trailing %IFNAME."""
    if family == socket.AF_INET:
        return (addr, port)
    addr, _, ifname = addr.partition('%')
    return (addr, port, 0, socket.if_nametoindex(ifname) if ifname else 0)


def http(family, src, url, request, deadline):
    """Send request to url's host from src; return the answer's bytes."""
    u = urllib.parse.urlsplit(url)
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(max(0.1, deadline - time.time()))
    s.bind(sockaddr(family, src, 0))
    s.connect(sockaddr(family, u.hostname + ('%' + src.partition('%')[2] if '%' in src else ''),
                       u.port or 80))
    s.sendall(request)
    data = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def main():
    src, group, cbport, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    family = socket.AF_INET6 if ':' in group else socket.AF_INET
    addr = src.partition('%')[0]
    cbaddr = sys.argv[5] if len(sys.argv) > 5 else addr
    deadline = time.time() + seconds

    lsn = socket.socket(family, socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind(sockaddr(family, src, cbport))
    lsn.listen(8)

    u = socket.socket(family, socket.SOCK_DGRAM)
    u.bind(sockaddr(family, src, 0))
    host = '[%s]' % group if family == socket.AF_INET6 else group
    search = ('M-SEARCH * HTTP/1.1\r\nHOST: %s:1900\r\nST: ssdp:all\r\n'
              'MAN: "ssdp:discover"\r\nMX: 1\r\n\r\n' % host).encode()
    u.sendto(search, sockaddr(family, group + ('%' + src.partition('%')[2] if '%' in src else ''),
                              1900))
    location = None
    while location is None and time.time() < deadline:
        if not select.select([u], [], [], max(0, deadline - time.time()))[0]:
            break
        data, _ = u.recvfrom(65535)
        m = re.search(rb'\r\nLOCATION: *([^\r]*)\r\n', data, re.I)
        if m:
            location = m.group(1).decode()
    if location is None:
        print('no answer', flush=True)
        return 1
    print('location', location, flush=True)

    u = urllib.parse.urlsplit(location)
    desc = http(family, src, location, ('GET %s HTTP/1.1\r\nHOST: %s\r\nConnection: close\r\n\r\n'
                                        % (u.path, u.netloc)).encode(), deadline)
    print('description', len(desc), 'bytes', flush=True)
    m = re.search(rb'<eventSubURL>([^<]*)</eventSubURL>', desc)
    if not m:
        print('no eventSubURL', flush=True)
        return 1
    evurl = urllib.parse.urljoin(location, m.group(1).decode())
    cbhost = '[%s]' % cbaddr if family == socket.AF_INET6 else cbaddr
    answer = http(family, src, evurl, (
        'SUBSCRIBE %s HTTP/1.1\r\nHOST: %s\r\nUSER-AGENT: Debian/12 UPnP/1.1 upnp_cp/1\r\n'
        'CALLBACK: <http://%s:%d/>\r\nNT: upnp:event\r\nTIMEOUT: Second-300\r\n'
        'Content-Length: 0\r\n\r\n' % (urllib.parse.urlsplit(evurl).path, u.netloc, cbhost, cbport)
    ).encode(), deadline)
    m = re.search(rb'\r\nSID: *([^\r]*)\r\n', answer, re.I)
    if not answer.startswith(b'HTTP/1.1 200') or not m:
        print('subscribe failed', answer[:60], flush=True)
        return 1
    print('subscribed', m.group(1).decode(), flush=True)

    while time.time() < deadline:
        if not select.select([lsn], [], [], max(0, deadline - time.time()))[0]:
            break
        c, peer = lsn.accept()
        c.settimeout(2)
        try:
            head = c.recv(65536)
            c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
        except OSError:
            head = b''
        c.close()
        print('notify from', peer[0], peer[1], head.split(b'\r\n')[0].decode('ascii', 'replace'),
              flush=True)
        return 0
    print('no notify', flush=True)
    return 1


if __name__ == '__main__':
    sys.exit(main())
