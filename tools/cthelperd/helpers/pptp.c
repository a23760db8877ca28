// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PPTP helper (TCP 1723, RFC 2637): a call set up on the control
 * connection opens its two GRE flows, as nf_conntrack_pptp does: the PNS
 * (the client, which connected to port 1723) and the PAC exchange call IDs
 * in an Outgoing-Call-Request and its Reply (or an Incoming-Call-Request
 * and its Reply); once the reply says the call is up, GRE from the PAC
 * keyed with the PNS's call ID, and GRE from the PNS keyed with the PAC's,
 * are expected. The GRE key travels in the expectation as the port of
 * protocol 47 (ctnetlink's GRE tuple); under NAT each expectation follows
 * the master's NAT (nat-follow-master rewrites the key of GRE towards the
 * inside host back to its call ID).
 *
 * As the kernel: a call only after a Start-Control-Connection-Reply that
 * accepted the session, a reply only to the request of this connection
 * (its Peer's Call ID), each message in the direction its sender has. Not
 * as the kernel: the kernel also records the pair of keys in its GRE
 * keymap, so that one conntrack tracks both GRE directions; user space
 * cannot set that map (nothing in ctnetlink or a queue verdict does), so
 * each direction becomes a conntrack of its own, related to the control
 * connection, and unreplied. The kernel removes a call's GRE conntracks and
 * expectations on Call-Clear-Request and Call-Disconnect-Notify; a verdict
 * cannot remove anything, so here they expire. NAT does not rewrite call
 * IDs (nf_nat_pptp does): two PNS behind one SNAT that pick the same call
 * ID towards one PAC collide, and the kernel refuses the second's
 * expectation (counted as a kernel error).
 *
 * Messages are read from the start of established segments, whole ones
 * only, as the kernel reads them; a message cut by the segment's end is
 * counted lost.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include "../helper.h"
#include "pptp.h"

/* RFC 2637's message lengths, by Control Message Type */
static const uint16_t pptp_min_len[] = {
	[1] = 156, [2] = 156, [3] = 16, [4] = 16, [5] = 16, [6] = 20, [7] = 168,
	[8] = 32, [9] = 220, [10] = 24, [11] = 28, [12] = 16, [13] = 148,
	[14] = 40, [15] = 24,
};

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int pptp_parse(const uint8_t *data, size_t len, struct pptp_msg *msg)
{
	uint32_t magic;

	memset(msg, 0, sizeof(*msg));
	if (len < PPTP_HEADER_LEN)
		return 0;
	msg->length = be16_at(data);
	msg->type = be16_at(data + 8);
	magic = (uint32_t)be16_at(data + 4) << 16 | be16_at(data + 6);
	/* Message Type 1 is control; Reserved0 must be 0 */
	if (be16_at(data + 2) != 1 || magic != PPTP_MAGIC_COOKIE || be16_at(data + 10) ||
	    msg->type == 0 || msg->type >= sizeof(pptp_min_len) / sizeof(pptp_min_len[0]) ||
	    msg->length < pptp_min_len[msg->type] || msg->length > PPTP_MESSAGE_MAX)
		return -EINVAL;
	if (msg->length > len)
		return 0;
	switch (msg->type) {
	case PPTP_SCCRP:
		msg->result = data[14];		/* after Protocol Version */
		break;
	case PPTP_OCRP:
	case PPTP_ICRP:
		msg->call_id = be16_at(data + 12);
		msg->peer_call_id = be16_at(data + 14);
		msg->result = data[16];
		break;
	case PPTP_OCRQ:
	case PPTP_ICRQ:
	case PPTP_CCRQ:
	case PPTP_CDN:
		msg->call_id = be16_at(data + 12);
		break;
	case PPTP_ICCN:
	case 14:	/* WAN-Error-Notify */
	case PPTP_SLI:
		msg->peer_call_id = be16_at(data + 12);
		break;
	}
	return msg->length;
}

#define PPTP_PRIV_VERSION	0x50505450u	/* "PPTP": never all zeroes once seen */

enum pptp_call {
	PPTP_CALL_NONE = 0,
	PPTP_CALL_OUT_REQUESTED,	/* OCRQ seen: pns_call_id */
	PPTP_CALL_IN_REQUESTED,		/* ICRQ seen: pac_call_id */
};

struct pptp_priv {
	uint32_t version;
	uint16_t pns_call_id;
	uint16_t pac_call_id;
	uint8_t session_up;		/* an SCCRP accepted the session */
	uint8_t call;			/* enum pptp_call */
	uint8_t pad[2];
};

_Static_assert(sizeof(struct pptp_priv) == 12, "pptp private data layout");

/* Result Codes that mean the call is up (OCRP: Connected, ICRP: Connect) */
#define PPTP_RESULT_OK		1

/* GRE from the PAC to the PNS keyed pns, and from the PNS to the PAC keyed pac. */
static void pptp_expect_call(const struct cthd_conntrack *ct, uint16_t pns, uint16_t pac,
			     struct cthd_result *res)
{
	struct cthd_expect exp;

	cthd_expect_to_sender(&exp, ct, CTHD_DIR_ORIGINAL, IPPROTO_GRE, pns, pns, false);
	if (cthd_result_add_expect(res, &exp) < 0)
		res->lost++;
	cthd_expect_to_sender(&exp, ct, CTHD_DIR_REPLY, IPPROTO_GRE, pac, pac, false);
	if (cthd_result_add_expect(res, &exp) < 0)
		res->lost++;
}

/* One message from the PNS (ORIGINAL) or the PAC (REPLY). */
static void pptp_message(const struct pptp_msg *m, enum cthd_dir dir,
			 const struct cthd_conntrack *ct, struct pptp_priv *p,
			 struct cthd_result *res)
{
	bool from_pns = dir == CTHD_DIR_ORIGINAL;

	switch (m->type) {
	case PPTP_SCCRP:
		if (from_pns)
			goto wrong_side;
		p->session_up = m->result == PPTP_RESULT_OK;
		p->call = PPTP_CALL_NONE;
		break;
	case PPTP_OCRQ:
		if (!from_pns)
			goto wrong_side;
		if (!p->session_up)
			goto out_of_order;
		p->pns_call_id = m->call_id;
		p->call = PPTP_CALL_OUT_REQUESTED;
		break;
	case PPTP_OCRP:
		if (from_pns)
			goto wrong_side;
		if (p->call != PPTP_CALL_OUT_REQUESTED || m->peer_call_id != p->pns_call_id)
			goto out_of_order;
		p->call = PPTP_CALL_NONE;
		p->pac_call_id = m->call_id;
		if (m->result == PPTP_RESULT_OK)
			pptp_expect_call(ct, p->pns_call_id, p->pac_call_id, res);
		break;
	case PPTP_ICRQ:
		if (from_pns)
			goto wrong_side;
		if (!p->session_up)
			goto out_of_order;
		p->pac_call_id = m->call_id;
		p->call = PPTP_CALL_IN_REQUESTED;
		break;
	case PPTP_ICRP:
		if (!from_pns)
			goto wrong_side;
		if (p->call != PPTP_CALL_IN_REQUESTED || m->peer_call_id != p->pac_call_id)
			goto out_of_order;
		p->call = PPTP_CALL_NONE;
		p->pns_call_id = m->call_id;
		if (m->result == PPTP_RESULT_OK)
			pptp_expect_call(ct, p->pns_call_id, p->pac_call_id, res);
		break;
	case PPTP_SCCRQ:
		if (!from_pns)
			goto wrong_side;
		break;
	default:
		break;
	}
	return;
wrong_side:
out_of_order:
	res->parse_errors++;
}

static int pptp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			void *priv, struct cthd_result *res)
{
	struct pptp_priv *p = priv, before;
	size_t off = 0;

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	if (!pkt->established || !pkt->payload_len)
		return 0;
	before = *p;
	if (p->version != PPTP_PRIV_VERSION)
		memset(p, 0, sizeof(*p));
	p->version = PPTP_PRIV_VERSION;
	while (off < pkt->payload_len) {
		struct pptp_msg m;
		int n = pptp_parse(pkt->payload + off, pkt->payload_len - off, &m);

		if (n < 0) {
			res->parse_errors++;
			break;
		}
		if (n == 0) {
			res->lost++;
			break;
		}
		pptp_message(&m, pkt->dir, ct, p, res);
		off += (size_t)n;
	}
	res->priv_changed = memcmp(&before, p, sizeof(before)) != 0;
	return 0;
}

/* nf_conntrack_pptp's policy: the two GRE flows of a call, 5 minutes */
static const struct cthd_helper pptp_helper = {
	.name = "pptp",
	.l4proto = IPPROTO_TCP,
	.default_port = 1723,
	.n_policies = 1,
	.policies = { { .name = "gre", .max_expected = 2, .timeout = 300 } },
	.priv_len = sizeof(struct pptp_priv),
	.process = pptp_process,
};

CTHD_HELPER_REGISTER(pptp_helper);
