// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rpc and rpc-tcp helper unit tests: the parsers on hostile and malformed
 * messages, then conversations: what rpcinfo (libtirpc 1.3.3) and rpcbind
 * 1.2.6 exchanged on loopback, recorded with tcpdump on Debian 12 (rpcbind
 * v4 GETADDR over UDP, TCP and TCP over IPv6; an unregistered program),
 * and rpcbind's answers to portmapper v2 GETPORT calls (the calls written
 * after RFC 1833, as glibc's pmap_getport() sends them), IPv4 and IPv6,
 * without NAT, with SNAT and with DNAT; replies without a call, to another
 * call, naming another host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/rpc.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

#define BYTES(s) (const uint8_t *)(s), sizeof(s) - 1

/* rpcinfo -T udp 127.0.0.1 100000 4: GETADDR v4, netid udp, and the answer */
static const char udp_getaddr_call[] =
	"\x6b\x0c\xfb\x5a\0\0\0\0\0\0\0\2\0\1\x86\xa0\0\0\0\4\0\0\0\3"
	"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\1\x86\xa0\0\0\0\4\0\0\0\3udp\0\0\0\0\x0f" "127.0.0.1.0.111\0\0\0\0\x08libtirpc";
static const char udp_getaddr_reply[] =
	"\x6b\x0c\xfb\x5a\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\0\0\x0f" "127.0.0.1.0.111\0";

/* rpcinfo -T tcp 127.0.0.1 100000 2, with its record marks */
static const char tcp_getaddr_call[] =
	"\x80\0\0\x58\xea\xad\x87\x2a\0\0\0\0\0\0\0\2\0\1\x86\xa0\0\0\0\4\0\0\0\3"
	"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\1\x86\xa0\0\0\0\2\0\0\0\3tcp\0\0\0\0\x0f" "127.0.0.1.0.111\0\0\0\0\x08libtirpc";
static const char tcp_getaddr_reply[] =
	"\x80\0\0\x2c\xea\xad\x87\x2a\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\0\0\x0f" "127.0.0.1.0.111\0";

/* rpcinfo -T tcp6 ::1 100000 4 */
static const char tcp6_getaddr_call[] =
	"\x80\0\0\x54\x5a\x7a\xb5\x78\0\0\0\0\0\0\0\2\0\1\x86\xa0\0\0\0\4\0\0\0\3"
	"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\1\x86\xa0\0\0\0\4\0\0\0\4tcp6\0\0\0\x09::1.0.111\0\0\0\0\0\0\x08libtirpc";
static const char tcp6_getaddr_reply[] =
	"\x80\0\0\x28\x5a\x7a\xb5\x78\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\0\0\x09::1.0.111\0\0\0";

/* rpcinfo -T tcp 127.0.0.1 100005 3 (mountd, not registered): an empty address */
static const char tcp_unregistered_call[] =
	"\x80\0\0\x58\xfc\x6f\xcc\xc8\0\0\0\0\0\0\0\2\0\1\x86\xa0\0\0\0\4\0\0\0\3"
	"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\1\x86\xa5\0\0\0\3\0\0\0\3tcp\0\0\0\0\x0f" "127.0.0.1.0.111\0\0\0\0\x08libtirpc";
static const char tcp_unregistered_reply[] =
	"\x80\0\0\x1c\xfc\x6f\xcc\xc8\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

/* portmapper v2 GETPORT of (100000, 2, udp), and rpcbind's answer: 111 */
static const char udp_getport_call[] =
	"\x12\x34\xab\xcd\0\0\0\0\0\0\0\2\0\1\x86\xa0\0\0\0\2\0\0\0\3"
	"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	"\0\1\x86\xa0\0\0\0\2\0\0\0\x11\0\0\0\0";
static const char udp_getport_reply[] =
	"\x12\x34\xab\xcd\0\0\0\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x6f";

/* an XDR message builder for the hostile cases */
struct msg {
	uint8_t b[512];
	size_t len;
};

static void put32(struct msg *m, uint32_t v)
{
	m->b[m->len++] = (uint8_t)(v >> 24);
	m->b[m->len++] = (uint8_t)(v >> 16);
	m->b[m->len++] = (uint8_t)(v >> 8);
	m->b[m->len++] = (uint8_t)v;
}

static void putstr(struct msg *m, const char *s)
{
	size_t n = strlen(s);

	put32(m, (uint32_t)n);
	memcpy(m->b + m->len, s, n);
	m->len += n;
	while (m->len % 4)
		m->b[m->len++] = 0;
}

