// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TFTP helper unit tests: hostile and malformed requests first (a request
 * from the server's side, truncated names and modes, unknown opcodes and
 * modes), then the read and write requests tftp-hpa and atftp send,
 * through the registered helper, IPv4 and IPv6, with and without SNAT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/tftp.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

/* sizeof - 1: the literals' own final NUL is not part of the packet */
#define PKT(s) { s, sizeof(s) - 1 }

struct req_case {
	const char *name;
	struct { const char *data; size_t len; } pkt;
	int rc;			/* 1 a request, 0 another message, -EINVAL */
	uint16_t opcode;
};

static const struct req_case req_cases[] = {
	/* hostile or malformed */
	{ "empty", PKT(""), -EINVAL },
	{ "one_byte", PKT("\0"), -EINVAL },
	{ "opcode_only", PKT("\0\1"), -EINVAL },
	{ "name_not_terminated", PKT("\0\1file"), -EINVAL },
	{ "mode_missing", PKT("\0\1file\0"), -EINVAL },
	{ "mode_not_terminated", PKT("\0\1file\0octet"), -EINVAL },
	{ "empty_name", PKT("\0\1\0octet\0"), -EINVAL },
	{ "unknown_mode", PKT("\0\1file\0binary\0"), -EINVAL },
	{ "empty_mode", PKT("\0\1file\0\0"), -EINVAL },
	{ "mode_prefix_only", PKT("\0\1file\0oct\0"), -EINVAL },
	{ "option_without_value", PKT("\0\1file\0octet\0blksize\0"), -EINVAL },
	{ "option_value_not_terminated", PKT("\0\1file\0octet\0blksize\0001468"), -EINVAL },
	{ "unknown_opcode", PKT("\0\11file\0octet\0"), -EINVAL },
	{ "opcode_zero", PKT("\0\0file\0octet\0"), -EINVAL },
	{ "opcode_high_byte", PKT("\1\1file\0octet\0"), -EINVAL },
	/* not requests: nothing to do */
	{ "data", PKT("\0\3\0\1hello"), 0, 3 },
	{ "ack", PKT("\0\4\0\1"), 0, 4 },
	{ "error", PKT("\0\5\0\1File not found\0"), 0, 5 },
	{ "oack", PKT("\0\6blksize\0001468\0"), 0, 6 },
	/* what clients send */
	{ "tftp_hpa_rrq", PKT("\0\1file\0octet\0"), 1, 1 },
	{ "tftp_hpa_rrq_netascii", PKT("\0\1dir/file.txt\0netascii\0"), 1, 1 },
	{ "tftp_hpa_wrq", PKT("\0\2upload.bin\0octet\0"), 1, 2 },
	{ "atftp_rrq_options", PKT("\0\1pxelinux.0\0octet\0tsize\0000\0blksize\0001408\0"), 1, 1 },
	{ "uppercase_mode", PKT("\0\1file\0OCTET\0"), 1, 1 },
	{ "mail_mode", PKT("\0\2root\0mail\0"), 1, 2 },
};

static void test_request_table(struct tap *t)
{
	for (size_t i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const struct req_case *c = &req_cases[i];
		uint16_t opcode = 0xffff;
		char name[96];
		int rc = tftp_parse(c->pkt.data, c->pkt.len, &opcode);

		snprintf(name, sizeof(name), "tftp_packet_%s", c->name);
		tap_check(t, rc == c->rc && (rc < 0 || opcode == c->opcode), name,
			  "rc %d (want %d) opcode %u", rc, c->rc, opcode);
	}
}

static void test_registry(struct tap *t)
{
	const struct cthd_helper *h = cthd_helper_find("tftp");
	const char *why = "not registered";

	tap_check(t, h && cthd_helper_validate(h, &why) == 0 && h->l4proto == IPPROTO_UDP &&
		  h->default_port == 69 && h->n_policies == 1 &&
		  h->policies[0].max_expected == 1 && h->policies[0].timeout == 300,
		  "tftp_registered_with_the_kernel_policy", "%s", why);
}

/* Client c:40000 to the server s:69 (seen as s_pub). */
static void tftp_open(struct conv *k, const char *c, const char *c_nat, const char *s,
		      const char *s_pub)
{
	conv_init(k, "tftp", c, c_nat, 40000, s, s_pub, 69);
	/* conntrack's reply tuple: SNAT may change the client's port too */
	if (strcmp(c, c_nat))
		k->ct.tuple[R].dport = 1025;
}

static int tftp_send(struct conv *k, enum cthd_dir dir, const char *data, size_t len)
{
	return conv_send_len(k, dir, data, len);
}

#define SEND(k, dir, s) tftp_send(k, dir, s, sizeof(s) - 1)

/* A request the server "sends" opens nothing: only the client asks. */
static void test_request_from_server(struct tap *t)
{
	struct conv k;
	int rc;

	tftp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2");
	rc = SEND(&k, R, "\0\1file\0octet\0");
	tap_check(t, rc == 0 && k.n_expect == 0, "tftp_request_in_reply_direction_ignored",
		  "n_expect %u", k.n_expect);
}

