/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firewall's own interface addresses, as rtnetlink reports them
 * (RTM_NEWADDR / RTM_DELADDR), for the helpers that answer broadcast and
 * multicast queries (query.c): the kernel's nf_conntrack_broadcast reads
 * the outgoing device's addresses from the packet's route; a daemon gets
 * the outgoing device from the queue (NFQA_IFINDEX_OUTDEV) and keeps this
 * table from a dump taken before the privilege drop, kept up to date by
 * the address notification groups (which need no privilege to read).
 *
 * Pure code: the daemon feeds it messages, the tests and the fuzz target
 * feed it bytes.
 */
#ifndef CTHELPERD_IFADDR_H
#define CTHELPERD_IFADDR_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>

#include "helper.h"

#define CTHD_IFADDR_MAX	256

struct cthd_ifaddr {
	uint32_t ifindex;
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	bool secondary;		/* IFA_F_SECONDARY (IPv4) */
	bool has_broadcast;
	union cthd_addr local;	/* the address of this host */
	union cthd_addr broadcast;	/* IFA_BROADCAST, IPv4 */
};

struct cthd_ifaddrs {
	unsigned int n;
	unsigned int overflows;	/* addresses that did not fit */
	struct cthd_ifaddr addr[CTHD_IFADDR_MAX];
};

/*
 * Apply one rtnetlink message: RTM_NEWADDR adds or replaces the address,
 * RTM_DELADDR removes it; other types are ignored. Returns 1 when the table
 * changed, 0 when not, -EINVAL for a malformed message (the table is left
 * as it was), -ENOSPC when the table is full.
 */
int cthd_ifaddrs_apply(struct cthd_ifaddrs *t, const struct nlmsghdr *nlh);

/* The address addr of family on ifindex, or NULL. */
const struct cthd_ifaddr *cthd_ifaddrs_find(const struct cthd_ifaddrs *t, uint32_t ifindex,
					    int family, const union cthd_addr *addr);

#endif
