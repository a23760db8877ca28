// SPDX-License-Identifier: GPL-2.0-or-later
/* The firewall's interface addresses from rtnetlink: see ifaddr.h. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>

#include "ifaddr.h"

struct ifa_attrs {
	const struct nlattr *local, *address, *broadcast, *flags;
};

static int ifa_attr_cb(const struct nlattr *attr, void *data)
{
	struct ifa_attrs *a = data;

	/* unknown attributes are skipped: newer kernels add some */
	switch (mnl_attr_get_type(attr)) {
	case IFA_LOCAL:
		a->local = attr;
		break;
	case IFA_ADDRESS:
		a->address = attr;
		break;
	case IFA_BROADCAST:
		a->broadcast = attr;
		break;
	case IFA_FLAGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		a->flags = attr;
		break;
	}
	return MNL_CB_OK;
}

static bool addr_of(const struct nlattr *attr, size_t alen, union cthd_addr *out)
{
	if (!attr || mnl_attr_get_payload_len(attr) != alen)
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out, mnl_attr_get_payload(attr), alen);
	return true;
}

const struct cthd_ifaddr *cthd_ifaddrs_find(const struct cthd_ifaddrs *t, uint32_t ifindex,
					    int family, const union cthd_addr *addr)
{
	for (unsigned int i = 0; t && i < t->n; i++) {
		const struct cthd_ifaddr *a = &t->addr[i];

		if (a->ifindex == ifindex && a->family == family &&
		    !memcmp(&a->local, addr, sizeof(*addr)))
			return a;
	}
	return NULL;
}

int cthd_ifaddrs_apply(struct cthd_ifaddrs *t, const struct nlmsghdr *nlh)
{
	struct ifa_attrs attrs = { 0 };
	const struct ifaddrmsg *ifa;
	struct cthd_ifaddr a = { 0 };
	const struct cthd_ifaddr *old;
	uint32_t flags;
	size_t alen;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return 0;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa))
		return -EINVAL;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family == AF_INET)
		alen = 4;
	else if (ifa->ifa_family == AF_INET6)
		alen = 16;
	else
		return 0;
	if (ifa->ifa_prefixlen > alen * 8 || ifa->ifa_index == 0)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*ifa), ifa_attr_cb, &attrs) < 0)
		return -EINVAL;
	/* IPv4: IFA_LOCAL is ours, IFA_ADDRESS a point-to-point peer's */
	if (!addr_of(attrs.local, alen, &a.local) && !addr_of(attrs.address, alen, &a.local))
		return -EINVAL;
	flags = attrs.flags ? mnl_attr_get_u32(attrs.flags) : ifa->ifa_flags;
	a.ifindex = ifa->ifa_index;
	a.family = ifa->ifa_family;
	a.prefixlen = ifa->ifa_prefixlen;
	a.secondary = flags & IFA_F_SECONDARY;
	a.has_broadcast = alen == 4 && addr_of(attrs.broadcast, alen, &a.broadcast);

	old = cthd_ifaddrs_find(t, a.ifindex, a.family, &a.local);
	if (nlh->nlmsg_type == RTM_DELADDR) {
		if (!old)
			return 0;
		/* order does not matter: the last one fills the hole */
		t->addr[old - t->addr] = t->addr[--t->n];
		return 1;
	}
	/* an address that failed duplicate detection is not ours to use */
	if (flags & IFA_F_DADFAILED) {
		if (old)
			t->addr[old - t->addr] = t->addr[--t->n];
		return old ? 1 : 0;
	}
	if (old) {
		if (!memcmp(old, &a, sizeof(a)))
			return 0;
		t->addr[old - t->addr] = a;
		return 1;
	}
	if (t->n >= CTHD_IFADDR_MAX) {
		t->overflows++;
		return -ENOSPC;
	}
	t->addr[t->n++] = a;
	return 1;
}
