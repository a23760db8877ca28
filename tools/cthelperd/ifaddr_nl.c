// SPDX-License-Identifier: GPL-2.0-or-later
/* The address table's rtnetlink socket: see ifaddr_nl.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ifaddr_nl.h"

static int request_dump(struct cthd_ifaddr_nl *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++n->seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	return mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

/*
 * One datagram from the socket, applied. Only the kernel's count: any
 * local process may send to our port id, and a forged RTM_NEWADDR would
 * widen every query's hole. 1 when the dump ended, 0, or -errno.
 */
static int read_one(struct cthd_ifaddr_nl *n, int flags)
{
	static char buf[65536];
	struct sockaddr_nl from;
	socklen_t fromlen = sizeof(from);
	const struct nlmsghdr *nlh;
	ssize_t got;
	int len, done = 0;

	got = recvfrom(mnl_socket_get_fd(n->nl), buf, sizeof(buf), flags,
		       (struct sockaddr *)&from, &fromlen);
	if (got < 0)
		return -errno;
	len = (int)got;
	if (fromlen != sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0) {
		n->forged++;
		return 0;
	}
	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_DONE && nlh->nlmsg_seq == n->seq)
			done = 1;
		else if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq == n->seq)
			return -EIO;
		else
			cthd_ifaddrs_apply(&n->table, nlh);	/* a bad one is skipped */
	}
	return done;
}

int cthd_ifaddr_nl_open(struct cthd_ifaddr_nl *n, char *err, size_t errlen)
{
	int rc;

	memset(n, 0, sizeof(*n));
	n->seq = (uint32_t)time(NULL);
	n->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!n->nl) {
		rc = -errno;
		snprintf(err, errlen, "rtnetlink socket: %s", strerror(-rc));
		return rc;
	}
	if (mnl_socket_bind(n->nl, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		snprintf(err, errlen, "rtnetlink address groups: %s", strerror(-rc));
		goto err;
	}
	rc = request_dump(n);
	while (rc == 0)
		rc = read_one(n, 0);
	if (rc < 0) {
		snprintf(err, errlen, "dumping the interface addresses: %s", strerror(-rc));
		goto err;
	}
	if (fcntl(mnl_socket_get_fd(n->nl), F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		snprintf(err, errlen, "rtnetlink socket: %s", strerror(-rc));
		goto err;
	}
	return 0;
err:
	cthd_ifaddr_nl_close(n);
	return rc;
}

int cthd_ifaddr_nl_read(struct cthd_ifaddr_nl *n)
{
	for (;;) {
		int rc = read_one(n, MSG_DONTWAIT);

		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			return 0;
		if (rc == -ENOBUFS) {
			/* notifications were lost: start over from a dump */
			n->table.n = 0;
			n->resyncs++;
			rc = request_dump(n);
		}
		if (rc < 0)
			return rc;
	}
}

int cthd_ifaddr_nl_fd(const struct cthd_ifaddr_nl *n)
{
	return n->nl ? mnl_socket_get_fd(n->nl) : -1;
}

void cthd_ifaddr_nl_close(struct cthd_ifaddr_nl *n)
{
	if (n->nl)
		mnl_socket_close(n->nl);
	n->nl = NULL;
}
