/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One netlink request and its acknowledgement, on a libmnl socket. */
#ifndef CTHELPERD_NL_REQUEST_H
#define CTHELPERD_NL_REQUEST_H

#include <libmnl/libmnl.h>

/*
 * Send nlh (which asks for an ack and carries its sequence number) and read
 * until that ack; cb (may be NULL) sees the data messages that arrive
 * meanwhile. Returns 0 or -errno (the kernel's error, or a local one).
 */
int cthd_nl_request(struct mnl_socket *nl, const struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data);

#endif
