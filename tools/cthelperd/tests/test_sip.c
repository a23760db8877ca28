// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIP helper unit tests: the message parser on a table of what user agents
 * send and of malformed and hostile messages (huge Content-Length, missing
 * CRLFs, folding, duplicates), the SDP parser, then calls through the
 * registered helper: the expectations of an offer and its answer, IPv4 and
 * IPv6, several media, a=rtcp, and what a hostile peer cannot open.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/sip.h"
#include "../natport.h"
#include "conv.h"
#include "sip_messages.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

struct msg_case {
	const char *name;
	const char *text;		/* "@CL@": the body's length */
	int rc;
	bool request;
	enum sip_method method;		/* request: method; response: CSeq's */
	unsigned int code;
	bool sdp;
	size_t body_len;		/* REST: all after the empty line */
};

#define REST ((size_t)-1)

#define INV_HDRS(cl) \
	"INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n" \
	"CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: " cl "\r\n"

static const struct msg_case msg_cases[] = {
	/* what user agents send */
	{ "sipp_uac_invite", SIPP_UAC_INVITE, 1, true, SIP_METHOD_INVITE, 0, true, REST },
	{ "sipp_uas_200", SIPP_UAS_200, 1, false, SIP_METHOD_INVITE, 200, true, REST },
	{ "baresip_invite_av", BARESIP_INVITE_AV, 1, true, SIP_METHOD_INVITE, 0, true, REST },
	{ "linphone_invite_ipv6", LINPHONE_INVITE_IPV6, 1, true, SIP_METHOD_INVITE, 0, true, REST },
	{ "kamailio_register_200_compact", KAMAILIO_REGISTER_200, 1, false, SIP_METHOD_REGISTER,
	  200, false, 0 },
	{ "baresip_register", BARESIP_REGISTER, 1, true, SIP_METHOD_REGISTER, 0, false, 0 },
	{ "keepalive_crlf", "\r\n\r\n", 0 },
	{ "empty", "", 0 },
	{ "compact_content_type_and_length",
	  "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\nc: Application/SDP\r\nl: @CL@\r\n\r\nv=0\r\n",
	  1, true, SIP_METHOD_INVITE, 0, true, 5 },
	{ "folded_content_length",
	  "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
	  "Content-Length:\r\n   @CL@\r\n\r\nv=0\r\n", 1, true, SIP_METHOD_INVITE, 0, true, 5 },
	{ "folded_cseq", "BYE sip:b@h SIP/2.0\r\nCSeq: 7\r\n\tBYE\r\nl: 0\r\n\r\n",
	  1, true, SIP_METHOD_BYE, 0, false, 0 },
	{ "lf_only_line_ends", "SIP/2.0 180 Ringing\nCSeq: 1 INVITE\nContent-Length: 0\n\n",
	  1, false, SIP_METHOD_INVITE, 180, false, 0 },
	{ "no_content_length_on_udp_body_is_the_rest",
	  "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\nc: application/sdp\r\n\r\nv=0\r\n",
	  1, true, SIP_METHOD_INVITE, 0, true, 5 },
	{ "short_content_length_body_cut",
	  "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\nl: 3\r\n\r\nv=0\r\nm=audio 7000 RTP/AVP 0\r\n",
	  1, true, SIP_METHOD_INVITE, 0, false, 3 },
	{ "sdp_with_parameters", "SIP/2.0 183 Session Progress\r\nCSeq: 9 INVITE\r\n"
	  "Content-Type: application/sdp; charset=utf-8\r\nl: 0\r\n\r\n",
	  1, false, SIP_METHOD_INVITE, 183, true, 0 },
	{ "response_without_reason", "SIP/2.0 200\r\nCSeq: 1 OPTIONS\r\n\r\n",
	  1, false, SIP_METHOD_OPTIONS, 200, false, 0 },
	/* malformed and hostile */
	{ "huge_content_length", INV_HDRS("4294967295") "\r\nv=0\r\n", -EINVAL },
	{ "content_length_over_32_bits", INV_HDRS("4294967297") "\r\nv=0\r\n", -EINVAL },
	{ "content_length_beyond_datagram", INV_HDRS("6") "\r\nv=0\r\n", -EINVAL },
	{ "negative_content_length", INV_HDRS("-1") "\r\nv=0\r\n", -EINVAL },
	{ "content_length_with_junk", INV_HDRS("5x") "\r\nv=0\r\n", -EINVAL },
	{ "two_content_lengths", INV_HDRS("5") "l: 0\r\n\r\nv=0\r\n", -EINVAL },
	{ "two_cseqs", "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\nCSeq: 2 INVITE\r\n\r\n",
	  -EINVAL },
	{ "no_cseq", "INVITE sip:b@h SIP/2.0\r\nl: 0\r\n\r\n", -EINVAL },
	{ "cseq_of_another_method", "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 BYE\r\n\r\n", -EINVAL },
	{ "cseq_over_31_bits", "INVITE sip:b@h SIP/2.0\r\nCSeq: 2147483648 INVITE\r\n\r\n",
	  -EINVAL },
	{ "no_empty_line", "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\nl: 0\r\n", -EINVAL },
	{ "no_crlf_at_all", "INVITE sip:b@h SIP/2.0", -EINVAL },
	{ "headers_cut", "INVITE sip:b@h SIP/2.0\r\nCSeq: 1 INV", -EINVAL },
	{ "folding_before_any_header", "INVITE sip:b@h SIP/2.0\r\n CSeq: 1 INVITE\r\n\r\n",
	  -EINVAL },
	{ "header_without_colon", "INVITE sip:b@h SIP/2.0\r\nCSeq 1 INVITE\r\n\r\n", -EINVAL },
	{ "bad_version", "INVITE sip:b@h SIP/3.0\r\nCSeq: 1 INVITE\r\n\r\n", -EINVAL },
	{ "status_code_too_small", "SIP/2.0 099 x\r\nCSeq: 1 INVITE\r\n\r\n", -EINVAL },
	{ "status_code_four_digits", "SIP/2.0 2000 OK\r\nCSeq: 1 INVITE\r\n\r\n", -EINVAL },
	{ "nul_in_start_line", "INV\0ITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n", -EINVAL },
	{ "leading_garbage", "\r\nINVITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n", -EINVAL },
};

static void test_msg_table(struct tap *t)
{
	for (size_t i = 0; i < sizeof(msg_cases) / sizeof(msg_cases[0]); i++) {
		const struct msg_case *c = &msg_cases[i];
		char text[4096], name[96];
		size_t len = sip_msg_fill(c->text, text, sizeof(text));
		struct sip_msg m;
		int rc;
		bool ok;

		/* the NUL case: the literal is longer than strlen() says */
		if (strstr(c->name, "nul_in"))
			len = sizeof("INV\0ITE sip:b@h SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n") - 1;
		size_t body_len = c->body_len;

		if (body_len == REST && strstr(text, "\r\n\r\n"))
			body_len = strlen(strstr(text, "\r\n\r\n") + 4);
		rc = sip_parse_msg(text, len, true, &m);
		ok = rc == c->rc;
		if (ok && rc == 1)
			ok = m.request == c->request && m.sdp == c->sdp && m.body.len == body_len &&
			     (c->request ? m.method == c->method :
					   m.cseq_method == c->method && m.code == c->code) &&
			     m.length == m.body.off + body_len;
		snprintf(name, sizeof(name), "sip_msg_%s", c->name);
		tap_check(t, ok, name, "rc %d (want %d) request %d method %d/%d code %u sdp %d body %zu",
			  rc, c->rc, m.request, m.method, m.cseq_method, m.code, m.sdp, m.body.len);
	}
}

/* A message split anywhere on a stream: incomplete until its last byte. */
static void test_msg_stream_framing(struct tap *t)
{
	char text[2048];
	size_t len = sip_msg_fill(BARESIP_INVITE_AV, text, sizeof(text)), cut;
	struct sip_msg m;
	bool ok = true;

	for (cut = 0; cut < len && ok; cut++) {
		int rc = sip_parse_msg(text, cut, false, &m);

		ok = cut == 0 ? rc == 0 : rc == -EAGAIN;
	}
	ok = ok && sip_parse_msg(text, len, false, &m) == 1 && m.length == len;
	/* two messages back to back: the first ends where its Content-Length says */
	memcpy(text + len, text, len);
	ok = ok && sip_parse_msg(text, 2 * len, false, &m) == 1 && m.length == len;
	tap_check(t, ok, "sip_msg_stream_content_length_framing", "cut at %zu", cut);
	tap_check(t, sip_parse_msg("BYE sip:b@h SIP/2.0\r\nCSeq: 1 BYE\r\n\r\n", 36, false, &m) ==
			     -EINVAL,
		  "sip_msg_stream_requires_content_length", "");
}

static void test_sdp_parse(struct tap *t)
{
	char text[2048];
	size_t len = sip_msg_fill(BARESIP_INVITE_AV, text, sizeof(text));
	struct sip_msg m;
	struct sdp s;
	const struct sdp_media *a, *v;
	int rc;

	sip_parse_msg(text, len, true, &m);
	rc = sdp_parse(text + m.body.off, m.body.len, &s);
	a = &s.media[0];
	v = &s.media[1];
	tap_check(t, rc == 0 && s.n_media == 2 && s.conn.valid && s.conn.family == AF_INET &&
		  a->type == SDP_MEDIA_AUDIO && a->port == 10220 && a->has_rtcp &&
		  a->rtcp_valid && a->rtcp_port == 10221 && !a->rtcp_addr.present &&
		  v->type == SDP_MEDIA_VIDEO && v->port == 10334 && v->rtcp_port == 10335 &&
		  s.origin.valid && !memcmp(text + m.body.off + s.origin.text.off, "10.0.0.1", 8),
		  "sdp_baresip_audio_video_rtcp", "rc %d n_media %u", rc, s.n_media);

	len = sip_msg_fill(LINPHONE_INVITE_IPV6, text, sizeof(text));
	sip_parse_msg(text, len, true, &m);
	rc = sdp_parse(text + m.body.off, m.body.len, &s);
	a = &s.media[0];
	tap_check(t, rc == 0 && s.n_media == 2 && s.conn.family == AF_INET6 &&
		  a->port == 7078 && a->rtcp_valid && a->rtcp_addr.valid &&
		  a->rtcp_addr.family == AF_INET6 && s.media[1].port_valid && s.media[1].port == 0,
		  "sdp_linphone_ipv6_rtcp_address_and_disabled_video", "rc %d", rc);

	rc = sdp_parse("v=0\r\nc=IN IP4 pbx.example.com\r\nm=audio 4000 RTP/AVP 0\r\n"
		       "c=IN IP4 10.0.0.1/127\r\nm=audio 70000 RTP/AVP 0\r\nm=audio x RTP/AVP 0\r\n"
		       "m=application 9 TCP/BFCP *\r\nc=IN IP6 1.2.3.4\r\n", 133, &s);
	tap_check(t, rc == 0 && s.n_media == 4 && s.conn.present && !s.conn.valid &&
		  s.media[0].conn.valid && !s.media[1].port_valid && !s.media[2].port_valid &&
		  s.media[3].type == SDP_MEDIA_OTHER && !s.media[3].conn.valid,
		  "sdp_hostnames_ttl_bad_ports_and_families", "rc %d n_media %u", rc, s.n_media);

	tap_check(t, sdp_parse("v=1\r\n", 5, &s) == -EINVAL &&
		  sdp_parse("v=0\r\nthis is not sdp\r\n", 22, &s) == -EINVAL &&
		  sdp_parse("v=0\r\nc=IN IP4 10.0.0.1\0.2\r\n", 27, &s) == 0 && !s.conn.valid,
		  "sdp_malformed", "");
}

static void sip_open(struct conv *k, const char *c, const char *s)
{
	conv_init(k, "sip", c, c, 5060, s, s, 5060);
	k->not_established = true;
}

static int sip_send(struct conv *k, enum cthd_dir dir, const char *text)
{
	char buf[4096];
	size_t len = sip_msg_fill(text, buf, sizeof(buf));

	return conv_send_len(k, dir, buf, len);
}

/* e expects UDP to dst:dport from src (NULL: any), class class */
static bool expect_is(const struct cthd_expect *e, const char *src, const char *dst,
		      uint16_t dport, uint8_t class)
{
	union cthd_addr a = { 0 }, b, any = { 0 };

	if (src)
		conv_set_addr(&a, src);
	conv_set_addr(&b, dst);
	return e->l4proto == IPPROTO_UDP && e->class == class &&
	       !memcmp(&e->tuple.src, &a, sizeof(a)) && !memcmp(&e->tuple.dst, &b, sizeof(b)) &&
	       e->tuple.dport == dport && e->mask.sport == 0 && e->mask.dport == 0xffff &&
	       (src ? memcmp(&e->mask.src, &any, sizeof(any)) != 0 :
		      !memcmp(&e->mask.src, &any, sizeof(any))) && !e->nat;
}

