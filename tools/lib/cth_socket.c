// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One request, its replies and its errno over a NETLINK_NETFILTER socket
 * (see cthelper_nl.h). Shared by the helper and timeout messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>

#include "cthelper_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct cth_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char ext_ack[256];	/* NLMSGERR_ATTR_MSG of the last error */
	/* The kernel's dump skbs are at most 32 KiB (libmnl 1.0.5's DUMP_SIZE). */
	char buf[32768];
};

struct cth_nl *cth_nl_open(void)
{
	struct cth_nl *nl;
	int one = 1, saved;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl->sock)
		goto err_free;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err_close;
	/* Best effort: older kernels simply send no extended ack. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Not 0, so replies to an earlier process on this port never match. */
	nl->seq = (uint32_t)time(NULL);
	return nl;

err_close:
	saved = errno;
	mnl_socket_close(nl->sock);
	errno = saved;
err_free:
	saved = errno;
	free(nl);
	errno = saved;
	return NULL;
}

void cth_nl_close(struct cth_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

const char *cth_nl_ext_ack(const struct cth_nl *nl)
{
	return nl->ext_ack[0] ? nl->ext_ack : NULL;
}

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

/* Context of one request: the control callbacks need the socket. */
struct request_ctx {
	struct cth_nl *nl;
	cth_msg_cb_t cb;
	void *data;
};

/* Remember the kernel's text for an error, then report its errno. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	struct request_ctx *ctx = data;
	struct cth_nl *nl = ctx->nl;
	unsigned int offset;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP;	/* the ack */

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* Without NLM_F_CAPPED the request is echoed before the TLVs. */
		offset = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (mnl_nlmsg_size(offset) <= nlh->nlmsg_len &&
		    mnl_attr_parse(nlh, offset, ext_ack_attr_cb, tb) >= 0 &&
		    tb[NLMSGERR_ATTR_MSG] &&
		    mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING) == 0) {
			strncpy(nl->ext_ack, mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]),
				sizeof(nl->ext_ack) - 1);
		}
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* End of a dump; it may carry the dump's error. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		const int *error = mnl_nlmsg_get_payload(nlh);

		if (*error < 0) {
			errno = -*error;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

int cth_nl_request(struct cth_nl *nl, struct nlmsghdr *nlh,
		   cth_msg_cb_t cb, void *data)
{
	mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP]	= noop_cb,
		[NLMSG_ERROR]	= error_cb,
		[NLMSG_DONE]	= done_cb,
		[NLMSG_OVERRUN]	= noop_cb,
	};
	struct request_ctx ctx = { .nl = nl, .cb = cb, .data = data };
	ssize_t len;
	int ret;

	nl->ext_ack[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_pid = 0;	/* to the kernel */

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (len < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, len, nl->seq, nl->portid,
				  data_cb, &ctx, ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}
