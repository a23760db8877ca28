/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rtnetlink socket that keeps the daemon's table of the firewall's
 * addresses (ifaddr.h) up to date: opened and dumped before the privilege
 * drop (after it, seccomp allows no new netlink socket), then read from
 * the event loop. Reading the address groups needs no privilege.
 */
#ifndef CTHELPERD_IFADDR_NL_H
#define CTHELPERD_IFADDR_NL_H

#include <libmnl/libmnl.h>
#include <stddef.h>

#include "ifaddr.h"

struct cthd_ifaddr_nl {
	struct mnl_socket *nl;
	uint32_t seq;
	struct cthd_ifaddrs table;
	unsigned int resyncs;		/* dumps again after lost notifications */
	unsigned int forged;		/* messages not from the kernel, ignored */
};

/*
 * Open, join the IPv4 and IPv6 address groups, dump the addresses into
 * n->table. Returns 0 or -errno with a message in err.
 */
int cthd_ifaddr_nl_open(struct cthd_ifaddr_nl *n, char *err, size_t errlen);

/*
 * Apply what is pending, without blocking. After an overrun (ENOBUFS:
 * notifications were lost) the table is emptied and dumped again: until
 * the dump is in, queries get no expectation rather than a wrong one.
 * Returns 0 or -errno.
 */
int cthd_ifaddr_nl_read(struct cthd_ifaddr_nl *n);

int cthd_ifaddr_nl_fd(const struct cthd_ifaddr_nl *n);
void cthd_ifaddr_nl_close(struct cthd_ifaddr_nl *n);

#endif