static void test_registry(struct tap *t)
{
	const struct cthd_helper *h = cthd_helper_find("sip");
	const char *why = "not registered";

	tap_check(t, h && cthd_helper_validate(h, &why) == 0 && h->l4proto == IPPROTO_UDP &&
		  h->default_port == 5060 && h->n_policies == 4 &&
		  h->priv_len == sizeof(struct sip_priv) &&
		  !strcmp(h->policies[1].name, "audio") && h->policies[1].max_expected == 4 &&
		  h->policies[0].timeout == 3600 && h->policies[1].timeout == 180,
		  "sip_registered_with_the_kernel_classes", "%s", why);
}

static void test_call_ipv4(struct tap *t)
{
	struct conv k;
	int rc;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	rc = sip_send(&k, O, SIPP_UAC_INVITE);
	tap_check(t, rc == 0 && k.last.n_expect == 2 && k.last.n_mangle == 0 &&
		  expect_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 6000, SIP_CLASS_AUDIO) &&
		  expect_is(&k.last.expect[1], "10.0.0.2", "10.0.0.1", 6001, SIP_CLASS_AUDIO),
		  "sip_sipp_invite_expects_rtp_and_rtcp_from_the_peer", "rc %d n_expect %u", rc,
		  k.last.n_expect);
	rc = sip_send(&k, R, "SIP/2.0 100 Trying\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n");
	rc |= sip_send(&k, R, "SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n");
	tap_check(t, rc == 0 && k.n_expect == 2 && k.parse_errors == 0,
		  "sip_provisional_without_sdp_expects_nothing", "n_expect %u", k.n_expect);
	rc = sip_send(&k, R, SIPP_UAS_200);
	tap_check(t, rc == 0 && k.last.n_expect == 2 &&
		  expect_is(&k.last.expect[0], "10.0.0.1", "10.0.0.2", 6002, SIP_CLASS_AUDIO) &&
		  expect_is(&k.last.expect[1], "10.0.0.1", "10.0.0.2", 6003, SIP_CLASS_AUDIO),
		  "sip_sipp_200_expects_the_answer", "rc %d n_expect %u", rc, k.last.n_expect);
	rc = sip_send(&k, O, "ACK sip:service@10.0.0.2:5060 SIP/2.0\r\nCSeq: 1 ACK\r\n"
			     "Content-Length: 0\r\n\r\n");
	rc |= sip_send(&k, O, "BYE sip:service@10.0.0.2:5060 SIP/2.0\r\nCSeq: 2 BYE\r\n"
			      "Content-Length: 0\r\n\r\n");
	tap_check(t, rc == 0 && k.n_expect == 4 && k.parse_errors == 0 && k.n_mangled == 0 &&
		  k.dropped == 0, "sip_ack_and_bye_without_sdp", "n_expect %u", k.n_expect);
}

static void test_call_av(struct tap *t)
{
	struct conv k;
	int rc;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	rc = sip_send(&k, O, BARESIP_INVITE_AV);
	tap_check(t, rc == 0 && k.last.n_expect == 4 &&
		  expect_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 10220, SIP_CLASS_AUDIO) &&
		  expect_is(&k.last.expect[1], "10.0.0.2", "10.0.0.1", 10221, SIP_CLASS_AUDIO) &&
		  expect_is(&k.last.expect[2], "10.0.0.2", "10.0.0.1", 10334, SIP_CLASS_VIDEO) &&
		  expect_is(&k.last.expect[3], "10.0.0.2", "10.0.0.1", 10335, SIP_CLASS_VIDEO),
		  "sip_baresip_audio_and_video_in_their_classes", "rc %d n_expect %u", rc,
		  k.last.n_expect);

	rc = sip_send(&k, O, "UPDATE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 23115 UPDATE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=image 30000 udptl t38\r\na=rtcp:30005\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 2 &&
		  expect_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 30000, SIP_CLASS_IMAGE) &&
		  expect_is(&k.last.expect[1], "10.0.0.2", "10.0.0.1", 30005, SIP_CLASS_IMAGE),
		  "sip_update_t38_image_with_rtcp_attribute", "n_expect %u", k.last.n_expect);

	rc = sip_send(&k, R, "SIP/2.0 183 Session Progress\r\nCSeq: 23114 INVITE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nm=audio 20000 RTP/AVP 0\r\n"
		      "c=IN IP4 10.0.0.2\r\nm=video 20002 RTP/AVP 96\r\nc=IN IP4 10.0.0.2\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 4 &&
		  expect_is(&k.last.expect[2], "10.0.0.1", "10.0.0.2", 20002, SIP_CLASS_VIDEO),
		  "sip_183_media_level_connection", "n_expect %u", k.last.n_expect);

	rc = sip_send(&k, O, "INVITE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 3 INVITE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\nm=video 4004 RTP/AVP 0\r\n"
		      "m=video 4006 RTP/AVP 0\r\nm=audio 4008 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == CTHD_EXPECT_MAX && k.last.lost == 2,
		  "sip_more_media_than_a_packet_may_expect_counted_lost", "n_expect %u lost %u",
		  k.last.n_expect, k.last.lost);
}

static void test_call_ipv6(struct tap *t)
{
	struct conv k;
	int rc;

	sip_open(&k, "fd00::1", "fd00::2");
	rc = sip_send(&k, O, LINPHONE_INVITE_IPV6);
	tap_check(t, rc == 0 && k.last.n_expect == 2 &&
		  expect_is(&k.last.expect[0], "fd00::2", "fd00::1", 7078, SIP_CLASS_AUDIO) &&
		  expect_is(&k.last.expect[1], "fd00::2", "fd00::1", 7079, SIP_CLASS_AUDIO),
		  "sip_linphone_ipv6_audio_rtcp_video_disabled", "rc %d n_expect %u", rc,
		  k.last.n_expect);
	rc = sip_send(&k, R, "SIP/2.0 200 OK\r\nCSeq: 20 INVITE\r\nContent-Type: application/sdp\r\n"
		      "Content-Length: @CL@\r\n\r\nv=0\r\no=bob 1 1 IN IP6 fd00::2\r\ns=-\r\n"
		      "c=IN IP6 fd00::2\r\nt=0 0\r\nm=audio 9000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 2 &&
		  expect_is(&k.last.expect[0], "fd00::1", "fd00::2", 9000, SIP_CLASS_AUDIO) &&
		  expect_is(&k.last.expect[1], "fd00::1", "fd00::2", 9001, SIP_CLASS_AUDIO),
		  "sip_ipv6_answer", "n_expect %u", k.last.n_expect);
	/* IPv4 media of an IPv6 call cannot be expected on its conntrack */
	rc = sip_send(&k, O, "INVITE sip:b@[fd00::2] SIP/2.0\r\nCSeq: 21 INVITE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=audio 4000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.last.lost == 2,
		  "sip_ipv4_media_of_ipv6_call_lost", "n_expect %u lost %u", k.last.n_expect,
		  k.last.lost);
}

/* What a hostile peer must not get. */
static void test_hostile(struct tap *t)
{
	struct conv k;
	int rc;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	/* media to a third party (the firewall's own address, another host) */
	rc = sip_send(&k, O, "INVITE sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.254\r\n"
		      "m=audio 4000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0,
		  "sip_media_to_a_third_party_opens_nothing", "n_expect %u", k.last.n_expect);
	/* the sender's own a=rtcp cannot point elsewhere either */
	rc = sip_send(&k, O, "INVITE sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 2 INVITE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=audio 4000 RTP/AVP 0\r\na=rtcp:22 IN IP4 10.0.0.254\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.expect[0].tuple.dport == 4000,
		  "sip_rtcp_attribute_to_a_third_party_opens_nothing", "n_expect %u",
		  k.last.n_expect);
	/* a peer answering with the caller's address: not its own */
	rc = sip_send(&k, R, "SIP/2.0 200 OK\r\nCSeq: 2 INVITE\r\nc: application/sdp\r\n"
		      "l: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 5000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0,
		  "sip_answer_with_the_callers_address_opens_nothing", "n_expect %u",
		  k.last.n_expect);
	/* privileged ports: ssh, the firewall's own services */
	rc = sip_send(&k, O, "INVITE sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 3 INVITE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=audio 22 RTP/AVP 0\r\nm=audio 1023 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.last.parse_errors == 2,
		  "sip_privileged_media_ports_open_nothing", "n_expect %u errors %u",
		  k.last.n_expect, k.last.parse_errors);
	/* a Content-Length past the datagram: the kernel's CVE-2026-23457 */
	rc = sip_send(&k, O, INV_HDRS("100000") "\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=audio 4000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.last.parse_errors == 1,
		  "sip_huge_content_length_opens_nothing", "n_expect %u", k.last.n_expect);
	/* media in a message that does not negotiate any */
	rc = sip_send(&k, O, "MESSAGE sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 4 MESSAGE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=audio 4000 RTP/AVP 0\r\n");
	rc |= sip_send(&k, R, "SIP/2.0 200 OK\r\nCSeq: 5 OPTIONS\r\nc: application/sdp\r\n"
		       "l: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 4000 RTP/AVP 0\r\n");
	rc |= sip_send(&k, R, "SIP/2.0 486 Busy Here\r\nCSeq: 2 INVITE\r\nc: application/sdp\r\n"
		       "l: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 4000 RTP/AVP 0\r\n");
	/* SDP not declared as such */
	rc |= sip_send(&k, O, "INVITE sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 6 INVITE\r\n"
		       "c: text/plain\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		       "m=audio 4000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.n_expect == 1 + 0,
		  "sip_sdp_outside_offer_answer_opens_nothing", "n_expect %u", k.n_expect);
	/* an SDP line of an unknown shape: the whole body is refused */
	rc = sip_send(&k, O, "INVITE sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 7 INVITE\r\n"
		      "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\n"
		      "m=audio 4000 RTP/AVP 0\r\nINVITE sip:x SIP/2.0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.last.parse_errors == 1,
		  "sip_sdp_with_a_foreign_line_opens_nothing", "n_expect %u", k.last.n_expect);
	/* SDP inside a header value or a second message in the datagram */
	rc = sip_send(&k, O, "OPTIONS sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 8 OPTIONS\r\nl: 0\r\n\r\n"
		      "INVITE sip:b@10.0.0.2 SIP/2.0\r\nCSeq: 9 INVITE\r\nc: application/sdp\r\n\r\n"
		      "v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0,
		  "sip_second_message_in_a_datagram_is_not_read", "n_expect %u", k.last.n_expect);
}

/* sip_direct_media 0: media wherever the SDP says, from anyone; still no low port */
static void test_indirect_media(struct tap *t)
{
	const uint32_t options[] = { [SIP_OPT_DIRECT_MEDIA] = 0, [SIP_OPT_DIRECT_SIGNALLING] = 1 };
	struct conv k;
	int rc;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	k.options = options;
	rc = sip_send(&k, R, "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nc: application/sdp\r\n"
		      "l: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.3\r\nm=audio 5000 RTP/AVP 0\r\n"
		      "m=audio 80 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 2 && k.last.parse_errors == 1 &&
		  expect_is(&k.last.expect[0], NULL, "10.0.0.3", 5000, SIP_CLASS_AUDIO) &&
		  expect_is(&k.last.expect[1], NULL, "10.0.0.3", 5001, SIP_CLASS_AUDIO),
		  "sip_direct_media_off_expects_the_media_host_from_anyone",
		  "n_expect %u errors %u", k.last.n_expect, k.last.parse_errors);
}

/* e expects UDP from src to dst:dport, class, bound to follow NAT to real:rport */
static bool expect_nat_is(const struct cthd_expect *e, const char *src, const char *dst,
			  uint16_t dport, uint8_t class, const char *real, uint16_t rport)
{
	union cthd_addr a, b, r;

	conv_set_addr(&a, src);
	conv_set_addr(&b, dst);
	conv_set_addr(&r, real);
	return e->l4proto == IPPROTO_UDP && e->class == class &&
	       !memcmp(&e->tuple.src, &a, sizeof(a)) && !memcmp(&e->tuple.dst, &b, sizeof(b)) &&
	       e->tuple.dport == dport && e->mask.dport == 0xffff && e->nat &&
	       !memcmp(&e->nat_addr, &r, sizeof(r)) && e->nat_port == rport &&
	       !strcmp(e->expectfn, "nat-follow-master");
}

/* What the receiver of the last message got is want (with "@CL@" filled in). */
static bool sip_out_is(struct conv *k, enum cthd_dir dir, const char *want)
{
	char buf[4096];

	sip_msg_fill(want, buf, sizeof(buf));
	return conv_out_is(k, dir, buf);
}

static int sip_send_fresh(struct conv *k, enum cthd_dir dir, const char *text)
{
	conv_reset_counts(k);
	return sip_send(k, dir, text);
}

