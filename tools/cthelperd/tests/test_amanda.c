// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Amanda helper unit tests: hostile and malformed packets first (CONNECT
 * from the server's side or hidden in an OPTIONS value, names repeated,
 * ports that wrap or are 0, two CONNECT lines, no header), then the
 * exchange of Amanda's bsd authentication over UDP, through the registered
 * helper, IPv4 and IPv6, without NAT, with SNAT and DNAT, and two amandad
 * hosts behind one DNAT announcing the same ports.
 *
 * No free capture of an Amanda bsd-auth exchange is at hand and the Debian
 * packages need a whole backup configuration to produce one: the packets
 * are built from the formats Amanda's sources print (the header
 * "Amanda %d.%d %s HANDLE %s SEQ %d" of security-util.c, sendbackup's
 * "CONNECT DATA %d MESG %d INDEX %d" and its STATE/CMD variant, the
 * "OPTIONS features=...;hostname=...;" line, ERROR replies).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/amanda.h"
#include "../natport.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

#define HDR_REP "Amanda 3.5 REP HANDLE 000-2D4A0708 SEQ 1701234567\n"
#define HDR_REQ "Amanda 3.5 REQ HANDLE 000-2D4A0708 SEQ 1701234567\n"
#define HDR_ACK "Amanda 3.5 ACK HANDLE 000-2D4A0708 SEQ 1701234567\n"
#define OPTS "OPTIONS features=9ffe00feffff;hostname=client.example;\n"

struct pkt_case {
	const char *name;
	const char *pkt;
	int rc;				/* 1 CONNECT, 0 another packet, -EINVAL */
	uint16_t data, mesg, index, state, cmd;
};

static const struct pkt_case pkt_cases[] = {
	/* hostile or malformed */
	{ "no_header", "CONNECT DATA 50000 MESG 50001 INDEX 50002\n", -EINVAL },
	{ "header_not_amanda", "Amandx 3.5 REP HANDLE 0 SEQ 1\nCONNECT DATA 50000\n", -EINVAL },
	{ "header_without_newline", "Amanda 3.5 REP HANDLE 000-2D4A0708 SEQ 1", -EINVAL },
	{ "header_without_type", "Amanda 3.5\nCONNECT DATA 50000\n", -EINVAL },
	{ "port_zero", HDR_REP "CONNECT DATA 0 MESG 50001 INDEX 50002\n" OPTS, -EINVAL },
	{ "port_wraps_16_bits", HDR_REP "CONNECT DATA 115536 MESG 50001 INDEX 50002\n", -EINVAL },
	{ "port_65536", HDR_REP "CONNECT DATA 65536 MESG 50001 INDEX 50002\n", -EINVAL },
	{ "port_leading_zeroes", HDR_REP "CONNECT DATA 0000050000 MESG 50001\n", -EINVAL },
	{ "port_trailing_garbage", HDR_REP "CONNECT DATA 50000x MESG 50001\n", -EINVAL },
	{ "port_plus_sign", HDR_REP "CONNECT DATA +50000 MESG 50001\n", -EINVAL },
	{ "port_negative_other_than_one", HDR_REP "CONNECT DATA 50000 MESG -2\n", -EINVAL },
	{ "port_missing", HDR_REP "CONNECT DATA 50000 MESG\n", -EINVAL },
	{ "name_repeated", HDR_REP "CONNECT DATA 50000 DATA 22\n", -EINVAL },
	{ "name_unknown", HDR_REP "CONNECT DATA 50000 SSH 22\n", -EINVAL },
	{ "state_repeated", HDR_REP "CONNECT DATA 50000 STATE 50003 STATE 22\n", -EINVAL },
	{ "name_lowercase", HDR_REP "CONNECT data 50000\n", -EINVAL },
	{ "double_blank", HDR_REP "CONNECT DATA  50000\n", -EINVAL },
	{ "connect_without_streams", HDR_REP "CONNECT\n", -EINVAL },
	{ "two_connect_lines", HDR_REP "CONNECT DATA 50000\nCONNECT DATA 22\n", -EINVAL },
	{ "streams_after_a_nul", HDR_REP "CONNECT DATA 50000\0 MESG 22\n", -EINVAL },
	/* not a CONNECT: nothing to do */
	{ "connect_in_an_options_value", HDR_REP "OPTIONS features=ff;hostname=CONNECT DATA 22;\n", 0 },
	{ "connect_later_in_a_line", HDR_REP "ERROR [CONNECT DATA 22]\n", 0 },
	{ "connected_word", HDR_REP "CONNECTED DATA 22\n", 0 },
	{ "connect_in_a_request", HDR_REQ "SERVICE sendbackup\nCONNECT DATA 22\n", 0 },
	{ "connect_in_an_ack", HDR_ACK "CONNECT DATA 22\n", 0 },
	{ "ack", HDR_ACK "\n", 0 },
	{ "request", HDR_REQ "SERVICE sendbackup\n" "OPTIONS features=9ffe00feffff;maxdumps=1;hostname=client.example;auth=bsd;\n"
		     "GNUTAR /home 0 1970:1:1:0:0:0 -1 OPTIONS |;auth=bsd;index;\n", 0 },
	{ "error_reply", HDR_REP "ERROR [client configured for auth=bsdtcp while server requested 'bsd']\n", 0 },
	{ "reply_without_connect", HDR_REP OPTS, 0 },
	/* what amandad sends */
	{ "sendbackup_reply", HDR_REP "CONNECT DATA 50000 MESG 50001 INDEX 50002\n" OPTS, 1, 50000, 50001, 50002 },
	{ "sendbackup_reply_no_index", HDR_REP "CONNECT DATA 50000 MESG 50001 INDEX -1\n" OPTS, 1, 50000, 50001, 0 },
	{ "sendbackup_reply_state_cmd", HDR_REP "CONNECT DATA 50000 MESG 50001 INDEX 50002 STATE 50003 CMD 50004\n" OPTS, 1, 50000, 50001, 50002, 50003, 50004 },
	{ "amanda_2_4_reply", "Amanda 2.4 REP HANDLE 000-00000000 SEQ 1000000000\nCONNECT DATA 32811 MESG 32812 INDEX 32813\n" OPTS, 1, 32811, 32812, 32813 },
	{ "reply_without_final_newline", HDR_REP "CONNECT DATA 50000 MESG 50001 INDEX 50002", 1, 50000, 50001, 50002 },
	{ "reply_other_order", HDR_REP "CONNECT MESG 50001 DATA 50000\n", 1, 50000, 50001, 0 },
	{ "reply_low_ports", HDR_REP "CONNECT DATA 700 MESG 701 INDEX 702\n", 1, 700, 701, 702 },
};

