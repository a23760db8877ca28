// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TNS helper unit tests. No Oracle software is in Debian: the packets are
 * built as a listener sends them, in the layout Wireshark's TNS dissector
 * and python-oracledb's thin client read (an 8-byte header with a 16-bit
 * length, or a 32-bit one from 12c on; a REDIRECT's 16-bit data length,
 * then the address, a NUL and the connect data), with the address text of
 * conntrackd's tns helper's comment ((ADDRESS=(PROTOCOL=tcp)(DEV=x)(HOST=
 * a.b.c.d)(PORT=a))). Hostile cases first: a third party, a privileged
 * port, a host name, an address of another family or nobody's, a length
 * that lies, a redirect cut across segments, from the client, after the
 * ACCEPT, an address echoed in a DATA packet; then redirects through the
 * registered helper, IPv4 and IPv6, without NAT, with SNAT and with DNAT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/tns.h"
#include "../natport.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

/* --- packets --------------------------------------------------------- */

struct pkt {
	uint8_t b[2048];
	size_t len;
};

/* A TNS packet of type with body[0..blen); wide: a 32-bit length (12c). */
static void tns_packet(struct pkt *p, uint8_t type, const void *body, size_t blen, bool wide)
{
	size_t len = TNS_HEADER_LEN + blen;

	memset(p, 0, sizeof(*p));
	if (wide) {
		p->b[0] = (uint8_t)(len >> 24);
		p->b[1] = (uint8_t)(len >> 16);
		p->b[2] = (uint8_t)(len >> 8);
		p->b[3] = (uint8_t)len;
	} else {
		p->b[0] = (uint8_t)(len >> 8);
		p->b[1] = (uint8_t)len;
	}
	p->b[4] = type;
	memcpy(p->b + TNS_HEADER_LEN, body, blen);
	p->len = len;
}

#define CONNECT_DATA "(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521))" \
	"(CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=sqlplus)(HOST=client)(USER=scott))))"

/* A REDIRECT whose data is addr, a NUL and the connect data; dlen_adj lies. */
static void redirect(struct pkt *p, const char *addr, int dlen_adj, bool wide)
{
	uint8_t body[1500];
	size_t alen = strlen(addr), dlen = alen + 1 + strlen(CONNECT_DATA);

	memcpy(body + 2, addr, alen);
	body[2 + alen] = '\0';
	memcpy(body + 3 + alen, CONNECT_DATA, strlen(CONNECT_DATA));
	body[0] = (uint8_t)((dlen + (size_t)dlen_adj) >> 8);
	body[1] = (uint8_t)(dlen + (size_t)dlen_adj);
	tns_packet(p, TNS_TYPE_REDIRECT, body, 2 + dlen, wide);
}

/* A REDIRECT announcing dlen bytes of data, without them */
static void redirect_empty(struct pkt *p, uint16_t dlen)
{
	uint8_t body[2] = { (uint8_t)(dlen >> 8), (uint8_t)dlen };

	tns_packet(p, TNS_TYPE_REDIRECT, body, 2, false);
	p->b[5] = 0x04;		/* the listener's flag: the data follows */
}

/* A DATA packet: data flags 0, then text (and a NUL and connect data) */
static void data_packet(struct pkt *p, const char *text, bool connect_data)
{
	uint8_t body[1500] = { 0 };
	size_t tlen = strlen(text), blen = 2 + tlen;

	memcpy(body + 2, text, tlen);
	if (connect_data) {
		body[blen++] = '\0';
		memcpy(body + blen, CONNECT_DATA, strlen(CONNECT_DATA));
		blen += strlen(CONNECT_DATA);
	}
	tns_packet(p, TNS_TYPE_DATA, body, blen, false);
}

/* A client's CONNECT (its fixed part is not read; only the framing is) */
static void connect_packet(struct pkt *p)
{
	uint8_t body[26 + sizeof(CONNECT_DATA) - 1] = { 0x01, 0x3d, 0x01, 0x2c };

	memcpy(body + 26, CONNECT_DATA, sizeof(CONNECT_DATA) - 1);
	tns_packet(p, TNS_TYPE_CONNECT, body, sizeof(body), false);
}

/* --- the parsers ----------------------------------------------------- */

struct len_case {
	const char *name;
	const char *hdr;
	size_t avail;
	long rc;
	bool wide;
};