/* The phone 192.168.1.10 behind the firewall's SNAT to 203.0.113.1 calls 198.51.100.2. */
static void test_snat_call(struct tap *t)
{
	struct conv k;
	int rc;

	conv_init(&k, "sip", "192.168.1.10", "203.0.113.1", 5060, "198.51.100.2", "198.51.100.2",
		  5060);
	rc = sip_send_fresh(&k, O,
		"INVITE sip:bob@198.51.100.2 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1;rport\r\n"
		"From: <sip:alice@192.168.1.10>;tag=1\r\nTo: <sip:bob@198.51.100.2>\r\n"
		"Call-ID: c1@192.168.1.10\r\nCSeq: 1 INVITE\r\n"
		"Contact: <sip:alice@192.168.1.10:5060;transport=udp>\r\n"
		"Content-Type: application/sdp\r\nContent-Length: @CL@\r\n\r\n"
		"v=0\r\no=- 1 1 IN IP4 192.168.1.10\r\ns=-\r\nc=IN IP4 192.168.1.10\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.n_mangled == 1 && k.dropped == 0 && sip_out_is(&k, O,
		"INVITE sip:bob@198.51.100.2 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK1;rport\r\n"
		"From: <sip:alice@203.0.113.1>;tag=1\r\nTo: <sip:bob@198.51.100.2>\r\n"
		"Call-ID: c1@192.168.1.10\r\nCSeq: 1 INVITE\r\n"
		"Contact: <sip:alice@203.0.113.1:5060;transport=udp>\r\n"
		"Content-Type: application/sdp\r\nContent-Length: @CL@\r\n\r\n"
		"v=0\r\no=- 1 1 IN IP4 203.0.113.1\r\ns=-\r\nc=IN IP4 203.0.113.1\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0\r\n"),
		  "sip_snat_invite_via_contact_from_sdp_and_length_rewritten", "rc %d out '%.*s'", rc,
		  (int)k.out_len[O], k.out[O]);
	tap_check(t, k.last.n_expect == 2 &&
		  expect_nat_is(&k.last.expect[0], "198.51.100.2", "203.0.113.1", 4000,
				SIP_CLASS_AUDIO, "192.168.1.10", 4000) &&
		  expect_nat_is(&k.last.expect[1], "198.51.100.2", "203.0.113.1", 4001,
				SIP_CLASS_AUDIO, "192.168.1.10", 4001) &&
		  k.last.expect[0].nat_dir == R,
		  "sip_snat_invite_expects_the_public_address_bound_to_the_phone", "n_expect %u",
		  k.last.n_expect);

	rc = sip_send_fresh(&k, R,
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bK1;rport=5060;received=203.0.113.1\r\n"
		"From: <sip:alice@203.0.113.1>;tag=1\r\nTo: <sip:bob@198.51.100.2>;tag=2\r\n"
		"Call-ID: c1@192.168.1.10\r\nCSeq: 1 INVITE\r\nContact: <sip:bob@198.51.100.2>\r\n"
		"Content-Type: application/sdp\r\nContent-Length: @CL@\r\n\r\n"
		"v=0\r\no=- 2 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
		"m=audio 6000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && sip_out_is(&k, R,
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1;rport=5060;received=192.168.1.10\r\n"
		"From: <sip:alice@192.168.1.10>;tag=1\r\nTo: <sip:bob@198.51.100.2>;tag=2\r\n"
		"Call-ID: c1@192.168.1.10\r\nCSeq: 1 INVITE\r\nContact: <sip:bob@198.51.100.2>\r\n"
		"Content-Type: application/sdp\r\nContent-Length: @CL@\r\n\r\n"
		"v=0\r\no=- 2 2 IN IP4 198.51.100.2\r\ns=-\r\nc=IN IP4 198.51.100.2\r\nt=0 0\r\n"
		"m=audio 6000 RTP/AVP 0\r\n") && k.last.n_expect == 2 &&
		  expect_nat_is(&k.last.expect[0], "192.168.1.10", "198.51.100.2", 6000,
				SIP_CLASS_AUDIO, "198.51.100.2", 6000) && k.last.expect[0].nat_dir == O,
		  "sip_snat_answer_via_restored_for_the_phone", "rc %d out '%.*s'", rc,
		  (int)k.out_len[R], k.out[R]);

	/* a peer cannot use the rewrite to reach a port below 1024 */
	rc = sip_send_fresh(&k, R, "SIP/2.0 200 OK\r\nCSeq: 2 INVITE\r\nc: application/sdp\r\n"
			    "l: @CL@\r\n\r\nv=0\r\nc=IN IP4 203.0.113.1\r\nm=audio 22 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.last.parse_errors == 1,
		  "sip_snat_low_port_at_the_public_address_opens_nothing", "n_expect %u",
		  k.last.n_expect);
}

/* The PBX 10.1.1.5 behind the firewall's DNAT of 203.0.113.5, called from outside. */
static void test_dnat_call(struct tap *t)
{
	struct conv k;
	int rc;

	conv_init(&k, "sip", "198.51.100.7", "198.51.100.7", 5060, "10.1.1.5", "203.0.113.5", 5060);
	rc = sip_send_fresh(&k, O,
		"INVITE sip:100@203.0.113.5 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=b\r\n"
		"From: <sip:carol@198.51.100.7>;tag=3\r\nTo: <sip:100@203.0.113.5>\r\n"
		"CSeq: 1 INVITE\r\nContact: <sip:carol@198.51.100.7>\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 198.51.100.7\r\n"
		"m=audio 30000 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && sip_out_is(&k, O,
		"INVITE sip:100@10.1.1.5 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=b\r\n"
		"From: <sip:carol@198.51.100.7>;tag=3\r\nTo: <sip:100@10.1.1.5>\r\n"
		"CSeq: 1 INVITE\r\nContact: <sip:carol@198.51.100.7>\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 198.51.100.7\r\n"
		"m=audio 30000 RTP/AVP 0\r\n") && k.last.n_expect == 2 &&
		  expect_nat_is(&k.last.expect[0], "10.1.1.5", "198.51.100.7", 30000, SIP_CLASS_AUDIO,
				"198.51.100.7", 30000),
		  "sip_dnat_request_uri_and_to_become_the_pbx", "rc %d out '%.*s'", rc,
		  (int)k.out_len[O], k.out[O]);
	rc = sip_send_fresh(&k, R,
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=b\r\n"
		"From: <sip:carol@198.51.100.7>;tag=3\r\nTo: <sip:100@10.1.1.5>;tag=4\r\n"
		"CSeq: 1 INVITE\r\nContact: <sip:100@10.1.1.5:5060>\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\no=pbx 5 5 IN IP4 10.1.1.5\r\n"
		"c=IN IP4 10.1.1.5\r\nm=audio 12000 RTP/AVP 0\r\na=rtcp:12001 IN IP4 10.1.1.5\r\n");
	tap_check(t, rc == 0 && sip_out_is(&k, R,
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=b\r\n"
		"From: <sip:carol@198.51.100.7>;tag=3\r\nTo: <sip:100@203.0.113.5>;tag=4\r\n"
		"CSeq: 1 INVITE\r\nContact: <sip:100@203.0.113.5:5060>\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\no=pbx 5 5 IN IP4 203.0.113.5\r\n"
		"c=IN IP4 203.0.113.5\r\nm=audio 12000 RTP/AVP 0\r\na=rtcp:12001 IN IP4 203.0.113.5\r\n") &&
		  k.last.n_expect == 2 &&
		  expect_nat_is(&k.last.expect[0], "198.51.100.7", "203.0.113.5", 12000,
				SIP_CLASS_AUDIO, "10.1.1.5", 12000) &&
		  expect_nat_is(&k.last.expect[1], "198.51.100.7", "203.0.113.5", 12001,
				SIP_CLASS_AUDIO, "10.1.1.5", 12001),
		  "sip_dnat_answer_contact_and_sdp_become_public", "rc %d out '%.*s'", rc,
		  (int)k.out_len[R], k.out[R]);
}

static void test_snat_ipv6(struct tap *t)
{
	struct conv k;
	int rc;

	conv_init(&k, "sip", "fd00:1::10", "2001:db8::1", 5060, "2001:db8:2::2", "2001:db8:2::2",
		  5060);
	rc = sip_send_fresh(&k, O, LINPHONE_INVITE_IPV6);
	/* the table's linphone message is fd00::1 to fd00::2: not this call's, nothing to do */
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.last.n_mangle == 0,
		  "sip_snat_ipv6_foreign_addresses_left_alone", "n_expect %u n_mangle %u",
		  k.last.n_expect, k.last.n_mangle);
	rc = sip_send_fresh(&k, O,
		"INVITE sip:bob@[2001:db8:2::2] SIP/2.0\r\n"
		"Via: SIP/2.0/UDP [fd00:1::10]:5060;branch=z9hG4bK.6;rport\r\n"
		"CSeq: 20 INVITE\r\nContact: <sip:alice@[fd00:1::10];transport=udp>\r\n"
		"Content-Type: application/sdp\r\nContent-Length: @CL@\r\n\r\n"
		"v=0\r\no=alice 3141 1592 IN IP6 fd00:1::10\r\ns=Talk\r\nc=IN IP6 fd00:1::10\r\n"
		"t=0 0\r\nm=audio 7078 RTP/AVP 96\r\na=rtcp:7079 IN IP6 fd00:1::10\r\n");
	tap_check(t, rc == 0 && sip_out_is(&k, O,
		"INVITE sip:bob@[2001:db8:2::2] SIP/2.0\r\n"
		"Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK.6;rport\r\n"
		"CSeq: 20 INVITE\r\nContact: <sip:alice@[2001:db8::1];transport=udp>\r\n"
		"Content-Type: application/sdp\r\nContent-Length: @CL@\r\n\r\n"
		"v=0\r\no=alice 3141 1592 IN IP6 2001:db8::1\r\ns=Talk\r\nc=IN IP6 2001:db8::1\r\n"
		"t=0 0\r\nm=audio 7078 RTP/AVP 96\r\na=rtcp:7079 IN IP6 2001:db8::1\r\n") &&
		  k.last.n_expect == 2 &&
		  expect_nat_is(&k.last.expect[1], "2001:db8:2::2", "2001:db8::1", 7079,
				SIP_CLASS_AUDIO, "fd00:1::10", 7079),
		  "sip_snat_ipv6_literals_rewritten", "rc %d out '%.*s'", rc, (int)k.out_len[O],
		  k.out[O]);
}

/* Two phones behind one SNAT announce the same port to one peer: the second moves. */
static void test_snat_port_clash(struct tap *t)
{
	static struct cthd_natports book;
	static const char invite[] =
		"INVITE sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 %s\r\nm=audio 4000 RTP/AVP 0\r\n";
	char text[512];
	struct conv k1, k2;
	int rc;

	conv_natports_reset(&book, "sip", 100);
	conv_init(&k1, "sip", "192.168.1.10", "203.0.113.1", 5060, "198.51.100.2", "198.51.100.2",
		  5060);
	conv_init(&k2, "sip", "192.168.1.11", "203.0.113.1", 5062, "198.51.100.2", "198.51.100.2",
		  5060);
	k2.ct.id = 2;
	k1.natports = k2.natports = &book;
	snprintf(text, sizeof(text), invite, "192.168.1.10");
	rc = sip_send_fresh(&k1, O, text);
	snprintf(text, sizeof(text), invite, "192.168.1.11");
	rc |= sip_send_fresh(&k2, O, text);
	tap_check(t, rc == 0 && k1.last.n_expect == 2 && k2.last.n_expect == 2 &&
		  k1.last.expect[0].tuple.dport == 4000 &&
		  expect_nat_is(&k2.last.expect[0], "198.51.100.2", "203.0.113.1", 4002,
				SIP_CLASS_AUDIO, "192.168.1.11", 4000) &&
		  expect_nat_is(&k2.last.expect[1], "198.51.100.2", "203.0.113.1", 4003,
				SIP_CLASS_AUDIO, "192.168.1.11", 4001) &&
		  sip_out_is(&k2, O, "INVITE sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n"
			     "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 203.0.113.1\r\n"
			     "m=audio 4002 RTP/AVP 0\r\n"),
		  "sip_snat_port_clash_second_phone_told_the_next_pair", "ports %u/%u out '%.*s'",
		  k2.last.expect[0].tuple.dport, k2.last.expect[1].tuple.dport,
		  (int)k2.out_len[O], k2.out[O]);
}

/* The phone 192.168.1.10 behind SNAT to 203.0.113.1 calls 198.51.100.2; the core books ports. */
#define SNAT_INVITE(media) \
	"INVITE sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n" \
	"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 192.168.1.10\r\n" media

static void snat_phone_booked(struct conv *k, struct cthd_natports *book)
{
	conv_natports_reset(book, "sip", 100);
	conv_init(k, "sip", "192.168.1.10", "203.0.113.1", 5060, "198.51.100.2", "198.51.100.2",
		  5060);
	k->natports = book;
}

/*
 * Media past the expectations one packet may carry (5 streams, 8
 * expectations): the message is dropped, as nf_nat_sip drops one it finds
 * no port for (sent with its address rewritten and the 5th stream's port
 * not, it would send the peer's media to a port that may be another's),
 * and nothing of it stays in the book: not the 5th stream's port, nor the
 * first four's, whose reservations evict the master's earlier ones of the
 * class (4 audio) that the kernel keeps.
 */