static void test_packet_table(struct tap *t)
{
	for (size_t i = 0; i < sizeof(pkt_cases) / sizeof(pkt_cases[0]); i++) {
		const struct pkt_case *c = &pkt_cases[i];
		/* the one case with a NUL inside: its length is the literal's */
		size_t len = strcmp(c->name, "streams_after_a_nul") ? strlen(c->pkt) :
			     sizeof(HDR_REP "CONNECT DATA 50000\0 MESG 22\n") - 1;
		struct amanda_connect a;
		char name[96];
		int rc = amanda_parse(c->pkt, len, &a);

		snprintf(name, sizeof(name), "amanda_packet_%s", c->name);
		tap_check(t, rc == c->rc && (rc != 1 || (a.ports[AMANDA_DATA].port == c->data &&
							 a.ports[AMANDA_MESG].port == c->mesg &&
							 a.ports[AMANDA_INDEX].port == c->index &&
							 a.ports[AMANDA_STATE].port == c->state &&
							 a.ports[AMANDA_CMD].port == c->cmd)),
			  name, "rc %d (want %d) ports %u %u %u %u %u", rc, c->rc,
			  a.ports[AMANDA_DATA].port, a.ports[AMANDA_MESG].port,
			  a.ports[AMANDA_INDEX].port, a.ports[AMANDA_STATE].port,
			  a.ports[AMANDA_CMD].port);
	}
}

/* a refused line leaves no port of its valid beginning behind (found by fuzz_amanda) */
static void test_refused_line_leaves_nothing(struct tap *t)
{
	static const char pkt[] = HDR_REP "CONNECT DATA 50000 MESG 50001 SSH 22\n";
	struct amanda_connect a;
	int rc = amanda_parse(pkt, sizeof(pkt) - 1, &a);

	tap_check(t, rc == -EINVAL && !a.ports[AMANDA_DATA].port && !a.ports[AMANDA_MESG].port,
		  "amanda_refused_line_leaves_no_ports", "rc %d, ports %u %u", rc,
		  a.ports[AMANDA_DATA].port, a.ports[AMANDA_MESG].port);
}