static const struct len_case len_cases[] = {
	{ "short", "\x00\x5a\x00\x00\x05", 5, 0 },
	{ "redirect", "\x00\x5a\x00\x00\x05\x00\x00\x00", 8, 90 },
	{ "checksum_4_of_a_10g_client", "\x00\x5a\x00\x04\x06\x00\x00\x00", 8, 90 },
	{ "wide_12c", "\x00\x00\x01\x2c\x06\x00\x00\x00", 8, 300, true },
	{ "type_0", "\x00\x5a\x00\x00\x00\x00\x00\x00", 8, -EINVAL },
	{ "type_20", "\x00\x5a\x00\x00\x14\x00\x00\x00", 8, -EINVAL },
	{ "shorter_than_its_header", "\x00\x07\x00\x00\x05\x00\x00\x00", 8, -EINVAL },
	{ "wide_over_4_MiB", "\x00\x40\x00\x01\x06\x00\x00\x00", 8, -EINVAL },
	{ "wide_2_GiB", "\x80\x00\x00\x01\x06\x00\x00\x00", 8, -EINVAL },
};

static void test_packet_len(struct tap *t)
{
	for (size_t i = 0; i < sizeof(len_cases) / sizeof(len_cases[0]); i++) {
		const struct len_case *c = &len_cases[i];
		bool wide = false;
		long rc = tns_packet_len((const uint8_t *)c->hdr, c->avail, &wide);
		char name[96];

		snprintf(name, sizeof(name), "tns_packet_len_%s", c->name);
		tap_check(t, rc == c->rc && (rc <= 0 || wide == c->wide), name,
			  "rc %ld (want %ld) wide %d", rc, c->rc, wide);
	}
}

struct addr_case {
	const char *name;
	const char *text;
	size_t len;		/* 0: strlen */
	int rc;
	int family;
	const char *host;	/* the HOST value as it lies in the text */
	uint16_t port;
};

static const struct addr_case addr_cases[] = {
	/* as listeners send them */
	{ "windows_dedicated", "(ADDRESS=(PROTOCOL=tcp)(DEV=12)(HOST=10.0.2.2)(PORT=49161))", 0,
		0, AF_INET, "10.0.2.2", 49161 },
	{ "dispatcher_by_name", "(ADDRESS=(PROTOCOL=tcp)(HOST=db1.example.com)(PORT=40123))", 0,
		0, AF_UNSPEC, "db1.example.com", 40123 },
	{ "ipv6", "(ADDRESS=(PROTOCOL=tcp)(HOST=dead:2::2)(PORT=1522))", 0,
		0, AF_INET6, "dead:2::2", 1522 },
	{ "ipv6_in_brackets", "(ADDRESS=(PROTOCOL=TCP)(HOST=[dead:2::2])(PORT=1522))", 0,
		0, AF_INET6, "dead:2::2", 1522 },
	{ "upper_case_and_blanks", "( ADDRESS = (PROTOCOL = TCPS) (PORT = 2484) (HOST = 10.0.2.2 ) )", 0,
		0, AF_INET, "10.0.2.2", 2484 },
	{ "connect_data_after_the_nul_is_not_read",
		"(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))\0(HOST=10.9.9.9)(PORT=22)", 75,
		0, AF_INET, "10.0.2.2", 1522 },
	{ "in_a_description", "(DESCRIPTION=(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522)))", 0,
		0, AF_INET, "10.0.2.2", 1522 },
	/* not TCP: nothing to expect */
	{ "ipc", "(ADDRESS=(PROTOCOL=ipc)(KEY=EXTPROC1)(HOST=10.0.2.2)(PORT=1522))", 0,
		-EPROTONOSUPPORT },
	/* malformed or ambiguous */
	{ "empty", "", 0, -EINVAL },
	{ "two_hosts", "(ADDRESS_LIST=(ADDRESS=(HOST=10.0.2.2)(PORT=1522))(ADDRESS=(HOST=10.0.2.9)(PORT=22)))", 0, -EINVAL },
	{ "two_ports", "(ADDRESS=(HOST=10.0.2.2)(PORT=1522)(PORT=22))", 0, -EINVAL },
	{ "no_port", "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2))", 0, -EINVAL },
	{ "no_host", "(ADDRESS=(PROTOCOL=tcp)(PORT=1522))", 0, -EINVAL },
	{ "port_0", "(ADDRESS=(HOST=10.0.2.2)(PORT=0))", 0, -EINVAL },
	{ "port_65536", "(ADDRESS=(HOST=10.0.2.2)(PORT=65536))", 0, -EINVAL },
	{ "port_wraps_to_22", "(ADDRESS=(HOST=10.0.2.2)(PORT=4294967318))", 0, -EINVAL },
	{ "port_with_junk", "(ADDRESS=(HOST=10.0.2.2)(PORT=1522x))", 0, -EINVAL },
	{ "octet_256", "(ADDRESS=(HOST=10.0.2.256)(PORT=1522))", 0, -EINVAL },
	{ "host_with_a_blank", "(ADDRESS=(HOST=10.0.2.2 22)(PORT=1522))", 0, -EINVAL },
	{ "unclosed", "(ADDRESS=(HOST=10.0.2.2)(PORT=1522)", 0, -EINVAL },
	{ "cut_at_the_nul", "(ADDRESS=(HOST=10.0.2.2)(PORT=15\0" "22))", 30, -EINVAL },
	{ "closes_too_often", "(ADDRESS=(HOST=10.0.2.2)(PORT=1522)))", 0, -EINVAL },
	{ "text_before", "x(ADDRESS=(HOST=10.0.2.2)(PORT=1522))", 0, -EINVAL },
	{ "no_key", "(=(HOST=10.0.2.2)(PORT=1522))", 0, -EINVAL },
};