/* a GETADDR v4 call; tcp: with a record mark */
static void getaddr_call(struct msg *m, bool tcp, uint32_t xid, uint32_t prog, const char *netid)
{
	m->len = tcp ? 4 : 0;
	put32(m, xid);
	put32(m, 0);
	put32(m, 2);
	put32(m, 100000);
	put32(m, 4);
	put32(m, 3);
	for (int i = 0; i < 4; i++)
		put32(m, 0);
	put32(m, prog);
	put32(m, 1);
	putstr(m, netid);
	putstr(m, "");
	putstr(m, "superuser");
	if (tcp) {
		size_t len = m->len;

		m->len = 0;
		put32(m, 0x80000000u | (uint32_t)(len - 4));
		m->len = len;
	}
}

static void getaddr_reply(struct msg *m, bool tcp, uint32_t xid, const char *uaddr)
{
	m->len = tcp ? 4 : 0;
	put32(m, xid);
	put32(m, 1);
	for (int i = 0; i < 4; i++)
		put32(m, 0);
	putstr(m, uaddr);
	if (tcp) {
		size_t len = m->len;

		m->len = 0;
		put32(m, 0x80000000u | (uint32_t)(len - 4));
		m->len = len;
	}
}

static void getport_reply(struct msg *m, uint32_t xid, uint32_t port)
{
	m->len = 0;
	put32(m, xid);
	put32(m, 1);
	for (int i = 0; i < 4; i++)
		put32(m, 0);
	put32(m, port);
}

/* a GETADDR call of mountd (xid 9) and its answer naming uaddr */
static void getaddr_exchange(struct conv *k, bool tcp, const char *netid, const char *uaddr)
{
	struct msg m;

	getaddr_call(&m, tcp, 9, 100005, netid);
	conv_send_len(k, O, m.b, m.len);
	k->out_len[R] = 0;
	getaddr_reply(&m, tcp, 9, uaddr);
	conv_send_len(k, R, m.b, m.len);
}

/* the client got that answer naming uaddr */
static bool answer_is(const struct conv *k, bool tcp, const char *uaddr)
{
	struct msg m;

	getaddr_reply(&m, tcp, 9, uaddr);
	return k->out_len[R] == m.len && !memcmp(k->out[R], m.b, m.len);
}

static void test_parse_call(struct tap *t)
{
	struct rpc_call c;
	struct msg m;
	int rc;

	rc = rpc_parse_call(BYTES(udp_getaddr_call), &c);
	tap_check(t, rc == 1 && c.query == RPC_QUERY_GETADDR && c.l4proto == IPPROTO_UDP &&
			     c.family == AF_INET && c.xid == 0x6b0cfb5a,
		  "call_rpcinfo_udp_getaddr", "rc %d", rc);
	rc = rpc_parse_call((const uint8_t *)tcp6_getaddr_call + 4, sizeof(tcp6_getaddr_call) - 5,
			    &c);
	tap_check(t, rc == 1 && c.l4proto == IPPROTO_TCP && c.family == AF_INET6,
		  "call_rpcinfo_tcp6_getaddr", "rc %d", rc);
	rc = rpc_parse_call(BYTES(udp_getport_call), &c);
	tap_check(t, rc == 1 && c.query == RPC_QUERY_GETPORT && c.l4proto == IPPROTO_UDP,
		  "call_pmap_getport", "rc %d", rc);
	/* hostile or malformed */
	rc = rpc_parse_call((const uint8_t *)udp_getport_call, sizeof(udp_getport_call) - 2, &c);
	tap_check(t, rc == -EINVAL && c.query == RPC_QUERY_NONE, "call_cut", "rc %d", rc);
	memcpy(m.b, udp_getport_call, sizeof(udp_getport_call) - 1);
	m.len = sizeof(udp_getport_call) - 1;
	put32(&m, 0);
	tap_check(t, rpc_parse_call(m.b, m.len, &c) == -EINVAL, "call_bytes_after_arguments", "");
	m.len = sizeof(udp_getport_call) - 1;
	m.b[11] = 3;
	tap_check(t, rpc_parse_call(m.b, m.len, &c) == -EINVAL, "call_rpc_version_3", "");
	m.b[11] = 2;
	m.b[31] = 0x91;		/* credentials of 401 bytes */
	m.b[30] = 1;
	tap_check(t, rpc_parse_call(m.b, m.len, &c) == -EINVAL, "call_credentials_over_400", "");
	getaddr_call(&m, false, 1, 100003, "local");
	tap_check(t, rpc_parse_call(m.b, m.len, &c) == 0, "call_netid_local_names_no_port", "");
	getaddr_call(&m, false, 1, 100003, "udp");
	m.b[15] = 0xa1;		/* another program */
	tap_check(t, rpc_parse_call(m.b, m.len, &c) == 0, "call_of_another_program", "");
	tap_check(t, rpc_parse_call(BYTES(udp_getaddr_reply), &c) == 0, "a_reply_is_no_call", "");
}

