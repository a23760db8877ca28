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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "../helper.h"
#include "../natport.h"
#include "sip.h"

static const struct cthd_helper sip_helper, sip_tcp_helper;

/* A NATed message's edits, collected in any order, sorted before they go out. */
#define SIP_EDITS_MAX	(CTHD_MANGLE_MAX - 1)	/* and Content-Length */
#define SIP_EDIT_TEXT	64			/* "[v6]:port" fits */

struct sip_edit {
	size_t off, len;
	char text[SIP_EDIT_TEXT];
	size_t text_len;
};

struct sip_ctx {
	const struct cthd_helper *helper;	/* sip (UDP) or sip-tcp */
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct cthd_result *res;
	const char *msg;		/* the message, from its first byte */
	struct sip_call_state *call;	/* the connection's, in its private data */
	bool direct_media;
	bool natted;
	unsigned int n_edits;
	bool edits_overflow;
	struct sip_edit edits[SIP_EDITS_MAX];
};

static size_t sip_alen(const struct cthd_conntrack *ct)
{
	return ct->family == AF_INET ? 4 : 16;
}

static void sip_edit(struct sip_ctx *x, size_t off, size_t len, const char *text, size_t text_len)
{
	struct sip_edit *e;

	if (x->n_edits == SIP_EDITS_MAX || text_len > SIP_EDIT_TEXT) {
		x->edits_overflow = true;
		return;
	}
	e = &x->edits[x->n_edits++];
	e->off = off;
	e->len = len;
	memcpy(e->text, text, text_len);
	e->text_len = text_len;
}

static void sip_edit_port(struct sip_ctx *x, struct sip_span at, uint16_t port)
{
	char text[8];
	int n = snprintf(text, sizeof(text), "%u", port);

	sip_edit(x, at.off, at.len, text, (size_t)n);
}

/*
 * Whether more edits fit besides those collected and Content-Length: in
 * ours and in res (where a TCP segment's earlier messages take some).
 */
static bool sip_edits_fit(const struct sip_ctx *x, unsigned int more)
{
	return !x->edits_overflow && x->n_edits + more <= SIP_EDITS_MAX &&
	       x->res->n_mangle + x->n_edits + more + 1 <= CTHD_MANGLE_MAX;
}

/* The sender's real address and the one its peer sees (NAT). */
static const union cthd_addr *sip_sender(const struct sip_ctx *x)
{
	return &x->ct->tuple[x->pkt->dir].src;
}

static const union cthd_addr *sip_sender_seen(const struct sip_ctx *x)
{
	return &x->ct->tuple[cthd_dir_other(x->pkt->dir)].dst;
}

static bool sip_addr_eq(const struct sip_ctx *x, const union cthd_addr *a,
			const union cthd_addr *b)
{
	return !memcmp(a, b, sip_alen(x->ct));
}

static bool sip_addr_is_senders(const struct sip_ctx *x, const struct sdp_addr *a)
{
	return a->family == x->ct->family &&
	       (sip_addr_eq(x, &a->addr, sip_sender(x)) || sip_addr_eq(x, &a->addr, sip_sender_seen(x)));
}

/* Under NAT, an SDP address of the sender's own becomes the one its peer sees. */
static void sip_nat_sdp_addr(struct sip_ctx *x, size_t body_off, const struct sdp_addr *a)
{
	char text[SIP_EDIT_TEXT];
	int n;

	if (!x->natted || !a->valid || a->family != x->ct->family ||
	    !sip_addr_eq(x, &a->addr, sip_sender(x)) ||
	    sip_addr_eq(x, sip_sender(x), sip_sender_seen(x)))
		return;
	n = sip_format_hostport(a->family, sip_sender_seen(x), false, 0, text, sizeof(text));
	/* SDP writes IPv6 without brackets */
	if (n > 2 && a->family == AF_INET6)
		sip_edit(x, body_off + a->text.off, a->text.len, text + 1, (size_t)n - 2);
	else if (n > 0)
		sip_edit(x, body_off + a->text.off, a->text.len, text, (size_t)n);
}