static void test_parse_address(struct tap *t)
{
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct tns_address a;
		int rc = tns_parse_address(c->text, len, &a);
		bool ok = rc == c->rc;
		char name[96];

		if (ok && rc == 0)
			ok = a.family == c->family && a.port == c->port &&
			     a.host_len == strlen(c->host) &&
			     !memcmp(c->text + a.host_off, c->host, a.host_len) &&
			     a.port_off + a.port_len <= len;
		snprintf(name, sizeof(name), "tns_address_%s", c->name);
		tap_check(t, ok, name, "rc %d (want %d) family %d port %u", rc, c->rc, a.family,
			  a.port);
	}
}

static void test_registry(struct tap *t)
{
	const struct cthd_helper *h = cthd_helper_find("tns");
	const char *why = "not registered";

	tap_check(t, h && cthd_helper_validate(h, &why) == 0 && h->l4proto == IPPROTO_TCP &&
		  h->default_port == 1521 && h->n_policies == 1 &&
		  h->policies[0].max_expected == 1 && h->policies[0].timeout == 300 &&
		  h->priv_len <= CTHD_PRIV_MAX && h->n_options == 2 &&
		  !strcmp(h->options[0].name, "third_party") && h->options[0].privileged &&
		  !strcmp(h->options[1].name, "host_names") && !h->options[1].privileged,
		  "tns_registered_with_conntrackd_policy_third_party_privileged", "%s", why);
}

/* --- conversations --------------------------------------------------- */

/* client 10.0.1.1 (as the server sees it: c_nat) to server s (as the client: s_pub) */
static void tns_conv(struct conv *k, const char *c, const char *c_nat, const char *s,
		     const char *s_pub)
{
	struct pkt p;

	conv_init(k, "tns", c, c_nat, 40000, s, s_pub, 1521);
	connect_packet(&p);
	conv_send_len(k, O, p.b, p.len);
}

static int send_pkt(struct conv *k, enum cthd_dir dir, const struct pkt *p)
{
	return conv_send_len(k, dir, p->b, p->len);
}

/* What the client received is one TNS packet whose length field is its length. */
static bool out_is_one_packet(const struct conv *k)
{
	bool wide;

	return tns_packet_len((const uint8_t *)k->out[R], k->out_len[R], &wide) ==
	       (long)k->out_len[R];
}

/* The address the client received in a REDIRECT (data_len honest) */
static bool out_redirect_names(const struct conv *k, const char *host, uint16_t port)
{
	const uint8_t *b = (const uint8_t *)k->out[R];
	struct tns_address a;
	size_t dlen;

	if (!out_is_one_packet(k) || k->out_len[R] < 10)
		return false;
	dlen = (size_t)(b[8] << 8 | b[9]);
	return dlen == k->out_len[R] - 10 &&
	       !memcmp(b + k->out_len[R] - strlen(CONNECT_DATA), CONNECT_DATA,
		       strlen(CONNECT_DATA)) &&
	       tns_parse_address((const char *)b + 10, dlen, &a) == 0 && a.port == port &&
	       a.host_len == strlen(host) && !memcmp(b + 10 + a.host_off, host, a.host_len);
}