static void test_registry(struct tap *t)
{
	const struct cthd_helper *h = cthd_helper_find("amanda");
	const char *why = "not registered";

	tap_check(t, h && cthd_helper_validate(h, &why) == 0 && h->l4proto == IPPROTO_UDP &&
		  h->default_port == 10080 && h->n_policies == 1 &&
		  h->policies[0].max_expected == 5 && h->policies[0].timeout == 180,
		  "amanda_registered_with_the_kernel_policy", "%s", why);
}

#define REP_3 HDR_REP "CONNECT DATA 50000 MESG 50001 INDEX 50002\n" OPTS

/* The backup server c:850 (bsd auth: a reserved port) to amandad on s:10080. */
static void amanda_open(struct conv *k, const char *c, const char *c_nat, const char *s,
			const char *s_pub)
{
	conv_init(k, "amanda", c, c_nat, 850, s, s_pub, 10080);
	if (strcmp(c, c_nat))
		k->ct.tuple[R].dport = 1025;	/* SNAT may change the port too */
}

/* the bsd exchange: REQ, ACK, REP (which the test sends), then the server's ACK */
static void exchange_until_rep(struct conv *k)
{
	conv_send(k, O, HDR_REQ "SERVICE sendbackup\n" "OPTIONS features=9ffe00feffff;maxdumps=1;"
		  "hostname=client.example;auth=bsd;\n"
		  "GNUTAR /home 0 1970:1:1:0:0:0 -1 OPTIONS |;auth=bsd;index;\n");
	conv_send(k, R, HDR_ACK "\n");
}

static void test_exchange(struct tap *t, const char *name, const char *c, const char *c_nat,
			  const char *s, const char *s_pub)
{
	static const uint16_t want[] = { 50000, 50001, 50002 };
	bool natted = strcmp(c, c_nat) || strcmp(s, s_pub);
	union cthd_addr real;
	struct conv k;
	bool each = true;
	int rc;

	amanda_open(&k, c, c_nat, s, s_pub);
	exchange_until_rep(&k);
	rc = conv_send(&k, R, REP_3);
	conv_set_addr(&real, s);
	for (unsigned int i = 0; i < 3 && i < k.last.n_expect; i++) {
		const struct cthd_expect *e = &k.last.expect[i];

		each = each && conv_expect_is(e, IPPROTO_TCP, c, s_pub, want[i]) &&
		       e->nat == natted &&
		       (!natted || (e->nat_dir == O && e->nat_port == want[i] &&
				    !memcmp(&e->nat_addr, &real, sizeof(real))));
	}
	conv_send(&k, O, HDR_ACK "\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.n_expect == 3 && each &&
		  k.n_mangled == 0 && k.parse_errors == 0 && conv_out_is(&k, R, HDR_ACK "\n" REP_3),
		  name, "rc %d, %u expectations, each as wanted %d, %u edited, %u errors", rc,
		  k.n_expect, each, k.n_mangled, k.parse_errors);
}

