// SPDX-License-Identifier: GPL-2.0-or-later
/* Request/ack over libmnl, shared by the queue set-up, ctnetlink and the probe. */
#include <errno.h>

#include "nl_request.h"

int cthd_nl_request(struct mnl_socket *nl, const struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data)
{
	/* a queue may deliver a whole (GSO) packet before the ack */
	static char buf[0x10000 + 4096];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (rc == MNL_CB_OK);
	return rc < 0 ? -errno : 0;
}