static void test_plain(struct tap *t)
{
	struct conv k;
	struct pkt p;
	int rc;

	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(DEV=12)(HOST=10.0.2.2)(PORT=49161))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.1.1", "10.0.2.2", 49161) &&
		  !k.last.expect[0].nat && k.n_mangled == 0 && k.parse_errors == 0 &&
		  k.out_len[R] == p.len,
		  "tns_redirect_ipv4_expects_the_client_to_the_port",
		  "rc %d n_expect %u mangled %u errors %u", rc, k.n_expect, k.n_mangled,
		  k.parse_errors);

	/* the retransmitted copy acts the same */
	conv_reset_counts(&k);
	rc = conv_send_seq_len(&k, R, k.seq[R] - (uint32_t)p.len, p.b, p.len);
	tap_check(t, rc == 0 && k.n_expect == 1, "tns_redirect_resent_expects_again",
		  "rc %d n_expect %u", rc, k.n_expect);

	tns_conv(&k, "dead:1::1", "dead:1::1", "dead:2::2", "dead:2::2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=[dead:2::2])(PORT=1522))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "dead:1::1", "dead:2::2", 1522),
		  "tns_redirect_ipv6_in_brackets", "rc %d n_expect %u", rc, k.n_expect);

	tns_conv(&k, "dead:1::1", "dead:1::1", "dead:2::2", "dead:2::2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=dead:2::2)(PORT=1522))", 0, true);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "dead:1::1", "dead:2::2", 1522),
		  "tns_redirect_ipv6_wide_length", "rc %d n_expect %u", rc, k.n_expect);
}

