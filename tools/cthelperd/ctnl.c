// SPDX-License-Identifier: GPL-2.0-or-later
/* ctnetlink EXP_NEW requests; the socket is opened before privileges are
 * dropped: netlink checks the capabilities of whoever opened it. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "ctnl.h"
#include "expect_nl.h"
#include "nl_request.h"

int cthd_ctnl_open(struct cthd_ctnl *c)
{
	/* an ack takes microseconds; do not let a lost one stall the loop */
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

	memset(c, 0, sizeof(*c));
	c->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!c->nl)
		return -errno;
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(c->nl);
		c->nl = NULL;
		return err;
	}
	setsockopt(mnl_socket_get_fd(c->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

void cthd_ctnl_close(struct cthd_ctnl *c)
{
	if (c->nl)
		mnl_socket_close(c->nl);
	c->nl = NULL;
}

int cthd_ctnl_add_expect(struct cthd_ctnl *c, const struct cthd_expect *exp,
			 const struct cthd_conntrack *master)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (!c->nl)
		return -ENOTCONN;
	nlh = cthd_expect_build_new(buf, sizeof(buf), ++c->seq, exp, master);
	if (!nlh)
		return -EMSGSIZE;
	return cthd_nl_request(c->nl, nlh, NULL, NULL);
}