static void test_malformed_counted(struct tap *t)
{
	struct conv k;
	int rc;

	tftp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2");
	rc = SEND(&k, O, "\0\1file");
	rc |= SEND(&k, O, "\0\1file\0binary\0");
	rc |= SEND(&k, O, "\0\1");
	rc |= SEND(&k, O, "\xff\xff\xff\xff\xff\xff\xff\xff");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 4 && k.n_mangled == 0,
		  "tftp_malformed_requests_expect_nothing", "n_expect %u errors %u",
		  k.n_expect, k.parse_errors);
	rc = SEND(&k, O, "\0\4\0\1");
	rc |= SEND(&k, R, "\0\3\0\1data");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 4,
		  "tftp_data_and_ack_are_not_errors", "errors %u", k.parse_errors);
}

static void test_rrq_plain(struct tap *t)
{
	struct conv k;
	int rc;

	tftp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2");
	k.not_established = true;	/* a request is the flow's first packet */
	rc = SEND(&k, O, "\0\1file\0octet\0");
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.n_mangle == 0 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_UDP, "10.0.0.2", "10.0.0.1", 40000) &&
		  !k.last.expect[0].nat && !k.last.priv_changed,
		  "tftp_rrq_ipv4_expects_the_server_to_the_client_port", "rc %d n_expect %u",
		  rc, k.last.n_expect);

	rc = SEND(&k, O, "\0\2upload.bin\0octet\0");
	tap_check(t, rc == 0 && k.last.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_UDP, "10.0.0.2", "10.0.0.1", 40000),
		  "tftp_wrq_ipv4", "n_expect %u", k.last.n_expect);

	tftp_open(&k, "fd00::1", "fd00::1", "fd00::2", "fd00::2");
	rc = SEND(&k, O, "\0\1pxelinux.0\0octet\0tsize\0000\0blksize\0001408\0");
	tap_check(t, rc == 0 && k.last.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_UDP, "fd00::2", "fd00::1", 40000),
		  "tftp_rrq_ipv6_with_options", "n_expect %u", k.last.n_expect);
}

/* SNAT (and a port change): the reply goes to the mapping, then follows NAT. */
static void test_rrq_snat(struct tap *t)
{
	const struct cthd_expect *e;
	union cthd_addr inside;
	struct conv k;
	int rc;

	tftp_open(&k, "192.168.1.10", "203.0.113.1", "198.51.100.2", "198.51.100.2");
	rc = SEND(&k, O, "\0\1file\0octet\0");
	e = &k.last.expect[0];
	conv_set_addr(&inside, "192.168.1.10");
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.n_mangle == 0 &&
		  conv_expect_is(e, IPPROTO_UDP, "198.51.100.2", "203.0.113.1", 1025) &&
		  e->nat && e->nat_dir == R && !memcmp(&e->nat_addr, &inside, sizeof(inside)) &&
		  e->nat_port == 40000 && !strcmp(e->expectfn, "nat-follow-master"),
		  "tftp_rrq_snat_binds_nat", "rc %d n_expect %u", rc, k.last.n_expect);

	tftp_open(&k, "fd00:1::10", "2001:db8::1", "2001:db8:2::2", "2001:db8:2::2");
	rc = SEND(&k, O, "\0\2f\0octet\0");
	e = &k.last.expect[0];
	tap_check(t, rc == 0 && k.last.n_expect == 1 && e->nat &&
		  conv_expect_is(e, IPPROTO_UDP, "2001:db8:2::2", "2001:db8::1", 1025) &&
		  e->nat_port == 40000, "tftp_wrq_ipv6_snat_binds_nat", "n_expect %u",
		  k.last.n_expect);

	/* DNAT of the server: the reply comes from the real server */
	tftp_open(&k, "198.51.100.7", "198.51.100.7", "10.1.1.5", "203.0.113.5");
	rc = SEND(&k, O, "\0\1f\0octet\0");
	e = &k.last.expect[0];
	tap_check(t, rc == 0 && k.last.n_expect == 1 && e->nat &&
		  conv_expect_is(e, IPPROTO_UDP, "10.1.1.5", "198.51.100.7", 40000),
		  "tftp_rrq_dnat_expects_the_real_server", "n_expect %u", k.last.n_expect);
}

static void test_non_udp(struct tap *t)
{
	struct conv k;
	int rc;

	tftp_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2");
	k.ct.l4proto = IPPROTO_TCP;
	rc = SEND(&k, O, "\0\1file\0octet\0");
	tap_check(t, rc < 0 && k.n_expect == 0, "tftp_non_udp_conntrack_is_an_error", "rc %d", rc);
}

int main(void)
{
	struct tap t = { 0 };

	test_request_table(&t);
	test_registry(&t);
	test_request_from_server(&t);
	test_malformed_counted(&t);
	test_rrq_plain(&t);
	test_rrq_snat(&t);
	test_non_udp(&t);
	return tap_done(&t);
}