static void test_data_follows(struct tap *t)
{
	struct conv k;
	struct pkt p, d;
	int rc;

	/* conntrackd's case: data length 0, the address in the next DATA */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	redirect_empty(&p, 0);
	data_packet(&d, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", true);
	conv_reset_counts(&k);
	send_pkt(&k, R, &p);
	rc = send_pkt(&k, R, &d);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.1.1", "10.0.2.2", 1522),
		  "tns_redirect_data_in_the_next_data_packet", "rc %d n_expect %u", rc, k.n_expect);

	/* its copy, resent after other packets, acts again */
	conv_reset_counts(&k);
	rc = conv_send_seq_len(&k, R, k.seq[R] - (uint32_t)d.len, d.b, d.len);
	tap_check(t, rc == 0 && k.n_expect == 1, "tns_redirect_data_packet_resent_expects_again",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* only the very next packet: a DATA after another one is not read */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	conv_reset_counts(&k);
	send_pkt(&k, R, &p);
	data_packet(&p, "nothing", false);
	send_pkt(&k, R, &p);
	rc = send_pkt(&k, R, &d);
	tap_check(t, rc == 0 && k.n_expect == 0, "tns_redirect_only_the_next_data_packet",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* both in one segment, and with the data length given before */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	redirect_empty(&p, (uint16_t)(d.len - 10));
	memcpy(p.b + p.len, d.b, d.len);
	conv_reset_counts(&k);
	rc = conv_send_len(&k, R, p.b, p.len + d.len);
	tap_check(t, rc == 0 && k.n_expect == 1, "tns_redirect_and_data_in_one_segment",
		  "rc %d n_expect %u", rc, k.n_expect);
}

static void test_hostile(struct tap *t)
{
	static const uint32_t third_party[] = { 1, 0 }, host_names[] = { 0, 1 };
	struct conv k;
	struct pkt p, d;
	int rc;

	struct {
		const char *name, *addr;
		const uint32_t *options;
		unsigned int errors, lost;
	} refused[] = {
		{ "third_party_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.9)(PORT=1522))", NULL, 1, 0 },
		{ "privileged_port_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=22))", NULL, 1, 0 },
		{ "privileged_port_of_a_third_party_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.254)(PORT=22))", third_party, 1, 0 },
		{ "loopback_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=127.0.0.1)(PORT=1522))", third_party, 1, 0 },
		{ "unspecified_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=0.0.0.0)(PORT=1522))", third_party, 1, 0 },
		{ "broadcast_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=255.255.255.255)(PORT=1522))", third_party, 1, 0 },
		{ "multicast_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=224.0.0.1)(PORT=1522))", third_party, 1, 0 },
		{ "ipv6_on_ipv4_refused", "(ADDRESS=(PROTOCOL=tcp)(HOST=dead:2::2)(PORT=1522))", third_party, 1, 0 },
		{ "host_name_opens_nothing", "(ADDRESS=(PROTOCOL=tcp)(HOST=db1.example.com)(PORT=1522))", NULL, 0, 1 },
		{ "two_addresses_refused", "(ADDRESS_LIST=(ADDRESS=(HOST=10.0.2.2)(PORT=1522))(ADDRESS=(HOST=10.0.2.2)(PORT=1523)))", NULL, 1, 0 },
		{ "ipc_ignored", "(ADDRESS=(PROTOCOL=ipc)(KEY=x)(HOST=10.0.2.2)(PORT=1522))", NULL, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char name[96];

		tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
		k.options = refused[i].options;
		redirect(&p, refused[i].addr, 0, false);
		conv_reset_counts(&k);
		rc = send_pkt(&k, R, &p);
		snprintf(name, sizeof(name), "tns_%s", refused[i].name);
		tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == refused[i].errors &&
			  k.lost == refused[i].lost && k.out_len[R] == p.len, name,
			  "rc %d n_expect %u errors %u lost %u", rc, k.n_expect, k.parse_errors,
			  k.lost);
	}

	/* the options: a third party (RAC), a host name taken for the listener */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	k.options = third_party;
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.9)(PORT=1522))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.1.1", "10.0.2.9", 1522),
		  "tns_third_party_with_third_party_1", "rc %d n_expect %u", rc, k.n_expect);
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	k.options = host_names;
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=db1.example.com)(PORT=1522))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.1.1", "10.0.2.2", 1522),
		  "tns_host_name_with_host_names_1_is_the_listener", "rc %d n_expect %u", rc,
		  k.n_expect);

	/* the client cannot redirect */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, O, &p);
	tap_check(t, rc == 0 && k.n_expect == 0, "tns_redirect_from_the_client_ignored",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* after the ACCEPT, nothing */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	tns_packet(&d, TNS_TYPE_ACCEPT, "\x01\x3d\x00\x00\x20\x00\xff\xff\x01\x00\x00\x00\x00\x20\x01\x01", 16, false);
	send_pkt(&k, R, &d);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 0,
		  "tns_redirect_after_accept_ignored", "rc %d n_expect %u", rc, k.n_expect);

	/* an address in a DATA packet nobody announced (echoed data) */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	data_packet(&d, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", true);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &d);
	tap_check(t, rc == 0 && k.n_expect == 0, "tns_address_in_a_data_packet_ignored",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* a packet length that lies: shorter, the address is read as a packet */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", 0, false);
	p.b[0] = 0;
	p.b[1] = 12;
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors >= 1,
		  "tns_packet_length_short_of_the_data", "rc %d n_expect %u errors %u", rc,
		  k.n_expect, k.parse_errors);
	/* ... and nothing after it is read any more */
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 0, "tns_nothing_read_after_a_lost_boundary",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* a data length that lies: short of the address, or past the packet */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", -150, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 1,
		  "tns_data_length_short_of_the_address", "rc %d n_expect %u errors %u", rc,
		  k.n_expect, k.parse_errors);
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", 3000, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1,
		  "tns_data_length_past_the_packet_address_whole", "rc %d n_expect %u", rc,
		  k.n_expect);

	/* not established: nothing */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	k.not_established = true;
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 0, "tns_not_established_ignored",
		  "rc %d n_expect %u", rc, k.n_expect);
}