static void test_snat_media_past_the_expectations(struct tap *t)
{
	static struct cthd_natports book;
	unsigned int held = 0;
	struct conv k;
	int rc;

	snat_phone_booked(&k, &book);
	rc = sip_send_fresh(&k, O, SNAT_INVITE(
		"m=audio 4000 RTP/AVP 0\r\nm=audio 4010 RTP/AVP 0\r\nm=audio 4020 RTP/AVP 0\r\n"
		"m=audio 4030 RTP/AVP 0\r\nm=audio 4040 RTP/AVP 0\r\n"));
	for (unsigned int port = 4000; port <= 4041; port++)
		held += conv_natport_held(&book, (uint16_t)port);
	tap_check(t, rc == 0 && k.dropped == 1 && k.n_expect == 0 && held == 0 &&
		  !conv_natport_held(&book, 4040) && !conv_natport_held(&book, 4041),
		  "sip_snat_media_past_the_expectations_reserve_no_port",
		  "rc %d n_expect %u lost %u held %u (4040: %d, 4041: %d)", rc, k.n_expect, k.lost,
		  held, conv_natport_held(&book, 4040), conv_natport_held(&book, 4041));
}

/*
 * Another phone behind the same SNAT holds 4040: a 5-stream offer whose
 * 5th stream is at 4040 gets no port for it (no room for a 9th and 10th
 * expectation) and must not go out with its address rewritten and 4040
 * left, which would send the peer's media into the other phone's.
 */
static void test_snat_stream_without_a_port_not_sent_half_rewritten(struct tap *t)
{
	static struct cthd_natports book;
	struct conv k1, k2;
	int rc;

	conv_natports_reset(&book, "sip", 100);
	conv_init(&k2, "sip", "192.168.1.11", "203.0.113.1", 5062, "198.51.100.2",
		  "198.51.100.2", 5060);
	k2.ct.id = 2;
	k2.natports = &book;
	rc = sip_send_fresh(&k2, O, "INVITE sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n"
			    "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 192.168.1.11\r\n"
			    "m=audio 4040 RTP/AVP 0\r\n");
	conv_init(&k1, "sip", "192.168.1.10", "203.0.113.1", 5060, "198.51.100.2",
		  "198.51.100.2", 5060);
	k1.natports = &book;
	rc |= sip_send_fresh(&k1, O, SNAT_INVITE(
		"m=audio 4000 RTP/AVP 0\r\nm=audio 4010 RTP/AVP 0\r\nm=audio 4020 RTP/AVP 0\r\n"
		"m=audio 4030 RTP/AVP 0\r\nm=audio 4040 RTP/AVP 0\r\n"));
	tap_check(t, rc == 0 && k2.last.n_expect == 2 && conv_natport_held(&book, 4040) &&
		  k1.dropped == 1 && k1.last.n_expect == 0,
		  "sip_snat_stream_without_a_port_not_sent_half_rewritten",
		  "rc %d phone 2 n_expect %u; phone 1 dropped %u n_expect %u out '%.*s'", rc,
		  k2.last.n_expect, k1.dropped, k1.last.n_expect, (int)k1.out_len[O], k1.out[O]);
}

static bool expect_register_is(const struct cthd_expect *e, const char *src, const char *dst,
			       uint16_t dport)
{
	return expect_is(e, src, dst, dport, SIP_CLASS_SIGNALLING) &&
	       e->flags == NF_CT_EXPECT_PERMANENT && !strcmp(e->helper, "sip");
}

#define REG(contact, expires_hdr) \
	"REGISTER sip:10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=r\r\n" \
	"From: <sip:alice@10.0.0.2>;tag=1\r\nTo: <sip:alice@10.0.0.2>\r\nCSeq: 2 REGISTER\r\n" \
	"Contact: " contact "\r\n" expires_hdr "Content-Length: 0\r\n\r\n"

static void test_register(struct tap *t)
{
	const uint32_t any_signalling[] = { [SIP_OPT_DIRECT_MEDIA] = 1,
					    [SIP_OPT_DIRECT_SIGNALLING] = 0 };
	static const struct {
		const char *name, *text;
		unsigned int n_expect, parse_errors, lost;
	} none[] = {
		{ "unregister_contact_expires_0", REG("<sip:alice@10.0.0.1:5060>;expires=0",
						      "Expires: 3600\r\n") },
		{ "unregister_expires_header_0", REG("<sip:alice@10.0.0.1:5060>", "Expires: 0\r\n") },
		{ "no_expiry_at_all", REG("<sip:alice@10.0.0.1:5060>", "") },
		{ "third_party_contact", REG("<sip:alice@10.0.0.9:5060>", "Expires: 3600\r\n") },
		{ "host_name_contact", REG("<sip:alice@pc.example.com>", "Expires: 3600\r\n") },
		{ "star_contact", REG("*", "Expires: 0\r\n") },
		{ "tcp_contact", REG("<sip:alice@10.0.0.1:5060;transport=tcp>", "Expires: 60\r\n"),
		  0, 0, 1 },
		{ "privileged_port", REG("<sip:alice@10.0.0.1:22>", "Expires: 60\r\n"), 0, 1, 0 },
		{ "bad_contact_expires", REG("<sip:alice@10.0.0.1>;expires=x", "Expires: 60\r\n"),
		  0, 1, 0 },
	};
	struct conv k;
	char name[96];
	int rc;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	rc = sip_send_fresh(&k, O, BARESIP_REGISTER);
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.n_mangle == 0 &&
		  expect_register_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 5060),
		  "sip_register_expects_calls_from_the_registrar_to_the_contact", "n_expect %u",
		  k.last.n_expect);
	rc = sip_send_fresh(&k, R, KAMAILIO_REGISTER_200);
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.parse_errors == 0,
		  "sip_register_answer_expects_nothing", "n_expect %u", k.last.n_expect);
	rc = sip_send_fresh(&k, O, REG("\"Alice\" <sip:alice@10.0.0.1:5070;line=x>;expires=600",
				       ""));
	tap_check(t, rc == 0 && k.last.n_expect == 1 &&
		  expect_register_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 5070),
		  "sip_register_contact_expires_parameter_and_port", "n_expect %u",
		  k.last.n_expect);
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		rc = sip_send_fresh(&k, O, none[i].text);
		snprintf(name, sizeof(name), "sip_register_%s_expects_nothing", none[i].name);
		tap_check(t, rc == 0 && k.last.n_expect == 0 &&
			  k.last.parse_errors == none[i].parse_errors && k.last.lost == none[i].lost,
			  name, "n_expect %u errors %u lost %u", k.last.n_expect,
			  k.last.parse_errors, k.last.lost);
	}
	k.options = any_signalling;
	rc = sip_send_fresh(&k, O, BARESIP_REGISTER);
	tap_check(t, rc == 0 && k.last.n_expect == 1 &&
		  expect_register_is(&k.last.expect[0], NULL, "10.0.0.1", 5060),
		  "sip_direct_signalling_off_expects_calls_from_anyone", "n_expect %u",
		  k.last.n_expect);
}

/* A phone behind SNAT (its port mapped to 1025) registers: its binding is the mapping. */
static void test_register_snat(struct tap *t)
{
	struct conv k;
	int rc;

	conv_init(&k, "sip", "192.168.1.10", "203.0.113.1", 5060, "198.51.100.2", "198.51.100.2",
		  5060);
	k.ct.tuple[R].dport = 1025;
	rc = sip_send_fresh(&k, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.10:5060;branch=r\r\n"
		"CSeq: 1 REGISTER\r\nContact: <sip:alice@192.168.1.10:5060>\r\nExpires: 3600\r\n"
		"Content-Length: 0\r\n\r\n");
	tap_check(t, rc == 0 && sip_out_is(&k, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.1:1025;branch=r\r\n"
		"CSeq: 1 REGISTER\r\nContact: <sip:alice@203.0.113.1:1025>\r\nExpires: 3600\r\n"
		"Content-Length: 0\r\n\r\n") && k.last.n_expect == 1 &&
		  expect_nat_is(&k.last.expect[0], "198.51.100.2", "203.0.113.1", 1025,
				SIP_CLASS_SIGNALLING, "192.168.1.10", 5060) &&
		  !strcmp(k.last.expect[0].helper, "sip"),
		  "sip_register_snat_contact_is_the_mapping", "rc %d out '%.*s'", rc,
		  (int)k.out_len[O], k.out[O]);
	rc = sip_send_fresh(&k, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.10:5060;branch=s\r\n"
		"CSeq: 2 REGISTER\r\nContact: <sip:alice@192.168.1.10:5070>;expires=60\r\n"
		"Content-Length: 0\r\n\r\n");
	tap_check(t, rc == 0 && sip_out_is(&k, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.1:1025;branch=s\r\n"
		"CSeq: 2 REGISTER\r\nContact: <sip:alice@203.0.113.1:5070>;expires=60\r\n"
		"Content-Length: 0\r\n\r\n") && k.last.n_expect == 1 &&
		  expect_nat_is(&k.last.expect[0], "198.51.100.2", "203.0.113.1", 5070,
				SIP_CLASS_SIGNALLING, "192.168.1.10", 5070),
		  "sip_register_snat_other_contact_port", "rc %d out '%.*s'", rc,
		  (int)k.out_len[O], k.out[O]);
}

/*
 * Over TCP the phone's connection comes from a port of its own (40000,
 * mapped to 40001), not its Contact's (5060): the registration's Contact
 * is rewritten to the expectation's port at the public address, and the
 * unregistration's must be rewritten the same, or the registrar is asked
 * to remove a binding (the private address) it does not have, keeps the
 * one it has and says so in its 200 OK, which keeps the expectation. A
 * second phone behind the same SNAT was told the next port: so is its
 * unregistration.
 */
#define TCP_REG(from, contact, expires) \
	"REGISTER sip:198.51.100.2 SIP/2.0\r\nVia: SIP/2.0/TCP " from ";branch=r\r\n" \
	"CSeq: 1 REGISTER\r\nContact: <sip:alice@" contact ";transport=tcp>\r\n" \
	"Expires: " expires "\r\nContent-Length: 0\r\n\r\n"

/*
 * Two phones behind one SNAT, over TCP from ports of their own (40000 and
 * 40002, mapped to 40001 and 40003), sharing a fresh book.
 */
static void tcp_phones_behind_snat(struct conv *k1, struct conv *k2, struct cthd_natports *book)
{
	conv_natports_reset(book, "sip-tcp", 100);
	conv_init(k1, "sip-tcp", "192.168.1.10", "203.0.113.1", 40000, "198.51.100.2",
		  "198.51.100.2", 5060);
	k1->ct.tuple[R].dport = 40001;
	conv_init(k2, "sip-tcp", "192.168.1.11", "203.0.113.1", 40002, "198.51.100.2",
		  "198.51.100.2", 5060);
	k2->ct.id = 2;
	k2->ct.tuple[R].dport = 40003;
	k1->natports = k2->natports = book;
}

static void test_register_snat_tcp(struct tap *t)
{
	static struct cthd_natports book;
	struct conv k1, k2;
	int rc;

	tcp_phones_behind_snat(&k1, &k2, &book);
	rc = sip_send_fresh(&k1, O, TCP_REG("192.168.1.10:5060", "192.168.1.10:5060", "300"));
	tap_check(t, rc == 0 && conv_out_is(&k1, O,
		TCP_REG("192.168.1.10:5060", "203.0.113.1:5060", "300")) && k1.last.n_expect == 1 &&
		  k1.last.expect[0].l4proto == IPPROTO_TCP && k1.last.expect[0].tuple.dport == 5060 &&
		  k1.last.expect[0].nat_port == 5060,
		  "sip_tcp_register_snat_contact_rewritten_to_the_expectation",
		  "rc %d n_expect %u out '%.*s'", rc, k1.last.n_expect, (int)k1.out_len[O], k1.out[O]);
	rc = sip_send_fresh(&k2, O, TCP_REG("192.168.1.11:5060", "192.168.1.11:5060", "300"));
	tap_check(t, rc == 0 && conv_out_is(&k2, O,
		TCP_REG("192.168.1.11:5060", "203.0.113.1:5061", "300")) && k2.last.n_expect == 1 &&
		  k2.last.expect[0].tuple.dport == 5061,
		  "sip_tcp_register_snat_second_phone_told_the_next_port", "rc %d out '%.*s'", rc,
		  (int)k2.out_len[O], k2.out[O]);
	rc = sip_send_fresh(&k1, O, TCP_REG("192.168.1.10:5060", "192.168.1.10:5060", "0"));
	tap_check(t, rc == 0 && conv_out_is(&k1, O,
		TCP_REG("192.168.1.10:5060", "203.0.113.1:5060", "0")) && k1.last.n_expect == 0,
		  "sip_tcp_unregister_snat_contact_rewritten_as_the_registration",
		  "rc %d n_expect %u out '%.*s'", rc, k1.last.n_expect, (int)k1.out_len[O], k1.out[O]);
	rc = sip_send_fresh(&k2, O, TCP_REG("192.168.1.11:5060", "192.168.1.11:5060", "0"));
	tap_check(t, rc == 0 && conv_out_is(&k2, O,
		TCP_REG("192.168.1.11:5060", "203.0.113.1:5061", "0")) && k2.last.n_expect == 0,
		  "sip_tcp_unregister_snat_second_phone_names_its_own_port",
		  "rc %d n_expect %u out '%.*s'", rc, k2.last.n_expect, (int)k2.out_len[O], k2.out[O]);
}

