/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP message and SDP body parsers (sip_msg.c, sdp.c), exposed for the unit
 * tests and fuzz targets. Pure functions: no I/O, no state outside their
 * arguments. Offsets are from the start of the text they were given.
 */
#ifndef CTHELPERD_HELPERS_SIP_H
#define CTHELPERD_HELPERS_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

enum sip_method {
	SIP_METHOD_OTHER = 0,
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_REGISTER,
	SIP_METHOD_UPDATE,
	SIP_METHOD_PRACK,
	SIP_METHOD_OPTIONS,
};

struct sip_span {
	size_t off;
	size_t len;
};

#define SIP_CONTACT_MAX	16	/* contacts read (of all Contact headers), for NAT */

struct sip_msg {
	bool request;
	/* for NAT: where the addresses may be (values of the headers) */
	struct sip_span uri;		/* a request's Request-URI */
	struct sip_span via;		/* the topmost Via */
	struct sip_span from, to;
	unsigned int n_contact;
	struct sip_span contact[SIP_CONTACT_MAX];
	bool contact_truncated;		/* more contacts than SIP_CONTACT_MAX */
	struct sip_span content_length;	/* its digits */
	enum sip_method method;		/* a request's method */
	unsigned int code;		/* a response's status, 100..699 */
	uint32_t cseq;
	enum sip_method cseq_method;
	bool has_content_length;
	uint32_t content_length_value;
	bool sdp;			/* Content-Type: application/sdp */
	bool has_expires;
	uint32_t expires;
	struct sip_span body;
	size_t length;			/* the whole message, body included */
};

/*
 * Parse one SIP message at the start of data[0..len). `datagram`: the
 * message is all of a UDP payload, where Content-Length may be missing
 * (RFC 3261 18.3: the body is the rest); on a stream it is required.
 * Returns 1 with *m filled; 0 for no message (an empty payload or a CRLF
 * keep-alive, RFC 5626); -EAGAIN on a stream when the message continues
 * beyond len (m->length its whole length once the headers are complete,
 * else 0); -EINVAL for a malformed one: a bad start line, no CSeq or
 * one whose method is not the request's, a header line without a name,
 * duplicate CSeq, Content-Length or Content-Type, numbers out of range,
 * no empty line after the headers, a Content-Length beyond the datagram.
 * Headers may use their compact forms and be folded (RFC 3261 7.3.1).
 */
int sip_parse_msg(const char *data, size_t len, bool datagram, struct sip_msg *m);

/* An address literal with an optional port in a SIP URI or Via (sip_nat.c). */
struct sip_hostport {
	struct sip_span text;		/* "host[:port]" */
	int family;
	union cthd_addr addr;
	bool has_port;
	uint16_t port;
};

/*
 * The host[:port] of the first SIP URI ("sip:" or "sips:", after an
 * optional "user@") in s[in.off, +in.len); of a Via value's sent-by
 * ("SIP/2.0/UDP host:port"). 1 when it is an IPv4 or a bracketed IPv6
 * literal, 0 for a host name or no URI.
 */
int sip_uri_hostport(const char *s, struct sip_span in, struct sip_hostport *hp);
int sip_via_hostport(const char *s, struct sip_span in, struct sip_hostport *hp);

/*
 * The value of parameter name (";received=") in a header value after
 * position from, up to the next ';', ',' or blank. 1 with *val, else 0.
 */
int sip_param(const char *s, struct sip_span in, size_t from, const char *name,
	      struct sip_span *val);

/* "a.b.c.d" or "[v6]", then ":port" when with_port. Length or -ENOSPC. */
int sip_format_hostport(int family, const union cthd_addr *addr, bool with_port, uint16_t port,
			char *buf, size_t size);

enum sdp_media_type {
	SDP_MEDIA_OTHER = 0,		/* application, text, message...: not expected */
	SDP_MEDIA_AUDIO,
	SDP_MEDIA_VIDEO,
	SDP_MEDIA_IMAGE,		/* T.38 fax (udptl) */
};

/* An address of a c= line or an a=rtcp attribute. */
struct sdp_addr {
	bool present;			/* the line is there */
	bool valid;			/* and holds an IP4 or IP6 literal */
	int family;			/* AF_INET, AF_INET6 */
	union cthd_addr addr;
	struct sip_span text;		/* the address text, for NAT */
};

struct sdp_media {
	enum sdp_media_type type;
	bool port_valid;		/* a decimal 0..65535 */
	uint16_t port;			/* 0: an inactive stream */
	struct sip_span port_text;
	struct sdp_addr conn;		/* the media-level c= */
	bool has_rtcp;			/* a=rtcp: (RFC 3605) */
	bool rtcp_valid;
	uint16_t rtcp_port;
	struct sip_span rtcp_port_text;
	struct sdp_addr rtcp_addr;	/* its optional address */
};

#define SDP_MEDIA_MAX	8

struct sdp {
	struct sdp_addr conn;		/* the session-level c= */
	struct sdp_addr origin;		/* the o= line's address */
	unsigned int n_media;
	struct sdp_media media[SDP_MEDIA_MAX];
	bool truncated;			/* more m= lines than SDP_MEDIA_MAX: not read */
};

/*
 * Parse an SDP body (RFC 4566): it must start with "v=0"; lines end with
 * CRLF or LF; lines the helper has no use for are skipped. Returns 0, or
 * -EINVAL when it does not start with "v=0" or a line is not "<x>=...".
 * A bad c=, m= or a=rtcp: value does not fail the parse: it is marked
 * invalid, so that its media are not expected.
 */
int sdp_parse(const char *body, size_t len, struct sdp *s);

/* The address a media is sent to: its own c=, else the session's. */
const struct sdp_addr *sdp_media_addr(const struct sdp *s, const struct sdp_media *m);

/*
 * What a signalling connection remembers between messages, as the kernel's
 * nf_ct_sip_master: the CSeq of the last INVITE and of the last REGISTER
 * of the sender's own contact, each plus one (0: none yet; a CSeq is below
 * 2^31). Only a final answer with that CSeq removes expectations.
 */
struct sip_call_state {
	uint32_t invite_cseq1;
	uint32_t register_cseq1;
};

/* The per-connection state of SIP over UDP. */
struct sip_priv {
	struct sip_call_state call;
};

/* ... and over TCP: message boundaries too. */
struct sip_tcp_priv {
	struct cthd_stream stream;
	struct sip_call_state call;
};

_Static_assert(sizeof(struct sip_tcp_priv) <= CTHD_PRIV_MAX, "sip-tcp private data fits");

/* The helper's options (cthelperd.conf), in this order. */
enum sip_option {
	SIP_OPT_DIRECT_MEDIA = 0,
	SIP_OPT_DIRECT_SIGNALLING,
};

/* Expectation classes: the kernel's nf_conntrack_sip order. */
enum sip_class {
	SIP_CLASS_SIGNALLING = 0,
	SIP_CLASS_AUDIO,
	SIP_CLASS_VIDEO,
	SIP_CLASS_IMAGE,
};

#define SIP_FLUSH_SIGNALLING	(1u << SIP_CLASS_SIGNALLING)
#define SIP_FLUSH_MEDIA		((1u << SIP_CLASS_AUDIO) | (1u << SIP_CLASS_VIDEO) | \
				 (1u << SIP_CLASS_IMAGE))

#endif