static void test_parse_reply(struct tap *t)
{
	struct rpc_call c;
	struct rpc_answer a;
	struct msg m;
	int rc;

	rpc_parse_call(BYTES(udp_getaddr_call), &c);
	rc = rpc_parse_reply(BYTES(udp_getaddr_reply), &c, &a);
	tap_check(t, rc == 1 && a.port == 111 && a.has_addr && a.addr.ip == htonl(0x7f000001),
		  "reply_rpcbind_getaddr", "rc %d port %u", rc, a.port);
	c.xid++;
	tap_check(t, rpc_parse_reply(BYTES(udp_getaddr_reply), &c, &a) == -EINVAL,
		  "reply_of_another_xid", "");
	c.xid--;
	c.query = RPC_QUERY_NONE;
	tap_check(t, rpc_parse_reply(BYTES(udp_getaddr_reply), &c, &a) == -EINVAL,
		  "reply_without_a_call", "");
	rpc_parse_call(BYTES(udp_getaddr_call), &c);
	getaddr_reply(&m, false, c.xid, "127.0.0.1.0");
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == -EINVAL, "uaddr_without_port_bytes",
		  "");
	getaddr_reply(&m, false, c.xid, "127.0.0.1.256.1");
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == -EINVAL, "uaddr_port_byte_over_255",
		  "");
	getaddr_reply(&m, false, c.xid, "::1.0.111");
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == -EINVAL, "uaddr_of_the_other_family",
		  "");
	getaddr_reply(&m, false, c.xid, "127.0.0.1\0.0.111");
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == -EINVAL, "uaddr_cut_by_nul", "");
	getaddr_reply(&m, false, c.xid, "");
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == 0, "uaddr_empty_not_registered", "");
	getaddr_reply(&m, false, c.xid, "127.0.0.1.0.111");
	m.b[8 + 3] = 1;		/* MSG_DENIED */
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == 0, "reply_denied", "");
	getaddr_reply(&m, false, c.xid, "127.0.0.1.0.111");
	m.b[m.len - 17] = 0x7f;	/* the string's length past the message */
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == -EINVAL, "uaddr_longer_than_message",
		  "");
	rpc_parse_call(BYTES(udp_getport_call), &c);
	getport_reply(&m, c.xid, 70000);
	tap_check(t, rpc_parse_reply(m.b, m.len, &c, &a) == -EINVAL, "getport_port_over_16_bits",
		  "");
	rc = rpc_parse_reply(BYTES(udp_getport_reply), &c, &a);
	tap_check(t, rc == 1 && a.port == 111 && !a.has_addr, "reply_rpcbind_getport", "rc %d", rc);
}

static void udp_open(struct conv *k, const char *c, const char *c_nat, const char *s,
		     const char *s_pub)
{
	conv_init(k, "rpc", c, c_nat, 687, s, s_pub, 111);
}

static void tcp_open(struct conv *k, const char *c, const char *c_nat, const char *s,
		     const char *s_pub)
{
	conv_init(k, "rpc-tcp", c, c_nat, 661, s, s_pub, 111);
}

/* a recorded exchange with rpcbind on loopback (host): its port 111 opened */
static void test_recorded(struct tap *t, struct conv *k, const char *helper, const char *host,
			  const uint8_t *call, size_t call_len, const uint8_t *reply,
			  size_t reply_len, uint8_t l4proto, const char *name)
{
	conv_init(k, helper, host, host, 661, host, host, 111);
	conv_send_len(k, O, call, call_len);
	conv_send_len(k, R, reply, reply_len);
	tap_check(t, k->n_expect == 1 && k->parse_errors == 0 && k->n_mangled == 0 &&
			     conv_expect_is(&k->last.expect[0], l4proto, host, host, 111),
		  name, "n_expect %u errors %u", k->n_expect, k->parse_errors);
}