/*
 * An unregistration opens nothing and reserves nothing: one naming a
 * Contact port its registration never had must not evict the
 * registration's reservation (the kernel keeps its expectation, and a
 * second phone would be told that port), and many of them must not fill
 * the book so that a phone that registers gets no port.
 */
static void test_unregister_snat_reserves_nothing(struct tap *t)
{
	static struct cthd_natports book;
	static struct conv k1, k2, v;
	unsigned int held = 0;
	int rc;

	tcp_phones_behind_snat(&k1, &k2, &book);
	rc = sip_send_fresh(&k1, O, TCP_REG("192.168.1.10:5060", "192.168.1.10:5060", "300"));
	rc |= sip_send_fresh(&k1, O, TCP_REG("192.168.1.10:5060", "192.168.1.10:5999", "0"));
	tap_check(t, rc == 0 && conv_out_is(&k1, O,
		TCP_REG("192.168.1.10:5060", "192.168.1.10:5999", "0")) && k1.last.n_expect == 0 &&
		  conv_natport_held(&book, 5060) && !conv_natport_held(&book, 5999),
		  "sip_tcp_unregister_snat_of_another_port_evicts_nothing",
		  "rc %d 5060 held %d 5999 held %d out '%.*s'", rc, conv_natport_held(&book, 5060),
		  conv_natport_held(&book, 5999), (int)k1.out_len[O], k1.out[O]);
	rc = sip_send_fresh(&k2, O, TCP_REG("192.168.1.11:5060", "192.168.1.11:5060", "300"));
	tap_check(t, rc == 0 && k2.last.n_expect == 1 && k2.last.expect[0].tuple.dport == 5061,
		  "sip_tcp_register_snat_after_it_not_told_the_held_port", "rc %d told %u", rc,
		  k2.last.n_expect ? k2.last.expect[0].tuple.dport : 0);

	conv_natports_reset(&book, "sip", 100);
	conv_init(&k1, "sip", "192.168.1.10", "203.0.113.1", 10000, "198.51.100.2",
		  "198.51.100.2", 5060);
	k1.natports = &book;
	for (unsigned int i = 0; i < 300; i++) {
		k1.ct.id = 1000 + i;
		k1.ct.tuple[O].sport = (uint16_t)(10000 + i);
		k1.ct.tuple[R].dport = (uint16_t)(20000 + i);
		memset(k1.priv, 0, sizeof(k1.priv));
		rc |= sip_send_fresh(&k1, O,
			"REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: 2 REGISTER\r\n"
			"Contact: <sip:x@192.168.1.10:5070>;expires=0\r\nContent-Length: 0\r\n\r\n");
	}
	for (unsigned int p = 5070; p < 5070 + 300; p++)
		held += conv_natport_held(&book, (uint16_t)p);
	conv_init(&v, "sip", "192.168.1.11", "203.0.113.1", 5062, "198.51.100.2",
		  "198.51.100.2", 5060);
	v.ct.id = 2;
	v.natports = &book;
	rc |= sip_send_fresh(&v, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: 2 REGISTER\r\n"
		"Contact: <sip:v@192.168.1.11:5070>;expires=300\r\nContent-Length: 0\r\n\r\n");
	tap_check(t, rc == 0 && held == 0 && v.last.n_expect == 1 &&
		  v.last.expect[0].tuple.dport == 5070,
		  "sip_unregistrations_do_not_fill_the_nat_port_book",
		  "rc %d held %u; a registration then: n_expect %u told %u", rc, held,
		  v.last.n_expect, v.last.n_expect ? v.last.expect[0].tuple.dport : 0);
}

/* msgs (NULL-ended) in one TCP segment from the phone, each filled as sip_send() does */
static int sip_send_segment(struct conv *k, const char *const *msgs)
{
	static char seg[8192];
	size_t n = 0;

	for (; *msgs; msgs++)
		n += sip_msg_fill(*msgs, seg + n, sizeof(seg) - n);
	conv_reset_counts(k);
	return conv_send_len(k, O, seg, n);
}

#define TCP_OFFER(cseq, method, media) \
	method " sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: " cseq " " method "\r\n" \
	"Content-Type: application/sdp\r\nContent-Length: @CL@\r\n\r\n" \
	"v=0\r\nc=IN IP4 192.168.1.10\r\n" media
#define TCP_REFUSAL(code, cseq) \
	"SIP/2.0 " code "\r\nCSeq: " cseq "\r\nContent-Length: 0\r\n\r\n"
/* a message that cannot be rewritten under NAT: more contacts than the parser reads */
#define TCP_UNREWRITABLE \
	"OPTIONS sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 9 OPTIONS\r\nContact: <sip:a@192.168.1.10>" \
	", <sip:c0@192.0.2.1>, <sip:c1@192.0.2.1>, <sip:c2@192.0.2.1>, <sip:c3@192.0.2.1>" \
	", <sip:c4@192.0.2.1>, <sip:c5@192.0.2.1>, <sip:c6@192.0.2.1>, <sip:c7@192.0.2.1>" \
	", <sip:c8@192.0.2.1>, <sip:c9@192.0.2.1>, <sip:ca@192.0.2.1>, <sip:cb@192.0.2.1>" \
	", <sip:cc@192.0.2.1>, <sip:cd@192.0.2.1>, <sip:ce@192.0.2.1>, <sip:cf@192.0.2.1>" \
	"\r\nContent-Length: 0\r\n\r\n"
_Static_assert(SIP_CONTACT_MAX == 16, "TCP_UNREWRITABLE has one contact more than read");

/*
 * A TCP segment is dropped whole when one of its messages cannot be
 * rewritten: the requests before that one reached no one either. Their
 * CSeqs are not remembered (a refusal naming the dropped re-INVITE must
 * leave the call's media, one naming the INVITE that went out removes
 * them; the same for REGISTER), and nothing of them stays in the book.
 */
static void test_tcp_dropped_segment_forgets_its_requests(struct tap *t)
{
	static struct cthd_natports book;
	struct conv k, k2;
	int rc;

	tcp_phones_behind_snat(&k, &k2, &book);
	rc = sip_send_fresh(&k, O, TCP_OFFER("1", "INVITE", "m=audio 4000 RTP/AVP 0\r\n"));
	rc |= sip_send_segment(&k, (const char *const[]){
		TCP_OFFER("2", "INVITE", "m=audio 4010 RTP/AVP 0\r\n"), TCP_UNREWRITABLE, NULL });
	tap_check(t, rc == 0 && k.dropped == 1 && !conv_natport_held(&book, 4010) &&
		  conv_natport_held(&book, 4000),
		  "sip_tcp_segment_with_an_unrewritable_message_dropped_with_its_reinvite",
		  "rc %d dropped %u held 4000 %d 4010 %d", rc, k.dropped,
		  conv_natport_held(&book, 4000), conv_natport_held(&book, 4010));
	rc = sip_send_fresh(&k, R, TCP_REFUSAL("486 Busy Here", "2 INVITE"));
	tap_check(t, rc == 0 && k.last.expect_flush == 0,
		  "sip_tcp_refusal_of_a_dropped_reinvite_removes_nothing", "rc %d flush 0x%x", rc,
		  k.last.expect_flush);
	rc = sip_send_fresh(&k, R, TCP_REFUSAL("486 Busy Here", "1 INVITE"));
	tap_check(t, rc == 0 && k.last.expect_flush == SIP_FLUSH_MEDIA,
		  "sip_tcp_refusal_of_the_invite_that_went_out_removes_media", "rc %d flush 0x%x",
		  rc, k.last.expect_flush);

	tcp_phones_behind_snat(&k, &k2, &book);
	rc = sip_send_fresh(&k, O, TCP_REG("192.168.1.10:5060", "192.168.1.10:5060", "300"));
	rc |= sip_send_segment(&k, (const char *const[]){
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: 2 REGISTER\r\n"
		"Contact: <sip:alice@192.168.1.10:5060;transport=tcp>\r\nExpires: 300\r\n"
		"Content-Length: 0\r\n\r\n", TCP_UNREWRITABLE, NULL });
	rc |= sip_send_fresh(&k, R, TCP_REFUSAL("403 Forbidden", "1 REGISTER"));
	tap_check(t, rc == 0 && k.last.expect_flush == SIP_FLUSH_SIGNALLING,
		  "sip_tcp_refusal_of_the_register_that_went_out_removes_it", "rc %d flush 0x%x",
		  rc, k.last.expect_flush);
}

/*
 * A PBX trunk behind SNAT: one TCP segment with three INVITEs of 4 audio
 * streams each (each INVITE's flush takes the earlier ones' expectations
 * out again): every stream gets a port, however many the segment asks for.
 */
static void test_tcp_segment_of_many_offers(struct tap *t)
{
	static struct cthd_natports book;
	struct conv k, k2;
	int rc;

	tcp_phones_behind_snat(&k, &k2, &book);
	rc = sip_send_segment(&k, (const char *const[]){
		TCP_OFFER("1", "INVITE", "m=audio 4000 RTP/AVP 0\r\nm=audio 4010 RTP/AVP 0\r\n"
		"m=audio 4020 RTP/AVP 0\r\nm=audio 4030 RTP/AVP 0\r\n"),
		TCP_OFFER("2", "INVITE", "m=audio 4100 RTP/AVP 0\r\nm=audio 4110 RTP/AVP 0\r\n"
		"m=audio 4120 RTP/AVP 0\r\nm=audio 4130 RTP/AVP 0\r\n"),
		TCP_OFFER("3", "INVITE", "m=audio 4200 RTP/AVP 0\r\nm=audio 4210 RTP/AVP 0\r\n"
		"m=audio 4220 RTP/AVP 0\r\nm=audio 4230 RTP/AVP 0\r\n"), NULL });
	tap_check(t, rc == 0 && k.dropped == 0 && k.last.n_expect == 8 && k.lost == 0,
		  "sip_tcp_segment_of_three_offers_goes_out", "rc %d dropped %u n_expect %u lost %u",
		  rc, k.dropped, k.last.n_expect, k.lost);
}

/*
 * The book frees what the kernel evicts: a master's first inserted
 * expectation of the class (audio keeps 4), whether in one packet or in
 * two of the same second. A port the kernel keeps but the book freed
 * would be told to a second phone behind the same SNAT, whose peer's
 * media would then reach the first phone's expectation.
 */
static void test_snat_book_evicts_what_the_kernel_evicts(struct tap *t)
{
	static const uint16_t kept[] = { 4010, 4011, 4020, 4021 };
	static struct cthd_natports book;
	unsigned int missing[2] = { 0, 0 };
	struct conv k, k2;
	int rc;

	snat_phone_booked(&k, &book);
	rc = sip_send_fresh(&k, O, SNAT_INVITE(
		"m=audio 4000 RTP/AVP 0\r\nm=audio 4010 RTP/AVP 0\r\nm=audio 4020 RTP/AVP 0\r\n"));
	for (unsigned int i = 0; i < 4; i++)
		missing[0] += !conv_natport_held(&book, kept[i]);
	snat_phone_booked(&k, &book);
	rc |= sip_send_fresh(&k, O, SNAT_INVITE(
		"m=audio 4000 RTP/AVP 0\r\nm=audio 4010 RTP/AVP 0\r\n"));
	rc |= sip_send_fresh(&k, O,
		"UPDATE sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 2 UPDATE\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 192.168.1.10\r\n"
		"m=audio 4020 RTP/AVP 0\r\n");
	for (unsigned int i = 0; i < 4; i++)
		missing[1] += !conv_natport_held(&book, kept[i]);
	conv_init(&k2, "sip", "192.168.1.11", "203.0.113.1", 5062, "198.51.100.2",
		  "198.51.100.2", 5060);
	k2.ct.id = 2;
	k2.natports = &book;
	rc |= sip_send_fresh(&k2, O,
		"INVITE sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 192.168.1.11\r\n"
		"m=audio 4010 RTP/AVP 0\r\n");
	tap_check(t, rc == 0 && missing[0] == 0 && missing[1] == 0 && k2.last.n_expect == 2 &&
		  k2.last.expect[0].tuple.dport == 4012,
		  "sip_snat_book_evicts_the_first_inserted_as_the_kernel",
		  "rc %d: of 4010/4011/4020/4021 the book lacks %u (one offer), %u (two in one "
		  "second); a second phone told %u", rc, missing[0], missing[1],
		  k2.last.n_expect ? k2.last.expect[0].tuple.dport : 0);
}

