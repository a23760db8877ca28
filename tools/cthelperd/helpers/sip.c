// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIP helper: the SDP a user agent sends in an INVITE, UPDATE, ACK or
 * PRACK, or in a provisional or success answer to one, announces where it
 * receives media; each audio, video and image (T.38) stream opens two
 * expectations, RTP to the announced port and RTCP to the next one (or
 * RFC 3605's a=rtcp port), in the class of its media type, as
 * nf_conntrack_sip does. IPv4 and IPv6, both directions, UDP.
 *
 * The kernel's safe default, sip_direct_media: only media the sender
 * announces at its own address (as it is, or as its peer sees it after
 * NAT) are expected, and only from its signalling peer's address; a peer
 * cannot open the firewall to a third party. Tighter than the kernel:
 * - a Content-Length beyond the datagram, a second Content-Length or
 *   CSeq, a request whose CSeq names another method: the message is
 *   malformed and opens nothing;
 * - a media port below 1024 opens nothing for that stream (the kernel
 *   drops the whole message);
 * - the SDP must be declared (Content-Type: application/sdp).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../helper.h"
#include "sip.h"

static const struct cthd_helper sip_helper;

struct sip_ctx {
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct cthd_result *res;
	bool direct_media;
};

static bool sip_addr_is_senders(const struct sip_ctx *x, const struct sdp_addr *a)
{
	const struct cthd_conntrack *ct = x->ct;
	enum cthd_dir dir = x->pkt->dir;
	size_t alen = ct->family == AF_INET ? 4 : 16;

	return !memcmp(&a->addr, &ct->tuple[dir].src, alen) ||
	       !memcmp(&a->addr, &ct->tuple[cthd_dir_other(dir)].dst, alen);
}

/* One media expectation: UDP to a:port, class class. */
static void sip_expect_media(struct sip_ctx *x, const struct sdp_addr *a, uint16_t port,
			     uint8_t class)
{
	const struct cthd_conntrack *ct = x->ct;
	enum cthd_dir dir = x->pkt->dir;
	size_t alen = ct->family == AF_INET ? 4 : 16;
	struct cthd_expect exp;

	if (port < 1024) {
		x->res->parse_errors++;
		return;
	}
	/* an expectation is of its master's family: IPv6 media of an IPv4 call cannot be */
	if (a->family != ct->family) {
		x->res->lost++;
		return;
	}
	if (x->direct_media && !sip_addr_is_senders(x, a))
		return;
	if (cthd_conntrack_is_natted(ct)) {
		/* the SDP rewrite is not there yet: better nothing than half */
		x->res->lost++;
		return;
	}
	memset(&exp, 0, sizeof(exp));
	exp.class = class;
	exp.l4proto = IPPROTO_UDP;
	exp.tuple.dst = a->addr;
	memset(&exp.mask.dst, 0xff, alen);
	exp.tuple.dport = port;
	exp.mask.dport = 0xffff;
	if (x->direct_media) {
		exp.tuple.src = ct->tuple[cthd_dir_other(dir)].src;
		memset(&exp.mask.src, 0xff, alen);
	}
	if (cthd_result_add_expect(x->res, &exp) < 0)
		x->res->lost++;
}

static uint8_t sip_media_class(enum sdp_media_type type)
{
	switch (type) {
	case SDP_MEDIA_VIDEO:
		return SIP_CLASS_VIDEO;
	case SDP_MEDIA_IMAGE:
		return SIP_CLASS_IMAGE;
	default:
		return SIP_CLASS_AUDIO;
	}
}

static void sip_expect_sdp(struct sip_ctx *x, const char *body, size_t len)
{
	struct sdp sdp;

	if (sdp_parse(body, len, &sdp) < 0) {
		x->res->parse_errors++;
		return;
	}
	if (sdp.truncated)
		x->res->lost++;
	for (unsigned int i = 0; i < sdp.n_media; i++) {
		const struct sdp_media *m = &sdp.media[i];
		const struct sdp_addr *a = sdp_media_addr(&sdp, m);
		uint8_t class = sip_media_class(m->type);

		if (m->type == SDP_MEDIA_OTHER)
			continue;
		if (!m->port_valid || !a->valid) {
			x->res->parse_errors++;
			continue;
		}
		if (m->port == 0)		/* an inactive stream */
			continue;
		if (m->port < 1024) {		/* nor RTCP next to it */
			x->res->parse_errors++;
			continue;
		}
		sip_expect_media(x, a, m->port, class);
		if (m->has_rtcp) {
			if (!m->rtcp_valid)
				x->res->parse_errors++;
			else
				sip_expect_media(x, m->rtcp_addr.valid ? &m->rtcp_addr : a,
						 m->rtcp_port, class);
		} else if (m->port < 65535) {
			sip_expect_media(x, a, (uint16_t)(m->port + 1), class);
		}
	}
}

/* Which messages' SDP announces media (the kernel's sip_handlers). */
static bool sip_msg_offers_media(const struct sip_msg *m)
{
	enum sip_method method = m->request ? m->method : m->cseq_method;

	if (method != SIP_METHOD_INVITE && method != SIP_METHOD_UPDATE &&
	    method != SIP_METHOD_PRACK && !(m->request && method == SIP_METHOD_ACK))
		return false;
	return m->request || (m->code > 100 && m->code < 300);
}

static int sip_message(struct sip_ctx *x, const char *data, size_t len, bool datagram)
{
	struct sip_msg m;
	int rc = sip_parse_msg(data, len, datagram, &m);

	if (rc < 0) {
		x->res->parse_errors++;
		return rc;
	}
	if (rc == 0)
		return 0;
	if (m.sdp && m.body.len && sip_msg_offers_media(&m))
		sip_expect_sdp(x, data + m.body.off, m.body.len);
	return 0;
}

static int sip_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	struct sip_ctx x = {
		.pkt = pkt, .ct = ct, .res = res,
		.direct_media = cthd_option(&sip_helper, pkt, SIP_OPT_DIRECT_MEDIA),
	};

	(void)priv;
	if (ct->l4proto != IPPROTO_UDP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	sip_message(&x, (const char *)pkt->payload, pkt->payload_len, true);
	return 0;
}

/* nf_conntrack_sip's classes and limits */
static const struct cthd_helper sip_helper = {
	.name = "sip",
	.l4proto = IPPROTO_UDP,
	.default_port = 5060,
	.n_policies = 4,
	.policies = {
		[SIP_CLASS_SIGNALLING] = { .name = "signalling", .max_expected = 1, .timeout = 180 },
		[SIP_CLASS_AUDIO] = { .name = "audio", .max_expected = 4, .timeout = 180 },
		[SIP_CLASS_VIDEO] = { .name = "video", .max_expected = 4, .timeout = 180 },
		[SIP_CLASS_IMAGE] = { .name = "image", .max_expected = 2, .timeout = 180 },
	},
	.priv_len = sizeof(struct sip_priv),
	.process = sip_process,
	.n_options = 2,
	.options = {
		[SIP_OPT_DIRECT_MEDIA] = { .name = "sip_direct_media", .def = 1, .max = 1 },
		[SIP_OPT_DIRECT_SIGNALLING] = { .name = "sip_direct_signalling", .def = 1,
						.max = 1 },
	},
};

CTHD_HELPER_REGISTER(sip_helper);