static void test_udp(struct tap *t)
{
	struct conv k;
	struct msg m;

	test_recorded(t, &k, "rpc", "127.0.0.1", BYTES(udp_getaddr_call),
		      BYTES(udp_getaddr_reply), IPPROTO_UDP, "udp_rpcinfo_getaddr_opens_the_port");
	/* the same answer again: one answer per call */
	conv_send_len(&k, R, BYTES(udp_getaddr_reply));
	tap_check(t, k.n_expect == 1 && k.parse_errors == 1, "udp_second_answer_opens_nothing",
		  "n_expect %u", k.n_expect);

	udp_open(&k, "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1");
	conv_send_len(&k, R, BYTES(udp_getaddr_reply));
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1, "udp_reply_without_a_call",
		  "n_expect %u", k.n_expect);

	udp_open(&k, "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1");
	conv_send_len(&k, O, BYTES(udp_getaddr_call));
	getaddr_reply(&m, false, 0x6b0cfb5b, "127.0.0.1.8.1");
	conv_send_len(&k, R, m.b, m.len);
	tap_check(t, k.n_expect == 0, "udp_reply_to_another_xid", "n_expect %u", k.n_expect);

	/* a later call replaces the query: the answer to the first opens nothing */
	udp_open(&k, "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1");
	conv_send_len(&k, O, BYTES(udp_getaddr_call));
	conv_send_len(&k, O, BYTES(udp_getport_call));
	conv_send_len(&k, R, BYTES(udp_getaddr_reply));
	tap_check(t, k.n_expect == 0, "udp_answer_to_an_older_call", "n_expect %u", k.n_expect);

	udp_open(&k, "10.0.0.2", "10.0.0.2", "10.0.0.1", "10.0.0.1");
	getaddr_exchange(&k, false, "udp", "10.9.9.9.7.208");
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1, "udp_answer_naming_another_host",
		  "n_expect %u", k.n_expect);

	udp_open(&k, "10.0.0.2", "10.0.0.2", "10.0.0.1", "10.0.0.1");
	getaddr_exchange(&k, false, "udp6", "fd00::1.7.208");
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1, "udp_answer_of_the_other_family",
		  "n_expect %u", k.n_expect);

	udp_open(&k, "10.0.0.2", "10.0.0.2", "10.0.0.1", "10.0.0.1");
	getaddr_exchange(&k, false, "tcp", "0.0.0.0.7.208");
	tap_check(t, k.n_expect == 1 &&
			     conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "10.0.0.2", "10.0.0.1",
					    2000),
		  "udp_unspecified_address_is_the_server", "n_expect %u", k.n_expect);

	/* ports below 1024 are followed (statd, mountd may sit there) */
	udp_open(&k, "10.0.0.2", "10.0.0.2", "10.0.0.1", "10.0.0.1");
	conv_send_len(&k, O, BYTES(udp_getport_call));
	getport_reply(&m, 0x1234abcd, 22);
	conv_send_len(&k, R, m.b, m.len);
	tap_check(t, k.n_expect == 1 &&
			     conv_expect_is(&k.last.expect[0], IPPROTO_UDP, "10.0.0.2", "10.0.0.1",
					    22),
		  "udp_getport_privileged_port_followed", "n_expect %u", k.n_expect);

	/* a GETPORT on IPv6: portmapper v2 names IPv4 ports only */
	udp_open(&k, "fd00::2", "fd00::2", "fd00::1", "fd00::1");
	conv_send_len(&k, O, BYTES(udp_getport_call));
	conv_send_len(&k, R, BYTES(udp_getport_reply));
	tap_check(t, k.n_expect == 0, "udp_getport_over_ipv6_opens_nothing", "n_expect %u",
		  k.n_expect);

	/* SNAT of the client: the port as announced, no edit */
	udp_open(&k, "192.168.1.10", "203.0.113.1", "198.51.100.7", "198.51.100.7");
	conv_send_len(&k, O, BYTES(udp_getport_call));
	conv_send_len(&k, R, BYTES(udp_getport_reply));
	tap_check(t, k.n_expect == 1 && k.n_mangled == 0 &&
			     conv_expect_is(&k.last.expect[0], IPPROTO_UDP, "192.168.1.10",
					    "198.51.100.7", 111) && k.last.expect[0].nat,
		  "udp_snat_getport", "n_expect %u mangled %u", k.n_expect, k.n_mangled);

	/* DNAT of the server: the universal address the client can reach */
	udp_open(&k, "198.51.100.2", "198.51.100.2", "10.0.0.5", "203.0.113.1");
	getaddr_exchange(&k, false, "udp", "10.0.0.5.7.208");
	tap_check(t, k.n_expect == 1 &&
			     conv_expect_is(&k.last.expect[0], IPPROTO_UDP, "198.51.100.2",
					    "203.0.113.1", 2000) && k.last.expect[0].nat &&
			     answer_is(&k, false, "203.0.113.1.7.208"),
		  "udp_dnat_getaddr_address_rewritten", "n_expect %u out %zu", k.n_expect,
		  k.out_len[R]);
}