/*
 * Without a=rtcp the peer sends RTCP to the RTP port it was told plus one.
 * Another phone holds 4000 and 4002 (a=rtcp:4002): told RTP 4001, the
 * phone's RTCP could only be expected at 4003 while its peer sends to
 * 4002, the other phone's. Under NAT the message is dropped instead.
 */
static void test_snat_implicit_rtcp_never_anothers(struct tap *t)
{
	static struct cthd_natports book;
	struct conv k, k2;
	int rc;

	snat_phone_booked(&k, &book);
	conv_init(&k2, "sip", "192.168.1.11", "203.0.113.1", 5062, "198.51.100.2",
		  "198.51.100.2", 5060);
	k2.ct.id = 2;
	k2.natports = &book;
	rc = sip_send_fresh(&k2, O,
		"INVITE sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n"
		"c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 192.168.1.11\r\n"
		"m=audio 4000 RTP/AVP 0\r\na=rtcp:4002\r\n");
	rc |= sip_send_fresh(&k, O, SNAT_INVITE("m=audio 4000 RTP/AVP 0\r\n"));
	tap_check(t, rc == 0 && k2.last.n_expect == 2 && k.dropped == 1 &&
		  !conv_natport_held(&book, 4001) && !conv_natport_held(&book, 4003),
		  "sip_snat_implicit_rtcp_at_anothers_port_dropped",
		  "rc %d dropped %u told %u/%u", rc, k.dropped,
		  k.last.n_expect ? k.last.expect[0].tuple.dport : 0,
		  k.last.n_expect > 1 ? k.last.expect[1].tuple.dport : 0);
}

/* Contact: first, then more entries than the parser reads (the message cannot be rewritten). */
static void contacts_past_the_parser(char *buf, size_t size, const char *first)
{
	size_t n = (size_t)snprintf(buf, size, "Contact: %s", first);

	for (unsigned int i = 0; i < SIP_CONTACT_MAX; i++)
		n += (size_t)snprintf(buf + n, size - n, ", <sip:c%u@192.0.2.1>", i);
	snprintf(buf + n, size - n, "\r\n");
}

/* An offer of the SNATed phone (snat_phone_booked()) that cannot be rewritten whole. */
static void unrewritable_offer(char *text, size_t size, const char *cseq, unsigned int port)
{
	char contacts[1024];

	contacts_past_the_parser(contacts, sizeof(contacts), "<sip:alice@192.168.1.10>");
	snprintf(text, size, "%s sip:bob@198.51.100.2 SIP/2.0\r\nCSeq: %s\r\n%s"
		 "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 192.168.1.10\r\n"
		 "m=audio %u RTP/AVP 0\r\n", strchr(cseq, ' ') + 1, cseq, contacts, port);
}

/*
 * Under NAT a message that cannot be rewritten whole is dropped and opens
 * nothing: it must leave the book as it was, neither holding a port for
 * it nor having evicted the master's of the class (4 audio, 1 signalling)
 * that the kernel keeps.
 */
static void test_snat_dropped_message_reserves_no_port(struct tap *t)
{
	static struct cthd_natports book;
	char contacts[1024], text[2048];
	struct conv k;
	int rc;

	snat_phone_booked(&k, &book);
	rc = sip_send_fresh(&k, O, SNAT_INVITE(
		"m=audio 4000 RTP/AVP 0\r\nm=audio 4010 RTP/AVP 0\r\n"));
	unrewritable_offer(text, sizeof(text), "2 UPDATE", 4020);
	rc |= sip_send_fresh(&k, O, text);
	tap_check(t, rc == 0 && k.dropped == 1 && conv_natport_held(&book, 4000) &&
		  conv_natport_held(&book, 4001) && conv_natport_held(&book, 4010) &&
		  conv_natport_held(&book, 4011) && !conv_natport_held(&book, 4020) &&
		  !conv_natport_held(&book, 4021),
		  "sip_snat_dropped_offer_reserves_no_port",
		  "rc %d dropped %u held 4000 %d 4001 %d 4010 %d 4011 %d 4020 %d 4021 %d", rc,
		  k.dropped, conv_natport_held(&book, 4000), conv_natport_held(&book, 4001),
		  conv_natport_held(&book, 4010), conv_natport_held(&book, 4011),
		  conv_natport_held(&book, 4020), conv_natport_held(&book, 4021));

	rc = sip_send_fresh(&k, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: 3 REGISTER\r\n"
		"Contact: <sip:alice@192.168.1.10:5070>;expires=60\r\nContent-Length: 0\r\n\r\n");
	contacts_past_the_parser(contacts, sizeof(contacts),
				 "<sip:alice@192.168.1.10:5072>;expires=60");
	snprintf(text, sizeof(text), "REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: 4 REGISTER\r\n"
		 "%sContent-Length: 0\r\n\r\n", contacts);
	rc |= sip_send_fresh(&k, O, text);
	tap_check(t, rc == 0 && k.dropped == 1 && conv_natport_held(&book, 5070) &&
		  !conv_natport_held(&book, 5072),
		  "sip_snat_dropped_register_reserves_no_port",
		  "rc %d dropped %u held 5070 %d 5072 %d", rc, k.dropped,
		  conv_natport_held(&book, 5070), conv_natport_held(&book, 5072));
}

/*
 * A dropped message reached no one: its CSeq is not the last INVITE's.
 * After a re-INVITE (CSeq 2) that cannot be rewritten, a refusal naming
 * CSeq 2 answers nothing the callee saw and must leave the call's media
 * open; one naming CSeq 1, the INVITE that went out, is the last INVITE's.
 */
static void test_snat_dropped_invite_not_remembered(struct tap *t)
{
	static struct cthd_natports book;
	char text[2048];
	struct conv k;
	int rc;

	snat_phone_booked(&k, &book);
	rc = sip_send_fresh(&k, O, SNAT_INVITE("m=audio 4000 RTP/AVP 0\r\n"));
	unrewritable_offer(text, sizeof(text), "2 INVITE", 4010);
	rc |= sip_send_fresh(&k, O, text);
	tap_check(t, rc == 0 && k.dropped == 1, "sip_snat_unrewritable_reinvite_dropped",
		  "rc %d dropped %u", rc, k.dropped);
	rc = sip_send_fresh(&k, R, "SIP/2.0 488 Not Acceptable Here\r\nCSeq: 2 INVITE\r\nl: 0\r\n\r\n");
	tap_check(t, rc == 0 && k.last.expect_flush == 0,
		  "sip_snat_refusal_of_a_dropped_invite_removes_nothing", "rc %d flush 0x%x", rc,
		  k.last.expect_flush);
	rc = sip_send_fresh(&k, R, "SIP/2.0 488 Not Acceptable Here\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n");
	tap_check(t, rc == 0 && k.last.expect_flush == SIP_FLUSH_MEDIA,
		  "sip_snat_refusal_of_the_invite_that_went_out_removes_media", "rc %d flush 0x%x",
		  rc, k.last.expect_flush);
}

static void test_non_udp(struct tap *t)
{
	struct conv k;
	int rc;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	k.ct.l4proto = IPPROTO_SCTP;
	rc = sip_send(&k, O, SIPP_UAC_INVITE);
	tap_check(t, rc < 0 && k.n_expect == 0, "sip_other_transport_is_an_error", "rc %d", rc);
}

/* SIP over TCP: messages framed by Content-Length, wherever segments cut them. */
static void tcp_open(struct conv *k, const char *c, const char *c_nat, const char *s)
{
	conv_init(k, "sip-tcp", c, c_nat, 40000, s, s, 5060);
}

#define TCP_INVITE \
	"INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=t\r\n" \
	"CSeq: 1 INVITE\r\nContact: <sip:alice@10.0.0.1:40000;transport=tcp>\r\n" \
	"Content-Type: application/sdp\r\nContent-Length: 54\r\n\r\n" \
	"v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 4000 RTP/AVP 0 8 101\r\n"
#define TCP_OPTIONS "OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n"

static void test_tcp(struct tap *t)
{
	static const char invite[] = TCP_INVITE, options[] = TCP_OPTIONS;
	const size_t head = strstr(invite, "\r\n\r\n") + 4 - invite;
	char text[2048];
	struct conv k;
	uint32_t seq;
	int rc;

	tcp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	tap_check(t, sizeof(invite) - 1 - head == 54, "sip_tcp_test_message_length_right", "%zu",
		  sizeof(invite) - 1 - head);
	rc = conv_send(&k, O, invite);
	tap_check(t, rc == 0 && k.last.n_expect == 2 && k.last.priv_changed &&
		  expect_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 4000, SIP_CLASS_AUDIO),
		  "sip_tcp_invite_in_one_segment", "rc %d n_expect %u", rc, k.last.n_expect);

	/* keep-alive, OPTIONS and INVITE in one segment: each message read */
	snprintf(text, sizeof(text), "\r\n\r\n%s%s", options, invite);
	rc = sip_send_fresh(&k, O, text);
	tap_check(t, rc == 0 && k.last.n_expect == 2 && k.parse_errors == 0 && k.lost == 0,
		  "sip_tcp_keepalive_and_two_messages_in_a_segment", "n_expect %u lost %u",
		  k.last.n_expect, k.lost);

	/* cut in its headers at a segment start: dropped, read whole when resent */
	conv_reset_counts(&k);
	seq = k.seq[O];
	rc = conv_send_seq_len(&k, O, seq, invite, 40);
	tap_check(t, rc == 0 && k.dropped == 1 && k.last.n_expect == 0,
		  "sip_tcp_message_head_cut_is_dropped", "dropped %u", k.dropped);
	rc = conv_send_len(&k, O, invite, sizeof(invite) - 1);
	tap_check(t, rc == 0 && k.last.n_expect == 2, "sip_tcp_resent_whole_is_read",
		  "n_expect %u", k.last.n_expect);

	/* cut in its body: not read (counted), and the next message is found */
	conv_reset_counts(&k);
	rc = conv_send_len(&k, O, invite, head + 10);
	rc |= conv_send_len(&k, O, invite + head + 10, sizeof(invite) - 1 - head - 10);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.lost == 1 && k.dropped == 0,
		  "sip_tcp_message_cut_in_its_body_is_lost", "n_expect %u lost %u", k.n_expect,
		  k.lost);
	rc = conv_send(&k, O, invite);
	tap_check(t, rc == 0 && k.last.n_expect == 2, "sip_tcp_next_message_after_a_cut_one",
		  "n_expect %u", k.last.n_expect);

	/* a body that holds a message: never read as one, however segmented */
	conv_reset_counts(&k);
	snprintf(text, sizeof(text), "MESSAGE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 8 MESSAGE\r\n"
		 "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(invite) + 10, "0123456789" TCP_INVITE);
	{
		const char *inner = strstr(text, "INVITE");
		size_t first = (size_t)(inner - text);

		rc = conv_send_len(&k, O, text, first);
		rc |= conv_send_len(&k, O, inner, strlen(inner));
	}
	tap_check(t, rc == 0 && k.n_expect == 0,
		  "sip_tcp_message_in_a_body_at_a_segment_start_opens_nothing", "n_expect %u",
		  k.n_expect);
	rc = conv_send(&k, O, invite);
	tap_check(t, rc == 0 && k.last.n_expect == 2, "sip_tcp_read_again_after_that_body",
		  "n_expect %u", k.last.n_expect);

	/* malformed: the direction's boundaries are lost, nothing more is read */
	conv_reset_counts(&k);
	rc = conv_send(&k, O, "INVITE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n");
	rc |= conv_send(&k, O, invite);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 1,
		  "sip_tcp_without_content_length_stops_reading", "n_expect %u errors %u",
		  k.n_expect, k.parse_errors);
	/* the other direction keeps its own boundaries */
	rc = conv_send(&k, R, "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nc: application/sdp\r\n"
		       "l: 37\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 6000 x\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 2, "sip_tcp_directions_apart", "n_expect %u",
		  k.last.n_expect);
}

/*
 * Attacker review finding 6: a peer's MESSAGE of text/plain whose body is
 * an INVITE with media (c=/m= to the peer's own address, which
 * sip_direct_media allows) must never be read as a message, wherever the
 * segments cut it, retransmitted alone or coalesced with what follows, or
 * reordered. The kernel's sip_help_tcp keeps no message boundary between
 * segments and parses every segment from its first byte, so a segment
 * starting at the inner INVITE is a message to it: cthelperd must do better.
 * Next to it, the happy path: the real INVITE after the body opens its media.
 */
#define TCP_INNER_INVITE \
	"INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:40000;branch=x\r\n" \
	"CSeq: 9 INVITE\r\nContact: <sip:alice@10.0.0.1:40000;transport=tcp>\r\n" \
	"Content-Type: application/sdp\r\nContent-Length: 54\r\n\r\n" \
	"v=0\r\nc=IN IP4 10.0.0.1\r\nm=audio 6666 RTP/AVP 0 8 101\r\n"