/* A redirect cut across two segments. */
static void test_cut(struct tap *t)
{
	struct conv k;
	struct pkt p;
	uint32_t seq;
	int rc;

	/* a short one: held back without NAT, the resent whole one acts */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	tns_packet(&p, TNS_TYPE_REDIRECT,
		   "\x00\x34(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", 54, false);
	seq = k.seq[R];
	conv_reset_counts(&k);
	rc = conv_send_seq_len(&k, R, seq, p.b, 30);
	tap_check(t, rc == 0 && k.dropped == 1 && k.n_expect == 0,
		  "tns_cut_redirect_held_back", "rc %d dropped %u", rc, k.dropped);
	rc = conv_send_seq_len(&k, R, seq, p.b, p.len);
	tap_check(t, rc == 0 && k.n_expect == 1, "tns_cut_redirect_resent_whole_expects",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* its second half alone is never read as a packet */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	seq = k.seq[R];
	conv_reset_counts(&k);
	rc = conv_send_seq_len(&k, R, seq + 30, p.b + 30, p.len - 30);
	tap_check(t, rc == 0 && k.n_expect == 0, "tns_second_half_of_a_cut_redirect_ignored",
		  "rc %d n_expect %u", rc, k.n_expect);

	/* under NAT it is not held back (a rewrite may change its length): lost */
	tns_conv(&k, "10.0.1.1", "10.0.2.254", "10.0.2.2", "10.0.2.2");
	seq = k.seq[R];
	conv_reset_counts(&k);
	rc = conv_send_seq_len(&k, R, seq, p.b, 30);
	/* once: by the core, which does not read it, not also by the helper */
	tap_check(t, rc == 0 && k.dropped == 0 && k.n_expect == 0 && k.lost == 1 &&
		  k.parse_errors == 0,
		  "tns_cut_redirect_under_nat_lost", "rc %d dropped %u lost %u", rc, k.dropped,
		  k.lost);
}

static void test_nat(struct tap *t)
{
	struct conv k;
	struct pkt p, d;
	int rc;

	/* SNAT of the client: the address stays, the connection follows the NAT */
	tns_conv(&k, "10.0.1.1", "10.0.2.254", "10.0.2.2", "10.0.2.2");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 && k.last.expect[0].nat &&
		  k.last.expect[0].nat_dir == O &&
		  !strcmp(k.last.expect[0].expectfn, "nat-follow-master") &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.1.1", "10.0.2.2", 1522) &&
		  k.n_mangled == 0 && k.out_len[R] == p.len,
		  "tns_snat_follows_the_master_unchanged", "rc %d n_expect %u mangled %u", rc,
		  k.n_expect, k.n_mangled);

	/* DNAT: the client knows the listener as 192.0.2.1 */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "192.0.2.10");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(DEV=12)(HOST=10.0.2.2)(PORT=49161))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.1.1", "192.0.2.10", 49161) &&
		  k.last.expect[0].nat && out_redirect_names(&k, "192.0.2.10", 49161),
		  "tns_dnat_rewrites_host_and_lengths", "rc %d n_expect %u out %zu", rc,
		  k.n_expect, k.out_len[R]);

	/* the resent copy is rewritten the same */
	{
		char first[CONV_OUT_MAX];
		size_t first_len = k.out_len[R];

		memcpy(first, k.out[R], first_len);
		conv_reset_counts(&k);
		rc = conv_send_seq_len(&k, R, k.seq[R] - (uint32_t)p.len, p.b, p.len);
		tap_check(t, rc == 0 && k.n_expect == 1 && k.out_len[R] == first_len &&
			  !memcmp(k.out[R], first, first_len),
			  "tns_dnat_resent_copy_rewritten_the_same", "rc %d", rc);
	}

	/* IPv6, 12c's 32-bit length, a checksum to clear */
	tns_conv(&k, "dead:1::1", "dead:1::1", "dead:2::2", "2001:db8::10");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=dead:2::2)(PORT=1522))", 0, true);
	p.b[6] = 0x12;
	p.b[7] = 0x34;
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "dead:1::1", "2001:db8::10", 1522) &&
		  out_redirect_names(&k, "2001:db8::10", 1522) && k.out[R][0] == 0 &&
		  k.out[R][6] == 0 && k.out[R][7] == 0,
		  "tns_dnat_ipv6_wide_length_rewritten", "rc %d n_expect %u out %zu", rc,
		  k.n_expect, k.out_len[R]);

	/* the listener already names the address the client knows: unchanged */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "192.0.2.10");
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=192.0.2.10)(PORT=1522))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 1 && k.n_mangled == 0,
		  "tns_dnat_public_address_named_unchanged", "rc %d n_expect %u mangled %u", rc,
		  k.n_expect, k.n_mangled);

	/* a third party behind DNAT: the client cannot reach it, nothing */
	{
		static const uint32_t third_party[] = { 1, 0 };

		tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "192.0.2.10");
		k.options = third_party;
		redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.9)(PORT=1522))", 0, false);
		conv_reset_counts(&k);
		rc = send_pkt(&k, R, &p);
		tap_check(t, rc == 0 && k.n_expect == 0 && k.lost == 1 && k.n_mangled == 0,
			  "tns_dnat_third_party_lost", "rc %d n_expect %u", rc, k.n_expect);
		/* under SNAT it follows the client's NAT to the third party */
		tns_conv(&k, "10.0.1.1", "10.0.2.254", "10.0.2.2", "10.0.2.2");
		k.options = third_party;
		conv_reset_counts(&k);
		rc = send_pkt(&k, R, &p);
		tap_check(t, rc == 0 && k.n_expect == 1 && k.last.expect[0].nat &&
			  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.1.1", "10.0.2.9", 1522),
			  "tns_snat_third_party_follows_the_master", "rc %d n_expect %u", rc,
			  k.n_expect);
	}

	/* DNAT, the data in the next DATA packet (data length 0): its length fixed */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "192.0.2.10");
	redirect_empty(&p, 0);
	data_packet(&d, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", true);
	send_pkt(&k, R, &p);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &d);
	tap_check(t, rc == 0 && k.n_expect == 1 && out_is_one_packet(&k) &&
		  k.out_len[R] == d.len + 2 &&
		  memmem(k.out[R], k.out_len[R], "(HOST=192.0.2.10)", 17),
		  "tns_dnat_data_packet_rewritten", "rc %d n_expect %u out %zu", rc, k.n_expect,
		  k.out_len[R]);

	/* ... but with the data length sent before, a longer address cannot be told */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "192.0.2.10");
	redirect_empty(&p, (uint16_t)(d.len - 10));
	send_pkt(&k, R, &p);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &d);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.lost == 1 && k.out_len[R] == d.len &&
		  !memcmp(k.out[R], d.b, d.len),
		  "tns_dnat_data_length_sent_before_lost", "rc %d n_expect %u lost %u", rc,
		  k.n_expect, k.lost);

	/* 16-bit lengths that would overflow: nothing */
	tns_conv(&k, "dead:1::1", "dead:1::1", "dead:2::2", "2001:db8:ffff:ffff:ffff:ffff:ffff:10");
	{
		char addr[80];

		snprintf(addr, sizeof(addr), "(ADDRESS=(PROTOCOL=tcp)(HOST=dead:2::2)(PORT=1522))");
		redirect(&p, addr, 0, false);
		p.b[0] = 0xff;	/* claims 65535 - 30 bytes: cut, never read */
	}
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.n_mangled == 0,
		  "tns_dnat_packet_longer_than_the_segment_not_read", "rc %d n_expect %u", rc,
		  k.n_expect);
}