/*
 * One media expectation: UDP to a:port, class class. Returns the port told
 * to the peer (under NAT, the core's free one from port on), 0 for none.
 */
static uint16_t sip_expect_media(struct sip_ctx *x, const struct sdp_addr *a, uint16_t port,
				 uint8_t class)
{
	const struct cthd_conntrack *ct = x->ct;
	enum cthd_dir dir = x->pkt->dir;
	size_t alen = sip_alen(ct);
	bool senders = sip_addr_is_senders(x, a);
	struct cthd_expect exp;

	if (port < 1024) {
		x->res->parse_errors++;
		return 0;
	}
	/* an expectation is of its master's family: IPv6 media of an IPv4 call cannot be */
	if (a->family != ct->family) {
		x->res->lost++;
		return 0;
	}
	if (x->direct_media && !senders)
		return 0;
	if (senders) {
		/* to the sender as its peer reaches it; under NAT, on to it */
		cthd_expect_to_sender(&exp, ct, dir, IPPROTO_UDP, port, port, !x->direct_media);
		exp.class = class;
		if (x->natted && !cthd_result_nat_port(x->res, ct, &exp)) {
			/*
			 * No port for it (none free, or no room for one more
			 * expectation): with its address rewritten and its
			 * port not, the peer would send this stream to a port
			 * that may be another's. Drop the message, as
			 * nf_nat_sip does when it finds no port.
			 */
			x->res->lost++;
			x->edits_overflow = true;
			return 0;
		}
	} else {
		/* a media host that is not the sender (no sip_direct_media): as announced */
		memset(&exp, 0, sizeof(exp));
		exp.class = class;
		exp.l4proto = IPPROTO_UDP;
		exp.tuple.dst = a->addr;
		memset(&exp.mask.dst, 0xff, alen);
		exp.tuple.dport = port;
		exp.mask.dport = 0xffff;
	}
	if (cthd_result_add_expect(x->res, &exp) < 0) {
		x->res->lost++;
		return 0;
	}
	return exp.tuple.dport;
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

static void sip_expect_stream(struct sip_ctx *x, size_t body_off, const struct sdp *sdp,
			      const struct sdp_media *m)
{
	const struct sdp_addr *a = sdp_media_addr(sdp, m);
	uint8_t class = sip_media_class(m->type);
	uint16_t rtp, rtcp;

	if (!m->port_valid || !a->valid) {
		x->res->parse_errors++;
		return;
	}
	if (m->port == 0)		/* an inactive stream */
		return;
	if (m->port < 1024) {		/* nor RTCP next to it */
		x->res->parse_errors++;
		return;
	}
	rtp = sip_expect_media(x, a, m->port, class);
	if (x->natted && rtp && rtp != m->port)
		sip_edit_port(x, (struct sip_span){ body_off + m->port_text.off, m->port_text.len },
			      rtp);
	if (m->has_rtcp) {
		if (!m->rtcp_valid) {
			x->res->parse_errors++;
			return;
		}
		rtcp = sip_expect_media(x, m->rtcp_addr.valid ? &m->rtcp_addr : a, m->rtcp_port,
					class);
		if (x->natted && rtcp && rtcp != m->rtcp_port)
			sip_edit_port(x, (struct sip_span){ body_off + m->rtcp_port_text.off,
							   m->rtcp_port_text.len }, rtcp);
	} else if (m->port < 65535) {
		rtcp = sip_expect_media(x, a, (uint16_t)(m->port + 1), class);
		/*
		 * The peer sends RTCP after the RTP port it was told. Under
		 * NAT another one (held by another master) would send it to
		 * a port that may be another's: the message is dropped, as
		 * for a stream without a port.
		 */
		if (rtp && rtcp && rtcp != (uint16_t)(rtp + 1)) {
			x->res->lost++;
			if (x->natted)
				x->edits_overflow = true;
		}
	}
}

static void sip_expect_sdp(struct sip_ctx *x, size_t body_off, size_t len)
{
	unsigned int ports = 0;
	struct sdp sdp;

	if (sdp_parse(x->msg + body_off, len, &sdp) < 0) {
		x->res->parse_errors++;
		return;
	}
	if (sdp.truncated) {
		/* under NAT the unread media would go out unrewritten: dropped whole */
		if (x->natted)
			x->edits_overflow = true;
		else
			x->res->lost++;
	}
	sip_nat_sdp_addr(x, body_off, &sdp.origin);
	sip_nat_sdp_addr(x, body_off, &sdp.conn);
	for (unsigned int i = 0; i < sdp.n_media; i++) {
		const struct sdp_media *m = &sdp.media[i];

		sip_nat_sdp_addr(x, body_off, &m->conn);
		sip_nat_sdp_addr(x, body_off, &m->rtcp_addr);
		if (m->type != SDP_MEDIA_OTHER)
			ports += 1 + m->has_rtcp;
	}
	/*
	 * Under NAT the ports are reserved only for a message that can go
	 * out (a dropped one's go back, but a message dropped for want of
	 * room is better told before): with every other edit collected,
	 * there must be room for each port to move.
	 */
	if (x->natted && !sip_edits_fit(x, ports)) {
		x->edits_overflow = true;
		return;
	}
	for (unsigned int i = 0; i < sdp.n_media; i++)
		if (sdp.media[i].type != SDP_MEDIA_OTHER)
			sip_expect_stream(x, body_off, &sdp, &sdp.media[i]);
}

/*
 * nf_nat_sip's map_addr(): an address and port of the sender, as it is,
 * becomes what its peer sees; the peer's address as the sender sees it
 * becomes the peer's real one. Port 5060 when the text has none.
 */
static void sip_nat_hostport(struct sip_ctx *x, const struct sip_hostport *hp)
{
	const struct cthd_tuple *here = &x->ct->tuple[x->pkt->dir];
	const struct cthd_tuple *there = &x->ct->tuple[cthd_dir_other(x->pkt->dir)];
	uint16_t port = hp->has_port ? hp->port : 5060, new_port;
	const union cthd_addr *new_addr;
	char text[SIP_EDIT_TEXT];
	int n;

	if (hp->family != x->ct->family)
		return;
	if (sip_addr_eq(x, &hp->addr, &here->src) && port == here->sport) {
		new_addr = &there->dst;
		new_port = there->dport;
	} else if (sip_addr_eq(x, &hp->addr, &here->dst) && port == here->dport) {
		new_addr = &there->src;
		new_port = there->sport;
	} else {
		return;
	}
	if (sip_addr_eq(x, new_addr, &hp->addr) && new_port == port)
		return;
	n = sip_format_hostport(hp->family, new_addr, hp->has_port || new_port != 5060, new_port,
				text, sizeof(text));
	if (n > 0)
		sip_edit(x, hp->text.off, hp->text.len, text, (size_t)n);
}

static void sip_nat_uri(struct sip_ctx *x, struct sip_span in)
{
	struct sip_hostport hp;

	if (in.len && sip_uri_hostport(x->msg, in, &hp) == 1)
		sip_nat_hostport(x, &hp);
}

/* The topmost Via, and in an answer its received= and rport= (RFC 3581). */
static void sip_nat_via(struct sip_ctx *x, struct sip_span in)
{
	const struct cthd_tuple *here = &x->ct->tuple[x->pkt->dir];
	const struct cthd_tuple *there = &x->ct->tuple[cthd_dir_other(x->pkt->dir)];
	struct sip_hostport hp;
	struct sip_span val;
	char text[SIP_EDIT_TEXT];
	int n;

	if (!in.len || sip_via_hostport(x->msg, in, &hp) != 1)
		return;
	sip_nat_hostport(x, &hp);
	if (sip_param(x->msg, in, hp.text.off + hp.text.len, "received=", &val)) {
		union cthd_addr a;

		if (cthd_parse_addr(x->ct->family, x->msg + val.off, val.len, &a) == 0 &&
		    sip_addr_eq(x, &a, &here->dst) && !sip_addr_eq(x, &a, &there->src)) {
			n = sip_format_hostport(x->ct->family, &there->src, false, 0, text, sizeof(text));
			/* received= carries IPv6 without brackets too */
			if (n > 2 && x->ct->family == AF_INET6)
				sip_edit(x, val.off, val.len, text + 1, (size_t)n - 2);
			else if (n > 0)
				sip_edit(x, val.off, val.len, text, (size_t)n);
		}
	}
	if (sip_param(x->msg, in, hp.text.off + hp.text.len, "rport=", &val)) {
		size_t pos = val.off;
		int64_t port = cthd_parse_decimal(x->msg, val.off + val.len, &pos, 5, 65535);

		if (port == here->dport && pos == val.off + val.len && there->sport != here->dport)
			sip_edit_port(x, val, there->sport);
	}
}

static int sip_edit_cmp(const void *a, const void *b)
{
	const struct sip_edit *ea = a, *eb = b;

	return ea->off < eb->off ? -1 : ea->off > eb->off;
}

/*
 * The collected edits, sorted, and Content-Length for the new body. A
 * message that cannot be rewritten whole must not go out half rewritten
 * (its peer would answer or send media to addresses that lead nowhere):
 * nothing of it is expected, and it is dropped, as nf_nat_sip does.
 */
static void sip_apply_edits(struct sip_ctx *x, const struct sip_msg *m, size_t base)
{
	struct cthd_result *res = x->res;
	long delta = 0;
	bool cl_done = false;

	qsort(x->edits, x->n_edits, sizeof(x->edits[0]), sip_edit_cmp);
	for (unsigned int i = 0; i < x->n_edits; i++) {
		const struct sip_edit *e = &x->edits[i];

		if (i && e->off < x->edits[i - 1].off + x->edits[i - 1].len)
			x->edits_overflow = true;	/* overlapping: cannot be */
		if (e->off >= m->body.off)
			delta += (long)e->text_len - (long)e->len;
	}
	if (delta && !m->has_content_length)
		cl_done = true;			/* UDP: the body is the rest */
	for (unsigned int i = 0; i <= x->n_edits && !x->edits_overflow; i++) {
		const struct sip_edit *e = i < x->n_edits ? &x->edits[i] : NULL;

		if (!cl_done && delta && (!e || e->off > m->content_length.off)) {
			char text[16];
			int n = snprintf(text, sizeof(text), "%ld", (long)m->body.len + delta);

			cl_done = true;
			if (cthd_result_add_mangle(res, base + m->content_length.off,
						   m->content_length.len, text, (size_t)n) < 0)
				x->edits_overflow = true;
		}
		if (e && cthd_result_add_mangle(res, base + e->off, e->len, e->text,
						e->text_len) < 0)
			x->edits_overflow = true;
	}
	if (x->edits_overflow) {
		res->lost++;
		res->n_mangle = 0;
		res->n_expect = 0;
		res->verdict = CTHD_DROP;
	}
}

/*
 * REGISTER: a call may come in to the Contact the phone registers, from
 * the registrar (sip_direct_signalling) or anyone, for as long as the
 * binding lasts: a permanent expectation (one per incoming call) that
 * gives the new connection this helper, as nf_conntrack_sip's. Only the
 * sender's own address (no third-party registration), only UDP contacts
 * (this helper's protocol), none for an unregistration (expires 0, the
 * kernel's default when the message gives no expiry; under NAT its
 * Contact is rewritten as the registration's, which nf_nat_sip does only
 * when the Contact's port is the connection's).
 */
/*
 * A Contact's expiry: its expires= parameter, else the Expires header's,
 * else 0 (the kernel's reading). -EINVAL for an unreadable parameter.
 */
static int sip_contact_expires(const struct sip_ctx *x, const struct sip_msg *m,
			       struct sip_span contact, const struct sip_hostport *hp,
			       uint32_t *expires)
{
	struct sip_span val;

	*expires = m->has_expires ? m->expires : 0;
	if (sip_param(x->msg, contact, hp->text.off + hp->text.len, "expires=", &val)) {
		size_t pos = val.off;
		int64_t v = cthd_parse_decimal(x->msg, val.off + val.len, &pos, 10, UINT32_MAX);

		if (v < 0 || pos != val.off + val.len)
			return -EINVAL;
		*expires = (uint32_t)v;
	}
	return 0;
}

/* Its transport=, "udp" when it has none: 1 for this connection's protocol. */
static bool sip_contact_transport_is_ours(const struct sip_ctx *x, struct sip_span contact,
					  const struct sip_hostport *hp)
{
	struct sip_span val;

	if (!sip_param(x->msg, contact, hp->text.off + hp->text.len, "transport=", &val))
		return x->ct->l4proto == IPPROTO_UDP;
	return val.len == 3 &&
	       !strncasecmp(x->msg + val.off, x->ct->l4proto == IPPROTO_TCP ? "tcp" : "udp", 3);
}

/* Under NAT, the port the same connection's registration of exp was told; 0: none. */
static uint16_t sip_registered_port(const struct sip_ctx *x, const struct cthd_expect *exp)
{
	/* without the core's reservations (a helper's own unit tests): as announced */
	if (!x->res->natports)
		return exp->nat_port;
	return cthd_natports_held(x->res->natports, x->ct, exp);
}

/*
 * Returns true when the REGISTER is the sender's own (its first Contact is
 * at the sender's address): its answer may then end the registration.
 */
static bool sip_expect_register(struct sip_ctx *x, const struct sip_msg *m)
{
	const struct cthd_conntrack *ct = x->ct;
	enum cthd_dir dir = x->pkt->dir;
	const struct cthd_tuple *here = &ct->tuple[dir];
	uint32_t expires;
	struct sip_hostport hp;
	struct cthd_expect exp;
	uint16_t port;

	if ((ct->status & IPS_EXPECTED) || !m->n_contact ||
	    sip_uri_hostport(x->msg, m->contact[0], &hp) != 1 || hp.family != ct->family ||
	    !sip_addr_eq(x, &hp.addr, &here->src))
		return false;
	/* a contact of the helper's own transport (UDP unless it says) */
	if (!sip_contact_transport_is_ours(x, m->contact[0], &hp)) {
		x->res->lost++;
		return true;
	}
	if (sip_contact_expires(x, m, m->contact[0], &hp, &expires) < 0) {
		x->res->parse_errors++;
		return false;
	}
	port = hp.has_port ? hp.port : 5060;
	if (port < 1024) {
		/* a registration opens nothing there; its unregistration neither */
		if (expires)
			x->res->parse_errors++;
		return true;
	}
	cthd_expect_to_sender(&exp, ct, dir, ct->l4proto, port, port,
			      !cthd_option(x->helper, x->pkt, SIP_OPT_DIRECT_SIGNALLING));
	exp.class = SIP_CLASS_SIGNALLING;
	exp.flags = NF_CT_EXPECT_PERMANENT;
	snprintf(exp.helper, sizeof(exp.helper), "%s", x->helper->name);
	if (x->natted) {
		const struct cthd_tuple *there = &ct->tuple[cthd_dir_other(dir)];

		if (port == here->sport) {
			/* the connection's own mapping: the Contact's rewrite says it */
			exp.tuple.dport = there->dport;
		} else {
			char text[SIP_EDIT_TEXT];
			int n;

			/* the Contact's edit must fit, or the message is dropped */
			if (!sip_edits_fit(x, 1)) {
				x->edits_overflow = true;
				return true;
			}
			if (!expires) {
				/*
				 * An unregistration reserves nothing: the port
				 * its registration holds, or its Contact as it
				 * is. A reservation of its own would evict the
				 * registration's, whose expectation the kernel
				 * keeps, and another phone could be told it.
				 */
				exp.tuple.dport = sip_registered_port(x, &exp);
				if (!exp.tuple.dport)
					return true;
			} else if (!cthd_result_nat_port(x->res, ct, &exp)) {
				x->res->lost++;
				return true;
			}
			n = sip_format_hostport(hp.family, &there->dst, true, exp.tuple.dport, text,
						sizeof(text));
			if (n > 0)
				sip_edit(x, hp.text.off, hp.text.len, text, (size_t)n);
		}
	}
	/*
	 * An unregistration opens nothing, but its Contact is rewritten as the
	 * registration's was (the port the core holds for the same master and
	 * announced port), for the registrar to remove the binding it has:
	 * left alone (its port not the connection's, as over TCP) it would
	 * name the private address, the registrar keep the binding and say so
	 * in its 200 OK, and that keep the expectation.
	 */
	if (expires && cthd_result_add_expect(x->res, &exp) < 0)
		x->res->lost++;
	return true;
}

/*
 * A 2xx answer to the sender's REGISTER keeps the registration when it
 * lists the phone's contact (at the answer's destination, of this
 * transport) with an expiry; the first such contact decides. Expires 0 (an
 * unregistration) or no such contact ends it. *known false when the answer
 * lists more contacts than were read and none of those read is the phone's.
 */
static bool sip_register_kept(struct sip_ctx *x, const struct sip_msg *m, bool *known)
{
	const union cthd_addr *phone = &x->ct->tuple[x->pkt->dir].dst;

	*known = true;
	for (unsigned int i = 0; i < m->n_contact; i++) {
		struct sip_hostport hp;
		uint32_t expires;

		if (sip_uri_hostport(x->msg, m->contact[i], &hp) != 1 ||
		    hp.family != x->ct->family || !sip_addr_eq(x, &hp.addr, phone) ||
		    !sip_contact_transport_is_ours(x, m->contact[i], &hp))
			continue;
		if (sip_contact_expires(x, m, m->contact[i], &hp, &expires) < 0) {
			x->res->parse_errors++;
			*known = false;
			return true;
		}
		return expires != 0;
	}
	*known = !m->contact_truncated;
	return false;
}

static void sip_flush(struct sip_ctx *x, uint32_t classes)
{
	/* only the helper's own classes: cannot fail */
	cthd_expect_flush(x->res, classes);
}

/* CSeqs are below 2^31 (sip_msg.c): stored plus one, so that 0 is none */
static void sip_remember(struct sip_ctx *x, uint32_t *slot, uint32_t cseq)
{
	if (*slot == cseq + 1)
		return;
	*slot = cseq + 1;
	x->res->priv_changed = true;
}

static bool sip_remembered(const struct sip_ctx *x, const uint32_t *slot, uint32_t cseq)
{
	(void)x;
	return *slot == cseq + 1;
}

/*
 * When a call or registration ends, nf_conntrack_sip's flush_expectations():
 * an INVITE (before its own SDP is read: a re-INVITE's media replace the
 * old ones) and a BYE remove the connection's media expectations; a final
 * answer other than 1xx/2xx to the last INVITE (by CSeq: a CANCELled
 * call's 487 too) or to an UPDATE or PRACK with that CSeq does as well; a
 * final answer to the sender's last REGISTER that does not keep the
 * registration removes the signalling one. The kernel's checks, no more:
 * only this conntrack's expectations, and only a matching CSeq.
 */
static void sip_flush_ended(struct sip_ctx *x, const struct sip_msg *m)
{
	bool known;

	if (m->request) {
		if (m->method == SIP_METHOD_INVITE || m->method == SIP_METHOD_BYE)
			sip_flush(x, SIP_FLUSH_MEDIA);
		return;
	}
	switch (m->cseq_method) {
	case SIP_METHOD_INVITE:
	case SIP_METHOD_UPDATE:
	case SIP_METHOD_PRACK:
		if (m->code >= 300 && sip_remembered(x, &x->call->invite_cseq1, m->cseq))
			sip_flush(x, SIP_FLUSH_MEDIA);
		break;
	case SIP_METHOD_REGISTER:
		if (m->code < 200 || !sip_remembered(x, &x->call->register_cseq1, m->cseq))
			break;
		if (m->code >= 300 || (!sip_register_kept(x, m, &known) && known))
			sip_flush(x, SIP_FLUSH_SIGNALLING);
		break;
	default:
		break;
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

/* Under NAT, the edits of the headers (sip_nat_hostport()). */
static void sip_nat_headers(struct sip_ctx *x, const struct sip_msg *m)
{
	if (m->request)
		sip_nat_uri(x, m->uri);
	sip_nat_via(x, m->via);
	for (unsigned int i = 0; i < m->n_contact; i++)
		sip_nat_uri(x, m->contact[i]);
	/* the contacts not read would keep the addresses NAT hides */
	if (m->contact_truncated)
		x->edits_overflow = true;
	sip_nat_uri(x, m->from);
	sip_nat_uri(x, m->to);
}

/* One message at payload offset base. */
static int sip_message(struct sip_ctx *x, size_t base, size_t len, bool datagram)
{
	struct sip_msg m;
	int rc;

	x->msg = (const char *)x->pkt->payload + base;
	x->n_edits = 0;
	x->edits_overflow = false;
	rc = sip_parse_msg(x->msg, len, datagram, &m);
	if (rc < 0) {
		x->res->parse_errors++;
		return rc;
	}
	if (rc == 0)
		return 0;
	sip_flush_ended(x, &m);
	/* first: the ports below are reserved only when every edit fits */
	if (x->natted)
		sip_nat_headers(x, &m);
	if (m.sdp && m.body.len && sip_msg_offers_media(&m))
		sip_expect_sdp(x, m.body.off, m.body.len);
	if (m.request && m.method == SIP_METHOD_INVITE)
		sip_remember(x, &x->call->invite_cseq1, m.cseq);
	if (m.request && m.method == SIP_METHOD_REGISTER && sip_expect_register(x, &m))
		sip_remember(x, &x->call->register_cseq1, m.cseq);
	if (x->natted)
		sip_apply_edits(x, &m, base);
	return 0;
}

static void sip_ctx_init(struct sip_ctx *x, const struct cthd_helper *h,
			 const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			 struct sip_call_state *call, struct cthd_result *res)
{
	memset(x, 0, sizeof(*x));
	x->call = call;
	x->helper = h;
	x->pkt = pkt;
	x->ct = ct;
	x->res = res;
	x->direct_media = cthd_option(h, pkt, SIP_OPT_DIRECT_MEDIA);
	x->natted = cthd_conntrack_is_natted(ct);
}

/*
 * Nothing of a dropped packet reached the peer: an answer naming one of
 * its requests answers nothing, so the CSeqs they recorded go back (the
 * stream layer puts back its own part; what it marks for the resent copy
 * stays).
 */
static void sip_forget_dropped(struct cthd_result *res, struct sip_call_state *call,
			       const struct sip_call_state *before, const void *priv,
			       const void *priv_before, size_t priv_len)
{
	if (res->verdict != CTHD_DROP)
		return;
	*call = *before;
	res->priv_changed = memcmp(priv, priv_before, priv_len) != 0;
}

static int sip_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	struct sip_priv *sp = priv, before = *sp;
	struct sip_ctx x;

	if (ct->l4proto != IPPROTO_UDP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	sip_ctx_init(&x, &sip_helper, pkt, ct, &sp->call, res);
	sip_message(&x, 0, pkt->payload_len, true);
	sip_forget_dropped(res, &sp->call, &before.call, sp, &before, sizeof(before));
	return 0;
}

/* SIP over TCP: messages framed by Content-Length, CRLF keep-alives between them. */
static long sip_frame(void *ctx, const uint8_t *bytes, size_t len)
{
	const char *data = (const char *)bytes;
	struct sip_msg m;
	size_t crlf = 0;
	int rc;

	(void)ctx;
	while (crlf < len && (data[crlf] == '\r' || data[crlf] == '\n'))
		crlf++;
	if (crlf)
		return (long)crlf;
	rc = sip_parse_msg(data, len, false, &m);
	if (rc == 1 || rc == -EAGAIN)
		return (long)m.length;
	return -1;
}

static int sip_stream_message(void *ctx, const uint8_t *data, size_t len, size_t offset)
{
	struct sip_ctx *x = ctx;

	(void)data;
	sip_message(x, offset, len, false);
	return 0;
}

/* A head not whole yet (its length unknown): dropped, to be resent with the rest. */
static bool sip_head_wanted(void *ctx, const uint8_t *data, size_t avail, size_t need)
{
	(void)ctx;
	(void)data;
	(void)avail;
	return need == 0;
}

static const struct cthd_msg_ops sip_msg_ops = {
	.frame = sip_frame,
	.message = sip_stream_message,
	.wants_whole = sip_head_wanted,
};

static int sip_tcp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			   void *priv, struct cthd_result *res)
{
	struct sip_tcp_priv *st = priv, before = *st;
	struct sip_ctx x;
	int rc;

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	sip_ctx_init(&x, &sip_tcp_helper, pkt, ct, &st->call, res);
	rc = cthd_stream_messages(pkt, &st->stream, res, &sip_msg_ops, &x);
	sip_forget_dropped(res, &st->call, &before.call, st, &before, sizeof(before));
	return rc;
}

/* nf_conntrack_sip's classes and limits, and its parameters */
#define SIP_POLICIES { \
	/* the kernel's 180 s, refreshed to the binding's Expires: we cannot refresh */ \
	[SIP_CLASS_SIGNALLING] = { .name = "signalling", .max_expected = 1, .timeout = 3600 }, \
	[SIP_CLASS_AUDIO] = { .name = "audio", .max_expected = 4, .timeout = 180 }, \
	[SIP_CLASS_VIDEO] = { .name = "video", .max_expected = 4, .timeout = 180 }, \
	[SIP_CLASS_IMAGE] = { .name = "image", .max_expected = 2, .timeout = 180 }, \
}
#define SIP_OPTIONS { \
	[SIP_OPT_DIRECT_MEDIA] = { .name = "sip_direct_media", .def = 1, .max = 1, \
		.privileged = "media to an address that is not the call's" }, \
	[SIP_OPT_DIRECT_SIGNALLING] = { .name = "sip_direct_signalling", .def = 1, .max = 1 }, \
}

static const struct cthd_helper sip_helper = {
	.name = "sip",
	.l4proto = IPPROTO_UDP,
	.default_port = 5060,
	.n_policies = 4,
	.policies = SIP_POLICIES,
	.priv_len = sizeof(struct sip_priv),
	.process = sip_process,
	.n_options = 2,
	.options = SIP_OPTIONS,
};

CTHD_HELPER_REGISTER(sip_helper);

/* The kernel's helper has one name for both; cthelperd's registry one per protocol. */
static const struct cthd_helper sip_tcp_helper = {
	.name = "sip-tcp",
	.l4proto = IPPROTO_TCP,
	.default_port = 5060,
	.n_policies = 4,
	.policies = SIP_POLICIES,
	.priv_len = sizeof(struct sip_tcp_priv),
	.process = sip_tcp_process,
	.n_options = 2,
	.options = SIP_OPTIONS,
};

CTHD_HELPER_REGISTER(sip_tcp_helper);