/* the hostile MESSAGE, then the real INVITE, back to back in text */
static size_t tcp_smuggle(char *text, size_t size, size_t *body_off, size_t *inner_off)
{
	static const char inner[] = "0123456789\r\n" TCP_INNER_INVITE "\r\n" TCP_INNER_INVITE;
	int n = snprintf(text, size, "MESSAGE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 8 MESSAGE\r\n"
			 "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n%s",
			 sizeof(inner) - 1, inner);

	*body_off = (size_t)(strstr(text, "\r\n\r\n") + 4 - text);
	*inner_off = (size_t)(strstr(text, "INVITE") - text);
	return (size_t)n;
}

static void test_tcp_body_smuggling(struct tap *t)
{
	static const char invite[] = TCP_INVITE;
	char text[2048], seg[4096];
	size_t len, body_off, inner_off, cut, bad = 0, bad_cut = 0;
	struct conv k;
	uint32_t seq0;
	int rc;

	len = tcp_smuggle(text, sizeof(text), &body_off, &inner_off);

	/* every cut inside the body: the inner INVITE never opens, the real one does */
	for (cut = body_off; cut < len; cut++) {
		tcp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
		seq0 = k.seq[O];
		rc = conv_send_len(&k, O, text, cut);
		rc |= conv_send_len(&k, O, text + cut, len - cut);
		/* the second segment resent alone, then coalesced with the real INVITE */
		rc |= conv_send_seq_len(&k, O, seq0 + (uint32_t)cut, text + cut, len - cut);
		memcpy(seg, text + cut, len - cut);
		memcpy(seg + len - cut, invite, sizeof(invite) - 1);
		rc |= conv_send_seq_len(&k, O, seq0 + (uint32_t)cut, seg,
					len - cut + sizeof(invite) - 1);
		k.seq[O] += sizeof(invite) - 1;
		if (rc || k.n_expect != 2 || k.last.n_expect != 2 ||
		    !expect_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 4000, SIP_CLASS_AUDIO)) {
			bad++;
			bad_cut = cut;
		}
	}
	tap_check(t, bad == 0, "sip_tcp_body_split_anywhere_resent_and_coalesced_opens_nothing",
		  "%zu of %zu cuts opened the body's media (last at %zu, n_expect %u)", bad,
		  len - body_off, bad_cut, k.n_expect);

	/* split at the inner INVITE, the whole resent coalesced with the real INVITE */
	tcp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	seq0 = k.seq[O];
	rc = conv_send_len(&k, O, text, inner_off);
	rc |= conv_send_len(&k, O, text + inner_off, len - inner_off);
	memcpy(seg, text, len);
	memcpy(seg + len, invite, sizeof(invite) - 1);
	rc |= conv_send_seq_len(&k, O, seq0, seg, len + sizeof(invite) - 1);
	tap_check(t, rc == 0 && k.n_expect == 2 && k.last.n_expect == 2 &&
		  expect_is(&k.last.expect[0], "10.0.0.2", "10.0.0.1", 4000, SIP_CLASS_AUDIO),
		  "sip_tcp_body_resent_whole_with_the_next_message_opens_its_media_only",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* reordered: the body's second half first is past what was seen, not read */
	tcp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	seq0 = k.seq[O];
	rc = conv_send_len(&k, O, "\r\n", 2);
	rc |= conv_send_seq_len(&k, O, seq0 + 2 + (uint32_t)inner_off, text + inner_off,
				len - inner_off);
	rc |= conv_send_seq_len(&k, O, seq0 + 2, text, inner_off);
	k.seq[O] = seq0 + 2 + (uint32_t)len;
	rc |= conv_send(&k, O, invite);
	tap_check(t, rc == 0 && k.n_expect == 2 && k.last.n_expect == 2,
		  "sip_tcp_body_reordered_opens_nothing_then_next_message_read",
		  "rc %d n_expect %u lost %u", rc, k.n_expect, k.lost);
}

/* Under SNAT over TCP: the second message of a segment rewritten in place, a
 * retransmission rewritten the same. */
static void test_tcp_snat(struct tap *t)
{
	static const char options[] = TCP_OPTIONS;
	char text[2048], first[2048];
	size_t first_len;
	struct conv k;
	uint32_t seq;
	int rc;

	tcp_open(&k, "10.0.0.1", "203.0.113.1", "10.0.0.2");
	snprintf(text, sizeof(text), "%s%s", options, TCP_INVITE);
	seq = k.seq[O];
	rc = conv_send(&k, O, text);
	first_len = k.out_len[O];
	memcpy(first, k.out[O], first_len);
	snprintf(text, sizeof(text), "%s%s", options,
		 "INVITE sip:bob@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/TCP 203.0.113.1:40000;branch=t\r\n"
		 "CSeq: 1 INVITE\r\nContact: <sip:alice@203.0.113.1:40000;transport=tcp>\r\n"
		 "Content-Type: application/sdp\r\nContent-Length: 57\r\n\r\n"
		 "v=0\r\nc=IN IP4 203.0.113.1\r\nm=audio 4000 RTP/AVP 0 8 101\r\n");
	tap_check(t, rc == 0 && conv_out_is(&k, O, text) && k.last.n_expect == 2 &&
		  k.last.expect[0].l4proto == IPPROTO_UDP &&
		  expect_nat_is(&k.last.expect[0], "10.0.0.2", "203.0.113.1", 4000, SIP_CLASS_AUDIO,
				"10.0.0.1", 4000),
		  "sip_tcp_snat_second_message_rewritten", "rc %d out '%.*s'", rc,
		  (int)k.out_len[O], k.out[O]);
	conv_reset_counts(&k);
	snprintf(text, sizeof(text), "%s%s", options, TCP_INVITE);
	rc = conv_send_seq(&k, O, seq, text);
	tap_check(t, rc == 0 && k.out_len[O] == first_len && !memcmp(k.out[O], first, first_len) &&
		  k.last.n_expect == 2, "sip_tcp_snat_retransmission_rewritten_the_same",
		  "rc %d", rc);
}

/*
 * A segment whose rewrite does not fit is dropped; its retransmission must be
 * read and dropped the same, never pass with the private address in it, and
 * a dropped segment carries no edit or expectation of a later message.
 */