/* Ports the core's book holds for the helper's expectations at book->now. */
static unsigned int natports_held(const struct cthd_natports *book, uint16_t *port)
{
	unsigned int n = 0;

	for (size_t i = 0; i < CTHD_NATPORT_SLOTS; i++) {
		if (book->slot[i].expires > book->now) {
			n++;
			*port = book->slot[i].port;
		}
	}
	return n;
}

static void book_reset(struct cthd_natports *book)
{
	memset(book, 0, sizeof(*book));
	book->now = 1000;
	book->helper = cthd_helper_find("tns");
}

/*
 * Under NAT the core reserves the port the client is told
 * (cthd_result_nat_port()); it keeps the reservation of a packet that
 * goes out, and for tns's one-expectation class it evicts the master's
 * previous one. A rewrite that cannot be made must reserve nothing; one
 * that is made holds its port.
 */
static void test_nat_reservations(struct tap *t)
{
	static struct cthd_natports book;
	struct conv k;
	struct pkt p, d;
	uint16_t held = 0;
	unsigned int n;
	int rc;

	/* DNAT, the data length sent before: the longer address cannot be told */
	book_reset(&book);
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "192.0.2.10");
	k.natports = &book;
	data_packet(&d, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))", true);
	redirect_empty(&p, (uint16_t)(d.len - 10));
	send_pkt(&k, R, &p);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &d);
	n = natports_held(&book, &held);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.lost == 1 && k.n_mangled == 0 && n == 0,
		  "tns_dnat_rewrite_that_cannot_fit_reserves_no_port",
		  "rc %d n_expect %u lost %u ports held %u", rc, k.n_expect, k.lost, n);

	/* ... and leaves the master's earlier reservation alone */
	tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "192.0.2.10");
	k.natports = &book;
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1530))", 0, false);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &p);
	n = natports_held(&book, &held);
	tap_check(t, rc == 0 && k.n_expect == 1 && n == 1 && held == 1530 &&
		  out_redirect_names(&k, "192.0.2.10", 1530),
		  "tns_dnat_rewrite_made_holds_its_port", "rc %d n_expect %u ports held %u (%u)",
		  rc, k.n_expect, n, held);
	redirect_empty(&p, (uint16_t)(d.len - 10));
	send_pkt(&k, R, &p);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &d);
	n = natports_held(&book, &held);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.lost == 1 && n == 1 && held == 1530,
		  "tns_dnat_rewrite_that_cannot_fit_keeps_the_earlier_port",
		  "rc %d n_expect %u lost %u ports held %u (%u)", rc, k.n_expect, k.lost, n, held);

	/* the data length sent before, the port taken: moved in as many digits */
	book_reset(&book);
	tns_conv(&k, "10.0.1.1", "10.0.2.254", "10.0.2.2", "10.0.2.2");
	k.natports = &book;
	redirect(&p, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=01522))", 0, false);
	send_pkt(&k, R, &p);
	tns_conv(&k, "10.0.1.9", "10.0.2.254", "10.0.2.2", "10.0.2.2");
	k.ct.id = 2;
	k.natports = &book;
	data_packet(&d, "(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=01522))", true);
	redirect_empty(&p, (uint16_t)(d.len - 10));
	send_pkt(&k, R, &p);
	conv_reset_counts(&k);
	rc = send_pkt(&k, R, &d);
	tap_check(t, rc == 0 && k.n_expect == 1 && k.last.expect[0].tuple.dport == 1523 &&
		  k.out_len[R] == d.len && memmem(k.out[R], k.out_len[R], "(PORT=01523)", 12),
		  "tns_snat_port_taken_rewritten_in_place", "rc %d n_expect %u out %zu", rc,
		  k.n_expect, k.out_len[R]);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * A listener resends its REDIRECT before the kernel has the verdict on the
 * first copy (a slow daemon): the copy carries the private data of the
 * verdict before, the client's CONNECT's. The core (process.c) then
 * continues from the state it sent last, unless what the copy carries is
 * all zeroes (a new connection, maybe one that reuses the old one's id):
 * so the CONNECT must leave a mark, or the copy reads as a first REDIRECT
 * and its error is counted twice.
 */
static void test_resent_before_verdict(struct tap *t)
{
	static const char *addrs[] = {
		"(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.9)(PORT=1522))",	/* a third party */
		"(ADDRESS=(PROTOCOL=tcp)(HOST=10.0.2.2)(PORT=1522))",
	};
	uint8_t kernel[CTHD_PRIV_MAX];
	size_t plen = cthd_helper_find("tns")->priv_len;
	struct conv k;
	struct pkt p;
	int rc;

	for (int i = 0; i < 2; i++) {
		tns_conv(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
		if (i == 0)
			tap_check(t, k.last.priv_changed && !all_zero(k.priv, plen),
				  "tns_client_connect_marks_the_private_data", "changed %d",
				  k.last.priv_changed);
		/* what the kernel holds once the CONNECT's verdict is in */
		memcpy(kernel, k.priv, sizeof(kernel));
		redirect(&p, addrs[i], 0, false);
		conv_reset_counts(&k);
		send_pkt(&k, R, &p);
		/* the copy, queued before that verdict, as the core hands it over */
		if (all_zero(kernel, plen))
			memcpy(k.priv, kernel, sizeof(kernel));
		rc = conv_send_seq_len(&k, R, k.seq[R] - (uint32_t)p.len, p.b, p.len);
		if (i == 0)
			tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 1,
				  "tns_third_party_resent_before_its_verdict_counted_once",
				  "rc %d n_expect %u errors %u", rc, k.n_expect, k.parse_errors);
		else
			tap_check(t, rc == 0 && k.n_expect == 2 && k.parse_errors == 0,
				  "tns_redirect_resent_before_its_verdict_expects_again",
				  "rc %d n_expect %u errors %u", rc, k.n_expect, k.parse_errors);
	}
}

int main(void)
{
	struct tap t = { 0 };

	test_packet_len(&t);
	test_parse_address(&t);
	test_registry(&t);
	test_plain(&t);
	test_data_follows(&t);
	test_hostile(&t);
	test_cut(&t);
	test_nat(&t);
	test_nat_reservations(&t);
	test_resent_before_verdict(&t);
	return tap_done(&t);
}