static void test_hostile(struct tap *t)
{
	struct conv k;

	/* the backup server's side never announces ports */
	amanda_open(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	conv_send(&k, O, REP_3);
	tap_check(t, k.n_expect == 0, "amanda_connect_from_the_server_side_ignored",
		  "%u expectations", k.n_expect);

	/* malformed: counted, nothing opened, nothing edited */
	amanda_open(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	conv_send(&k, R, HDR_REP "CONNECT DATA 50000 DATA 22\n");
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1,
		  "amanda_repeated_name_opens_nothing", "%u expectations, %u errors", k.n_expect,
		  k.parse_errors);

	/* a retransmitted REP: the same expectations again (the kernel replaces them) */
	amanda_open(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	exchange_until_rep(&k);
	conv_send(&k, R, REP_3);
	conv_send(&k, R, REP_3);
	tap_check(t, k.n_expect == 6 && k.last.n_expect == 3 &&
		  k.last.expect[0].tuple.dport == 50000, "amanda_retransmitted_reply_same_ports",
		  "%u expectations", k.n_expect);

	/* Amanda 3.4+: five streams, all opened */
	amanda_open(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	conv_send(&k, R, HDR_REP "CONNECT DATA 50000 MESG 50001 INDEX 50002 STATE 50003 CMD 50004\n" OPTS);
	tap_check(t, k.n_expect == 5 && k.last.expect[3].tuple.dport == 50003 &&
		  k.last.expect[4].tuple.dport == 50004, "amanda_state_and_cmd_streams_opened",
		  "%u expectations", k.n_expect);

	/* INDEX -1: two streams only */
	amanda_open(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	conv_send(&k, R, HDR_REP "CONNECT DATA 50000 MESG 50001 INDEX -1\n" OPTS);
	tap_check(t, k.n_expect == 2, "amanda_no_index_two_expectations", "%u expectations",
		  k.n_expect);
}

/*
 * Two amandad hosts behind one DNAT (ports 10080 and 10081 of the public
 * address) announce the same ports: the second one's are moved to free
 * ones and rewritten, its expectations bound to its own address and the
 * ports it announced; a retransmission gets the same answer.
 */
static void test_dnat_clash(struct tap *t, const char *c, const char *s1, const char *s2,
			    const char *pub)
{
	static struct cthd_natports book;
	struct conv k1, k2;
	char name[64];
	int rc;

	memset(&book, 0, sizeof(book));
	book.now = 1000;
	book.helper = cthd_helper_find("amanda");
	amanda_open(&k1, c, c, s1, pub);
	amanda_open(&k2, c, c, s2, pub);
	k1.natports = k2.natports = &book;
	k2.ct.id = 2;
	k2.ct.tuple[O].dport = 10081;
	conv_send(&k1, R, REP_3);
	rc = conv_send(&k2, R, REP_3);
	snprintf(name, sizeof(name), "amanda_dnat_two_hosts_same_ports_%s",
		 strchr(c, ':') ? "ipv6" : "ipv4");
	tap_check(t, rc == 0 && k1.n_expect == 3 && k2.n_expect == 3 && k1.n_mangled == 0 &&
		  conv_out_is(&k2, R, HDR_REP "CONNECT DATA 50003 MESG 50004 INDEX 50005\n" OPTS) &&
		  k2.last.expect[0].tuple.dport == 50003 && k2.last.expect[0].nat_port == 50000 &&
		  k2.last.expect[2].tuple.dport == 50005 && k2.last.expect[2].nat_port == 50002,
		  name, "rc %d, %u/%u expectations, second got '%.*s'", rc, k1.n_expect,
		  k2.n_expect, (int)k2.out_len[R], k2.out[R]);
	k2.out_len[R] = 0;
	conv_send(&k2, R, REP_3);
	tap_check(t, conv_out_is(&k2, R, HDR_REP "CONNECT DATA 50003 MESG 50004 INDEX 50005\n" OPTS),
		  "amanda_dnat_retransmission_gets_the_same_ports", "got '%.*s'",
		  (int)k2.out_len[R], k2.out[R]);
}

int main(void)
{
	struct tap t = { 0 };

	test_registry(&t);
	test_packet_table(&t);
	test_refused_line_leaves_nothing(&t);
	test_hostile(&t);
	test_exchange(&t, "amanda_bsd_exchange_ipv4", "10.0.1.1", "10.0.1.1", "10.0.2.2",
		      "10.0.2.2");
	test_exchange(&t, "amanda_bsd_exchange_ipv6", "dead:1::1", "dead:1::1", "dead:2::2",
		      "dead:2::2");
	test_exchange(&t, "amanda_bsd_exchange_ipv4_snat", "10.0.1.1", "203.0.113.1", "10.0.2.2",
		      "10.0.2.2");
	test_exchange(&t, "amanda_bsd_exchange_ipv4_dnat", "10.0.1.1", "10.0.1.1", "10.0.2.2",
		      "198.51.100.2");
	test_exchange(&t, "amanda_bsd_exchange_ipv6_snat", "dead:1::1", "2001:db8::1",
		      "dead:2::2", "dead:2::2");
	test_exchange(&t, "amanda_bsd_exchange_ipv6_dnat", "dead:1::1", "dead:1::1", "dead:2::2",
		      "2001:db8:2::2");
	test_dnat_clash(&t, "10.0.1.1", "10.0.2.2", "10.0.2.3", "198.51.100.2");
	test_dnat_clash(&t, "dead:1::1", "dead:2::2", "dead:2::3", "2001:db8:2::2");
	return tap_done(&t);
}