static void test_tcp_snat_drop(struct tap *t)
{
	char invite[4096], sdp[2048], seg[12288];
	size_t n = 0, len, slen;
	struct conv k;
	uint32_t seq;
	int rc, i;

	n += (size_t)snprintf(sdp + n, sizeof(sdp) - n,
			      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\nc=IN IP4 10.0.0.1\r\n");
	for (i = 0; i < 4; i++)
		n += (size_t)snprintf(sdp + n, sizeof(sdp) - n,
				      "m=audio %d RTP/AVP 0\r\nc=IN IP4 10.0.0.1\r\n"
				      "a=rtcp:%d IN IP4 10.0.0.1\r\n", 4000 + 10 * i, 4001 + 10 * i);
	len = (size_t)snprintf(invite, sizeof(invite),
			       "INVITE sip:bob@10.0.0.1:40000 SIP/2.0\r\n"
			       "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=t\r\n"
			       "From: <sip:a@10.0.0.1:40000>\r\nTo: <sip:a@10.0.0.1:40000>\r\n"
			       "CSeq: 1 INVITE\r\nContact: <sip:a@10.0.0.1:40000;transport=tcp>\r\n"
			       "Contact: <sip:a@10.0.0.1:40000;transport=tcp>\r\n"
			       "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
			       n, sdp);
	/* two such messages need more edits than a verdict holds; a third opens media */
	slen = 0;
	for (i = 0; i < 2; i++, slen += len)
		memcpy(seg + slen, invite, len);
	slen += (size_t)snprintf(seg + slen, sizeof(seg) - slen, "%s", TCP_INVITE);

	tcp_open(&k, "10.0.0.1", "203.0.113.1", "10.0.0.2");
	seq = k.seq[O];
	rc = conv_send_len(&k, O, seg, slen);
	tap_check(t, rc == 0 && k.dropped == 1 && k.last.n_expect == 0 && k.last.n_mangle == 0,
		  "sip_tcp_snat_overflowing_segment_dropped_whole", "rc %d dropped %u n_expect %u "
		  "n_mangle %u", rc, k.dropped, k.last.n_expect, k.last.n_mangle);
	conv_reset_counts(&k);
	rc = conv_send_seq_len(&k, O, seq, seg, slen);
	tap_check(t, rc == 0 && k.dropped == 1 && k.last.n_expect == 0,
		  "sip_tcp_snat_retransmission_of_a_dropped_segment_dropped_again",
		  "rc %d dropped %u n_expect %u", rc, k.dropped, k.last.n_expect);
}

/*
 * Under NAT a message is rewritten whole or not at all: what the parser
 * does not hold (more m= lines or Contacts than it reads) would go out
 * with the phone's private address in it, so the message is dropped, as
 * nf_nat_sip drops one it cannot rewrite. Contacts of one header, comma
 * separated, are rewritten each.
 */
static void test_snat_whole_or_nothing(struct tap *t)
{
	char text[4096], want[4096];
	size_t n = 0;
	struct conv k;
	int rc, i;

	conv_init(&k, "sip", "192.168.1.10", "203.0.113.1", 5060, "198.51.100.2", "198.51.100.2",
		  5060);
	rc = sip_send_fresh(&k, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: 1 REGISTER\r\n"
		"Contact: <sip:a@192.168.1.10:5060>;expires=60, \"B, b\" <sip:b@192.168.1.10:5060>,"
		"sip:c@192.168.1.10:5060\r\nl: 0\r\n\r\n");
	tap_check(t, rc == 0 && k.dropped == 0 && sip_out_is(&k, O,
		"REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: 1 REGISTER\r\n"
		"Contact: <sip:a@203.0.113.1:5060>;expires=60, \"B, b\" <sip:b@203.0.113.1:5060>,"
		"sip:c@203.0.113.1:5060\r\nl: 0\r\n\r\n"),
		  "sip_snat_every_contact_of_a_comma_list_rewritten", "dropped %u out '%.*s'",
		  k.dropped, (int)k.out_len[O], k.out[O]);

	n = (size_t)snprintf(text, sizeof(text), "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\n");
	for (i = 0; i <= SIP_CONTACT_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "Contact: <sip:u%d@192.168.1.10:5060>;expires=60\r\n", i);
	snprintf(text + n, sizeof(text) - n, "l: 0\r\n\r\n");
	rc = sip_send_fresh(&k, O, text);
	tap_check(t, rc == 0 && k.dropped == 1 && k.last.n_mangle == 0 && k.last.lost == 1,
		  "sip_snat_more_contacts_than_read_dropped_whole", "dropped %u n_mangle %u lost %u",
		  k.dropped, k.last.n_mangle, k.last.lost);

	n = (size_t)snprintf(text, sizeof(text), "INVITE sip:bob@198.51.100.2 SIP/2.0\r\n"
			     "CSeq: 2 INVITE\r\nc: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\n"
			     "c=IN IP4 192.168.1.10\r\n");
	for (i = 0; i <= SDP_MEDIA_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "m=audio %d RTP/AVP 0\r\nc=IN IP4 192.168.1.10\r\n", 4000 + 2 * i);
	rc = sip_send_fresh(&k, O, text);
	tap_check(t, rc == 0 && k.dropped == 1 && k.last.n_mangle == 0 && k.last.n_expect == 0,
		  "sip_snat_more_media_than_read_dropped_whole", "dropped %u n_mangle %u n_expect %u",
		  k.dropped, k.last.n_mangle, k.last.n_expect);

	/* without NAT nothing is rewritten: the media read are expected, the rest counted */
	sip_open(&k, "10.0.0.1", "10.0.0.2");
	n = (size_t)snprintf(want, sizeof(want), "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
			     "CSeq: 2 INVITE\r\nc: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\n"
			     "c=IN IP4 10.0.0.1\r\n");
	for (i = 0; i <= SDP_MEDIA_MAX; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "m=video %d RTP/AVP 0\r\n",
				      4000 + 2 * i);
	rc = sip_send_fresh(&k, O, want);
	tap_check(t, rc == 0 && k.dropped == 0 && k.last.n_expect == CTHD_EXPECT_MAX && k.lost > 0,
		  "sip_more_media_than_read_without_nat_passes", "dropped %u n_expect %u lost %u",
		  k.dropped, k.last.n_expect, k.lost);
}

/* --- expectations removed when a call or registration ends -------------- */

#define FL_INVITE(cseq, port) \
	"INVITE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: " cseq " INVITE\r\nc: application/sdp\r\n" \
	"l: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.1\r\nm=audio " port " RTP/AVP 0\r\n"
#define FL_ANSWER(code, cseq_method) \
	"SIP/2.0 " code "\r\nCSeq: " cseq_method "\r\nl: 0\r\n\r\n"
#define FL_REG(cseq, contact, expires_hdr) \
	"REGISTER sip:10.0.0.2 SIP/2.0\r\nCSeq: " cseq " REGISTER\r\n" \
	"Contact: " contact "\r\n" expires_hdr "l: 0\r\n\r\n"
#define FL_REG_OK(cseq, contacts) \
	"SIP/2.0 200 OK\r\nCSeq: " cseq " REGISTER\r\n" contacts "l: 0\r\n\r\n"

struct flush_case {
	const char *name;
	enum cthd_dir dir;
	const char *text;
	uint32_t flush;			/* the mask the packet must carry */
	unsigned int n_expect;
};

static void run_flush_cases(struct tap *t, struct conv *k, const struct flush_case *c, size_t n)
{
	char name[128];

	for (size_t i = 0; i < n; i++) {
		int rc = sip_send_fresh(k, c[i].dir, c[i].text);

		snprintf(name, sizeof(name), "sip_flush_%s", c[i].name);
		tap_check(t, rc == 0 && k->last.expect_flush == c[i].flush &&
			  k->last.n_expect == c[i].n_expect && k->parse_errors == 0, name,
			  "rc %d flush 0x%x (want 0x%x) n_expect %u (want %u) errors %u", rc,
			  k->last.expect_flush, c[i].flush, k->last.n_expect, c[i].n_expect,
			  k->parse_errors);
	}
}

static void test_flush_call(struct tap *t)
{
	static const struct flush_case cases[] = {
		/* the kernel's triggers */
		{ "invite_removes_media_then_expects_its_own", O, FL_INVITE("1", "4000"),
		  SIP_FLUSH_MEDIA, 2 },
		{ "ringing_removes_nothing", R, FL_ANSWER("180 Ringing", "1 INVITE"), 0, 0 },
		{ "answer_removes_nothing", R, "SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\n"
		  "c: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\n"
		  "m=audio 6000 RTP/AVP 0\r\n", 0, 2 },
		{ "ack_removes_nothing", O, "ACK sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 1 ACK\r\nl: 0\r\n\r\n",
		  0, 0 },
		{ "reinvite_replaces_media", R, "INVITE sip:alice@10.0.0.1 SIP/2.0\r\n"
		  "CSeq: 5 INVITE\r\nc: application/sdp\r\nl: @CL@\r\n\r\nv=0\r\n"
		  "c=IN IP4 10.0.0.2\r\nm=audio 6100 RTP/AVP 0\r\n", SIP_FLUSH_MEDIA, 2 },
		{ "bye_of_the_caller", O, "BYE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 2 BYE\r\nl: 0\r\n\r\n",
		  SIP_FLUSH_MEDIA, 0 },
		{ "bye_of_the_callee", R, "BYE sip:alice@10.0.0.1 SIP/2.0\r\nCSeq: 6 BYE\r\nl: 0\r\n\r\n",
		  SIP_FLUSH_MEDIA, 0 },
		/* a refused call: the final answer to the last INVITE, by CSeq */
		{ "second_invite", O, FL_INVITE("3", "4100"), SIP_FLUSH_MEDIA, 2 },
		{ "busy_with_another_cseq_removes_nothing", R, FL_ANSWER("486 Busy Here", "2 INVITE"),
		  0, 0 },
		{ "busy_answer_to_another_method_removes_nothing", R,
		  FL_ANSWER("486 Busy Here", "3 OPTIONS"), 0, 0 },
		{ "cancel_itself_removes_nothing", O,
		  "CANCEL sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 3 CANCEL\r\nl: 0\r\n\r\n", 0, 0 },
		{ "cancelled_invites_487", R, FL_ANSWER("487 Request Terminated", "3 INVITE"),
		  SIP_FLUSH_MEDIA, 0 },
		{ "busy", R, FL_ANSWER("486 Busy Here", "3 INVITE"), SIP_FLUSH_MEDIA, 0 },
		{ "redirect_ends_the_attempt_too", R, FL_ANSWER("302 Moved", "3 INVITE"),
		  SIP_FLUSH_MEDIA, 0 },
		{ "update_refused_with_the_invites_cseq", R,
		  FL_ANSWER("488 Not Acceptable Here", "3 UPDATE"), SIP_FLUSH_MEDIA, 0 },
		{ "prack_refused_with_the_invites_cseq", R, FL_ANSWER("481 No Dialog", "3 PRACK"),
		  SIP_FLUSH_MEDIA, 0 },
		{ "update_refused_with_another_cseq_removes_nothing", R,
		  FL_ANSWER("488 Not Acceptable Here", "4 UPDATE"), 0, 0 },
		{ "malformed_bye_removes_nothing", O, "BYE sip:bob@10.0.0.2 SIP/2.0\r\nl: 0\r\n\r\n",
		  0, 0 },
	};
	struct conv k;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	run_flush_cases(t, &k, cases, sizeof(cases) / sizeof(cases[0]) - 1);
	sip_send_fresh(&k, O, cases[sizeof(cases) / sizeof(cases[0]) - 1].text);
	tap_check(t, k.last.expect_flush == 0 && k.parse_errors == 1,
		  "sip_flush_malformed_bye_removes_nothing", "flush 0x%x errors %u",
		  k.last.expect_flush, k.parse_errors);

	/* a conntrack that saw no INVITE: an error answer has nothing to match */
	sip_open(&k, "10.0.0.1", "10.0.0.2");
	sip_send_fresh(&k, R, FL_ANSWER("486 Busy Here", "0 INVITE"));
	tap_check(t, k.last.expect_flush == 0 && !k.last.priv_changed,
		  "sip_flush_error_answer_without_an_invite_removes_nothing", "flush 0x%x",
		  k.last.expect_flush);
}

/*
 * REGISTER: the signalling expectation goes with a final answer to the
 * sender's own last REGISTER that does not keep its contact.
 */
static void test_flush_register(struct tap *t)
{
	static const struct flush_case cases[] = {
		{ "register", O, FL_REG("2", "<sip:alice@10.0.0.1:5060>", "Expires: 3600\r\n"), 0, 1 },
		{ "register_trying_removes_nothing", R, FL_ANSWER("100 Trying", "2 REGISTER"), 0, 0 },
		{ "register_ok_keeping_the_contact_removes_nothing", R,
		  FL_REG_OK("2", "Contact: <sip:alice@10.0.0.1:5060>;expires=3600\r\n"), 0, 0 },
		{ "register_ok_by_the_expires_header_removes_nothing", R,
		  FL_REG_OK("2", "Contact: <sip:alice@10.0.0.1:5060>\r\nExpires: 60\r\n"), 0, 0 },
		{ "unregister", O, FL_REG("3", "<sip:alice@10.0.0.1:5060>;expires=0", ""), 0, 0 },
		{ "register_ok_of_another_cseq_removes_nothing", R,
		  FL_REG_OK("2", "Contact: <sip:alice@10.0.0.1:5060>;expires=0\r\n"), 0, 0 },
		{ "unregister_ok_contact_expires_0", R,
		  FL_REG_OK("3", "Contact: <sip:alice@10.0.0.1:5060>;expires=0\r\n"),
		  SIP_FLUSH_SIGNALLING, 0 },
		{ "unregister_ok_without_contacts", R, FL_REG_OK("3", ""), SIP_FLUSH_SIGNALLING, 0 },
		{ "register_ok_listing_only_other_phones", R,
		  FL_REG_OK("3", "Contact: <sip:alice@10.0.0.7:5060>;expires=600\r\n"),
		  SIP_FLUSH_SIGNALLING, 0 },
		{ "register_ok_first_own_contact_decides", R,
		  FL_REG_OK("3", "Contact: <sip:alice@10.0.0.7:5060>;expires=0\r\n"
			    "Contact: <sip:alice@10.0.0.1:5062>;expires=600\r\n"), 0, 0 },
		{ "register_refused", R, FL_ANSWER("403 Forbidden", "3 REGISTER"),
		  SIP_FLUSH_SIGNALLING, 0 },
		/* not the sender's own: its answer does not end the phone's registration */
		{ "third_party_register", O, FL_REG("4", "<sip:eve@10.0.0.9:5060>", "Expires: 60\r\n"),
		  0, 0 },
		{ "third_party_unregister_ok_removes_nothing", R, FL_REG_OK("4", ""), 0, 0 },
		/* more contacts than read, none of those read the phone's: cannot tell */
		{ "register_again", O, FL_REG("5", "<sip:alice@10.0.0.1:5060>", "Expires: 60\r\n"),
		  0, 1 },
		{ "register_ok_with_unread_contacts_removes_nothing", R,
		  FL_REG_OK("5", "m: <sip:a@10.0.0.7>;expires=9\r\nm: <sip:b@10.0.0.7>;expires=9\r\n"
			    "m: <sip:c@10.0.0.7>;expires=9\r\nm: <sip:d@10.0.0.7>;expires=9\r\n"
			    "m: <sip:alice@10.0.0.1:5060>;expires=60\r\n"), 0, 0 },
	};
	struct conv k;

	sip_open(&k, "10.0.0.1", "10.0.0.2");
	run_flush_cases(t, &k, cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * Over TCP the call's CSeqs are remembered in the private data next to
 * the stream's, and the messages of one segment act in their order.
 */
static void test_flush_tcp(struct tap *t)
{
	static const char invite[] = TCP_INVITE;
	static const char bye[] = "BYE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 2 BYE\r\nl: 0\r\n\r\n";
	char text[2048];
	struct conv k;
	int rc;

	tcp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, invite);
	rc |= conv_send(&k, R, "SIP/2.0 603 Decline\r\nCSeq: 1 INVITE\r\nl: 0\r\n\r\n");
	tap_check(t, rc == 0 && k.last.expect_flush == SIP_FLUSH_MEDIA,
		  "sip_flush_tcp_decline_matches_the_remembered_invite", "flush 0x%x",
		  k.last.expect_flush);
	snprintf(text, sizeof(text), "%s%s", invite, bye);
	rc = conv_send(&k, O, text);
	tap_check(t, rc == 0 && k.last.expect_flush == SIP_FLUSH_MEDIA && k.last.n_expect == 0,
		  "sip_flush_tcp_invite_then_bye_in_a_segment_leaves_no_media",
		  "flush 0x%x n_expect %u", k.last.expect_flush, k.last.n_expect);
	snprintf(text, sizeof(text), "%s%s", bye, invite);
	rc = conv_send(&k, O, text);
	tap_check(t, rc == 0 && k.last.expect_flush == SIP_FLUSH_MEDIA && k.last.n_expect == 2,
		  "sip_flush_tcp_bye_then_invite_in_a_segment_keeps_the_new_media",
		  "flush 0x%x n_expect %u", k.last.expect_flush, k.last.n_expect);
}

/* The core's part: what a flush takes out of the result, which masks it refuses. */
static void test_flush_api(struct tap *t)
{
	struct cthd_result res;
	struct cthd_expect e = { 0 };

	memset(&res, 0, sizeof(res));
	for (uint8_t c = 0; c < 4; c++) {
		e.class = c;
		cthd_result_add_expect(&res, &e);
	}
	tap_check(t, cthd_expect_flush(&res, SIP_FLUSH_MEDIA) == 0 && res.n_expect == 1 &&
		  res.expect[0].class == 0 && res.expect_flush == SIP_FLUSH_MEDIA &&
		  cthd_expect_flush(&res, 1) == 0 && res.n_expect == 0 && res.expect_flush == 0xf,
		  "expect_flush_takes_earlier_expectations_of_its_classes_out",
		  "n_expect %u flush 0x%x", res.n_expect, res.expect_flush);
	tap_check(t, cthd_expect_flush(&res, 1u << CTHD_POLICY_MAX) == -EINVAL &&
		  cthd_expect_flush(&res, 0x80000000u) == -EINVAL && res.expect_flush == 0xf,
		  "expect_flush_refuses_a_class_no_helper_has", "flush 0x%x", res.expect_flush);
}

int main(void)
{
	struct tap t = { 0 };

	test_msg_table(&t);
	test_msg_stream_framing(&t);
	test_sdp_parse(&t);
	test_registry(&t);
	test_call_ipv4(&t);
	test_call_av(&t);
	test_call_ipv6(&t);
	test_hostile(&t);
	test_indirect_media(&t);
	test_snat_call(&t);
	test_dnat_call(&t);
	test_snat_ipv6(&t);
	test_snat_port_clash(&t);
	test_snat_media_past_the_expectations(&t);
	test_register(&t);
	test_register_snat(&t);
	test_register_snat_tcp(&t);
	test_unregister_snat_reserves_nothing(&t);
	test_tcp_dropped_segment_forgets_its_requests(&t);
	test_tcp_segment_of_many_offers(&t);
	test_snat_book_evicts_what_the_kernel_evicts(&t);
	test_snat_implicit_rtcp_never_anothers(&t);
	test_snat_dropped_message_reserves_no_port(&t);
	test_snat_dropped_invite_not_remembered(&t);
	test_snat_stream_without_a_port_not_sent_half_rewritten(&t);
	test_non_udp(&t);
	test_tcp(&t);
	test_tcp_body_smuggling(&t);
	test_tcp_snat(&t);
	test_tcp_snat_drop(&t);
	test_snat_whole_or_nothing(&t);
	test_flush_call(&t);
	test_flush_register(&t);
	test_flush_tcp(&t);
	test_flush_api(&t);
	return tap_done(&t);
}
