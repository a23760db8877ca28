// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SANE helper (saned, TCP 6566): the reply to a client's start request
 * (SANE_NET_START) announces the port the server listens on for the image
 * data; the client connects there. As nf_conntrack_sane: a start request is
 * a client message of exactly the procedure and a handle, the next server
 * message is its reply, a successful one with a port opens an expectation
 * from the client to the server at that port. The payload carries no
 * address, so under NAT nothing is rewritten and the expectation follows
 * the master's NAT (the kernel's sane helper has no NAT part). IPv4, IPv6.
 *
 * SANE messages carry no length: the net backend and saned write each one
 * at once, and a message is read only from a segment that starts where the
 * furthest one of its direction ended (the core's message layer, one
 * message per segment). Tighter than the kernel: the reply must be a whole start
 * reply (a known byte order, a resource string that fits), the port word
 * at most 65535 (the kernel takes its low 16 bits), so a reply to another
 * request that echoes client data (a pipelined CONTROL_OPTION) is not read
 * as one.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "../helper.h"
#include "sane.h"

#define SANE_STATUS_GOOD	0
#define SANE_BYTE_ORDER_LE	0x1234
#define SANE_BYTE_ORDER_BE	0x4321

static uint32_t sane_word(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int sane_parse_start_request(const uint8_t *data, size_t len)
{
	return len == SANE_START_REQUEST_LEN && sane_word(data) == SANE_NET_START;
}

int sane_parse_start_reply(const uint8_t *data, size_t len, uint16_t *port)
{
	uint32_t status, word, order, slen;

	if (len < 16)
		return -EINVAL;
	status = sane_word(data);
	word = sane_word(data + 4);
	order = sane_word(data + 8);
	slen = sane_word(data + 12);
	if (word > 65535 || (order != SANE_BYTE_ORDER_LE && order != SANE_BYTE_ORDER_BE) ||
	    slen > SANE_RESOURCE_MAX || slen > len - 16 || (slen && data[16 + slen - 1] != '\0'))
		return -EINVAL;
	if (status != SANE_STATUS_GOOD)
		return 0;
	if (word == 0)
		return -EINVAL;
	*port = (uint16_t)word;
	return 1;
}

struct sane_segment {
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct sane_priv *priv;
	struct cthd_result *res;
};

static void sane_set_requested(struct sane_segment *seg, bool requested)
{
	if (seg->priv->start_requested != requested) {
		seg->priv->start_requested = requested;
		seg->res->priv_changed = true;
	}
}

/* no length in SANE messages: the message is the rest of the segment */
static long sane_frame(void *ctx, const uint8_t *data, size_t avail)
{
	(void)ctx;
	(void)data;
	return (long)avail;
}

static int sane_message(void *ctx, const uint8_t *data, size_t len, size_t offset)
{
	struct sane_segment *seg = ctx;
	struct sane_priv *priv = seg->priv;
	struct cthd_expect exp;
	uint16_t port;
	int rc;

	(void)offset;
	if (seg->pkt->dir == CTHD_DIR_ORIGINAL) {
		sane_set_requested(seg, sane_parse_start_request(data, len));
		return 0;
	}
	if (!priv->start_requested)
		return 0;
	/* the server's next message answers the start request, whatever it is */
	sane_set_requested(seg, false);
	rc = sane_parse_start_reply(data, len, &port);
	if (rc < 0)
		seg->res->parse_errors++;
	if (rc <= 0)
		return 0;
	/* the client connects to the server's data port, as it reaches the server */
	cthd_expect_to_sender(&exp, seg->ct, CTHD_DIR_REPLY, IPPROTO_TCP, port, port, false);
	if (cthd_result_add_expect(seg->res, &exp) < 0)
		seg->res->lost++;
	return 0;
}

static const struct cthd_msg_ops sane_msg_ops = {
	.frame = sane_frame,
	.message = sane_message,
};

static int sane_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			void *priv, struct cthd_result *res)
{
	struct sane_segment seg = { .pkt = pkt, .ct = ct, .priv = priv, .res = res };

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	return cthd_stream_messages(pkt, &seg.priv->stream, res, &sane_msg_ops, &seg);
}

/* nf_conntrack_sane's policy: one expectation, 5 minutes */
static const struct cthd_helper sane_helper = {
	.name = "sane",
	.l4proto = IPPROTO_TCP,
	.default_port = 6566,
	.n_policies = 1,
	.policies = { { .name = "sane", .max_expected = 1, .timeout = 5 * 60 } },
	.priv_len = sizeof(struct sane_priv),
	.process = sane_process,
};

CTHD_HELPER_REGISTER(sane_helper);