static void test_tcp(struct tap *t)
{
	struct conv k;
	struct msg m;

	test_recorded(t, &k, "rpc-tcp", "127.0.0.1", BYTES(tcp_getaddr_call),
		      BYTES(tcp_getaddr_reply), IPPROTO_TCP, "tcp_rpcinfo_getaddr_opens_the_port");
	/* the unregistered program, on the same connection */
	conv_send_len(&k, O, BYTES(tcp_unregistered_call));
	conv_send_len(&k, R, BYTES(tcp_unregistered_reply));
	tap_check(t, k.n_expect == 1 && k.parse_errors == 0, "tcp_unregistered_opens_nothing",
		  "n_expect %u", k.n_expect);

	test_recorded(t, &k, "rpc-tcp", "::1", BYTES(tcp6_getaddr_call), BYTES(tcp6_getaddr_reply),
		      IPPROTO_TCP, "tcp6_rpcinfo_getaddr_opens_the_port");

	/* the reply cut after its record mark: dropped, read whole when resent */
	tcp_open(&k, "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1");
	conv_send_len(&k, O, BYTES(tcp_getaddr_call));
	conv_send_seq_len(&k, R, k.seq[R], tcp_getaddr_reply, 10);
	tap_check(t, k.dropped == 1 && k.n_expect == 0, "tcp_cut_reply_dropped", "dropped %u",
		  k.dropped);
	conv_send_len(&k, R, BYTES(tcp_getaddr_reply));
	tap_check(t, k.n_expect == 1, "tcp_cut_reply_read_when_resent", "n_expect %u", k.n_expect);

	/* a forged reply inside a long record is never read */
	tcp_open(&k, "127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1");
	conv_send_len(&k, O, BYTES(tcp_getaddr_call));
	m.len = 0;
	put32(&m, 0x80000000u | 200);
	memcpy(m.b + 4, tcp_getaddr_reply, sizeof(tcp_getaddr_reply) - 1);
	m.len = 4 + sizeof(tcp_getaddr_reply) - 1;
	conv_send_len(&k, R, m.b, m.len);
	conv_send_len(&k, R, BYTES(tcp_getaddr_reply));
	tap_check(t, k.n_expect == 0, "tcp_reply_inside_a_record_not_read", "n_expect %u",
		  k.n_expect);

	/* DNAT: the address and the record mark rewritten */
	tcp_open(&k, "198.51.100.2", "198.51.100.2", "10.0.0.5", "203.0.113.1");
	getaddr_exchange(&k, true, "tcp", "10.0.0.5.7.208");
	tap_check(t, k.n_expect == 1 &&
			     conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "198.51.100.2",
					    "203.0.113.1", 2000) &&
			     answer_is(&k, true, "203.0.113.1.7.208"),
		  "tcp_dnat_getaddr_address_and_mark_rewritten", "n_expect %u out %zu",
		  k.n_expect, k.out_len[R]);

	/* DNAT over IPv6 */
	tcp_open(&k, "2001:db8:2::2", "2001:db8:2::2", "fd00::5", "2001:db8::1");
	getaddr_exchange(&k, true, "tcp6", "fd00::5.7.208");
	tap_check(t, k.n_expect == 1 &&
			     conv_expect_is(&k.last.expect[0], IPPROTO_TCP, "2001:db8:2::2",
					    "2001:db8::1", 2000) &&
			     answer_is(&k, true, "2001:db8::1.7.208"),
		  "tcp6_dnat_getaddr_address_rewritten", "n_expect %u out %zu", k.n_expect,
		  k.out_len[R]);
}

int main(void)
{
	struct tap tap = { 0 };

	test_parse_call(&tap);
	test_parse_reply(&tap);
	test_udp(&tap);
	test_tcp(&tap);
	return tap_done(&tap);
}
