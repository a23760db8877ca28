// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IRC helper unit tests: hostile DCC offers first (forged addresses, the
 * CVE-2022-2663 echo, numbers that wrap, unterminated CTCP, lines cut
 * across segments), then the DCC lines real clients send (irssi, WeeChat,
 * mIRC) through the registered helper, with and without SNAT, IPv4 and
 * IPv6.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/irc.h"
#include "../natport.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

struct line_case {
	const char *name;
	const char *line;
	int rc;			/* 1 an offer with an address, 0 not one, -EINVAL */
	const char *addr;
	uint16_t port;
	const char *arg;	/* the text NAT rewrites */
};

static const struct line_case line_cases[] = {
	/* hostile or malformed */
	{ "missing_final_ctcp_delimiter", "PRIVMSG bob :\1DCC SEND f 167772161 5000 1", -EINVAL },
	{ "address_wraps_32_bits", "PRIVMSG bob :\1DCC SEND f 4462739457 5000 1\1", -EINVAL },
	{ "address_eleven_digits", "PRIVMSG bob :\1DCC SEND f 00167772161 5000 1\1", -EINVAL },
	{ "address_huge", "PRIVMSG bob :\1DCC SEND f 99999999999999999999999 5000 1\1", -EINVAL },
	{ "port_wraps_16_bits", "PRIVMSG bob :\1DCC SEND f 167772161 73616 1\1", -EINVAL },
	{ "port_huge", "PRIVMSG bob :\1DCC CHAT chat 167772161 18446744073709559696\1", -EINVAL },
	{ "port_negative", "PRIVMSG bob :\1DCC CHAT chat 167772161 -5000\1", -EINVAL },
	{ "port_missing", "PRIVMSG bob :\1DCC CHAT chat 167772161\1", -EINVAL },
	{ "port_trailing_garbage", "PRIVMSG bob :\1DCC CHAT chat 167772161 5000x\1", -EINVAL },
	{ "address_dotted_quad", "PRIVMSG bob :\1DCC SEND f 10.0.0.1 5000 1\1", -EINVAL },
	{ "address_bad_ipv6", "PRIVMSG bob :\1DCC SEND f fd00:::1 5000 1\1", -EINVAL },
	{ "address_ipv6_too_long", "PRIVMSG bob :\1DCC SEND f 0000:0000:0000:0000:0000:0000:0000:0000:0000 5000 1\1", -EINVAL },
	{ "address_ipv6_scope", "PRIVMSG bob :\1DCC SEND f fe80::1%eth0 5000 1\1", -EINVAL },
	{ "address_empty", "PRIVMSG bob :\1DCC SEND f  5000 1\1", -EINVAL },
	{ "filename_unterminated_quote", "PRIVMSG bob :\1DCC SEND \"f 167772161 5000 1\1", -EINVAL },
	{ "filename_empty", "PRIVMSG bob :\1DCC SEND  167772161 5000 1\1", -EINVAL },
	{ "nothing_after_type", "PRIVMSG bob :\1DCC SEND \1", -EINVAL },
	{ "dcc_echoed_in_pong", "PONG irc.example.net :\1DCC SEND f 167772161 8080 1\1", 0 },
	{ "dcc_in_notice", "NOTICE bob :\1DCC SEND f 167772161 8080 1\1", 0 },
	{ "dcc_in_topic", "TOPIC #c :\1DCC SEND f 167772161 8080 1\1", 0 },
	{ "dcc_later_in_message", "PRIVMSG bob :hi \1DCC SEND f 167772161 8080 1\1", 0 },
	{ "dcc_after_second_colon", "PRIVMSG bob :x :\1DCC SEND f 167772161 8080 1\1", 0 },
	{ "privmsg_later_in_line", "PING :x PRIVMSG bob :\1DCC SEND f 167772161 8080 1\1", 0 },
	{ "dcc_without_trailing_colon", "PRIVMSG bob \1DCC SEND f 167772161 8080 1\1", 0 },
	{ "privmsg_without_target", "PRIVMSG :\1DCC SEND f 167772161 8080 1\1", 0 },
	{ "unknown_dcc_type", "PRIVMSG bob :\1DCC FOO f 167772161 8080 1\1", 0 },
	{ "dcc_type_without_space", "PRIVMSG bob :\1DCC SENDf 167772161 8080 1\1", 0 },
	{ "ctcp_version", "PRIVMSG bob :\1VERSION\1", 0 },
	{ "plain_message", "PRIVMSG #debian :DCC SEND f 167772161 8080 1", 0 },
	{ "empty_line", "", 0 },
	{ "binary_garbage", "\1\xff\x80PRIVMSG", 0 },
	/* what clients send */
	{ "irssi_send", "PRIVMSG bob :\1DCC SEND file.txt 167772161 5000 20000\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "irssi_send_quoted_name", "PRIVMSG bob :\1DCC SEND \"my file.txt\" 167772161 5000 20000\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "irssi_chat", "PRIVMSG bob :\1DCC CHAT CHAT 167772161 5001\1", 1, "10.0.0.1", 5001, "167772161 5001" },
	{ "irssi_send_ipv6", "PRIVMSG bob :\1DCC SEND file.txt fd00::1 5000 20000\1", 1, "fd00::1", 5000, "fd00::1 5000" },
	{ "irssi_passive_send", "PRIVMSG bob :\1DCC SEND file.txt 167772161 0 20000 7\1", 1, "10.0.0.1", 0, "167772161 0" },
	{ "weechat_send", "PRIVMSG bob :\1DCC SEND weechat.log 3232235786 47821 1234\1", 1, "192.168.1.10", 47821, "3232235786 47821" },
	{ "mirc_chat_lowercase", "PRIVMSG bob :\1DCC CHAT chat 3232235786 1026\1", 1, "192.168.1.10", 1026, "3232235786 1026" },
	{ "lowercase_command", "privmsg bob :\1DCC SEND f 167772161 5000 1\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "with_prefix", ":alice!a@host PRIVMSG bob :\1DCC SEND f 167772161 5000 1\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "channel_target", "PRIVMSG #chan :\1DCC CHAT chat 167772161 5000\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "tsend", "PRIVMSG bob :\1DCC TSEND f 167772161 5000 1\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "schat", "PRIVMSG bob :\1DCC SCHAT chat 167772161 5000\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "move", "PRIVMSG bob :\1DCC MOVE f 167772161 5000 1\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "size_over_4g", "PRIVMSG bob :\1DCC SEND f 167772161 5000 99999999999\1", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "text_after_ctcp", "PRIVMSG bob :\1DCC CHAT chat 167772161 5000\1 and more", 1, "10.0.0.1", 5000, "167772161 5000" },
	{ "resume_has_no_address", "PRIVMSG bob :\1DCC RESUME file.txt 5000 1024\1", 0 },
	{ "accept_has_no_address", "PRIVMSG bob :\1DCC ACCEPT file.txt 5000 1024\1", 0 },
};

static void test_line_table(struct tap *t)
{
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *c = &line_cases[i];
		union cthd_addr want = { 0 };
		struct irc_dcc dcc;
		char name[96];
		int rc = irc_parse_line(c->line, strlen(c->line), &dcc);
		bool ok = rc == c->rc;

		snprintf(name, sizeof(name), "irc_line_%s", c->name);
		if (ok && rc == 1) {
			int fam = strchr(c->addr, ':') ? AF_INET6 : AF_INET;

			inet_pton(fam, c->addr, &want);
			ok = dcc.family == fam && !memcmp(&dcc.addr, &want, sizeof(want)) &&
			     dcc.port == c->port && dcc.arg_len == strlen(c->arg) &&
			     dcc.arg_off + dcc.arg_len <= strlen(c->line) &&
			     !memcmp(c->line + dcc.arg_off, c->arg, dcc.arg_len);
		}
		tap_check(t, ok, name, "rc %d (want %d) port %u arg '%.*s'", rc, c->rc, dcc.port,
			  rc == 1 ? (int)dcc.arg_len : 0, rc == 1 ? c->line + dcc.arg_off : "");
	}
}

/* Found by fuzz_irc_line: inet_pton() stops at a NUL inside the word. */
static void test_nul_in_address(struct tap *t)
{
	static const char line[] = "PRIVMSG bob :\1DCC SEND f fd00::1\0\0\0(0 1\1";
	struct irc_dcc dcc;

	tap_check(t, irc_parse_line(line, sizeof(line) - 1, &dcc) == -EINVAL,
		  "irc_line_address_ipv6_nul_inside", "parsed as an address");
}

/* Formatting then parsing gives back the address and port. */
static void test_format_round_trip(struct tap *t)
{
	static const struct { const char *addr; uint16_t port; } cases[] = {
		{ "0.0.0.1", 1024 }, { "255.255.255.255", 65535 }, { "203.0.113.1", 5000 },
		{ "2001:db8::1", 1025 }, { "::ffff:10.0.0.1", 40000 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fam = strchr(cases[i].addr, ':') ? AF_INET6 : AF_INET;
		union cthd_addr a = { 0 };
		char text[64], line[128], name[64];
		struct irc_dcc dcc;
		int n, rc = -1;

		inet_pton(fam, cases[i].addr, &a);
		n = irc_format_arg(fam, &a, cases[i].port, text, sizeof(text));
		if (n > 0) {
			snprintf(line, sizeof(line), "PRIVMSG x :\1DCC CHAT chat %s\1", text);
			rc = irc_parse_line(line, strlen(line), &dcc);
		}
		snprintf(name, sizeof(name), "irc_format_round_trip_%zu", i);
		tap_check(t, rc == 1 && dcc.family == fam && !memcmp(&dcc.addr, &a, sizeof(a)) &&
			  dcc.port == cases[i].port && dcc.arg_len == (size_t)n,
			  name, "'%s' rc %d", n > 0 ? text : "?", rc);
	}
	{
		char small[8];
		union cthd_addr a = { .bytes = { 10, 0, 0, 1 } };

		tap_check(t, irc_format_arg(AF_INET, &a, 5000, small, sizeof(small)) == -ENOSPC,
			  "irc_format_reports_short_buffer", "expected -ENOSPC");
	}
}

/* --- through the registered helper ------------------------------------ */

/* Client c:40000 to the IRC server s:6667, registered and talking. */
static void irc_open(struct conv *k, const char *c, const char *c_nat, const char *s)
{
	conv_init(k, "irc", c, c_nat, 40000, s, s, 6667);
	conv_send(k, O, "NICK alice\r\nUSER alice 0 * :Alice\r\n");
	conv_send(k, R, ":irc.example.net 001 alice :Welcome\r\n");
	conv_send(k, O, "JOIN #c\r\n");
	conv_reset_counts(k);
}

static void test_registry(struct tap *t)
{
	const struct cthd_helper *h = cthd_helper_find("irc");
	const char *why = "not registered";

	tap_check(t, h && cthd_helper_validate(h, &why) == 0 && h->l4proto == IPPROTO_TCP &&
		  h->default_port == 6667 && h->n_policies == 1 &&
		  h->policies[0].max_expected == 8 && h->policies[0].timeout == 300 &&
		  h->priv_len >= sizeof(struct cthd_stream),
		  "irc_registered_with_the_kernel_defaults", "%s", why);
}

/* The address of a DCC offer must be the sender's own (CVE-2022-2663). */
static void test_forged_address(struct tap *t)
{
	struct conv k;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	/* 10.0.0.99: a third host behind the firewall */
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 167772259 8080 1\1\r\n");
	/* the server's address */
	rc |= conv_send(&k, O, "PRIVMSG bob :\1DCC CHAT chat 167772162 8080\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 2 &&
		  conv_out_is(&k, O, "PRIVMSG bob :\1DCC SEND f 167772259 8080 1\1\r\n"
				     "PRIVMSG bob :\1DCC CHAT chat 167772162 8080\1\r\n"),
		  "irc_forged_dcc_address_refused", "rc %d n_expect %u errors %u", rc,
		  k.n_expect, k.parse_errors);

	irc_open(&k, "fd00::1", "fd00::1", "fd00::2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f fd00::99 8080 1\1\r\n");
	rc |= conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 167772161 8080 1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 2,
		  "irc_forged_or_wrong_family_ipv6_refused", "rc %d n_expect %u errors %u", rc,
		  k.n_expect, k.parse_errors);

	/* an IPv6 literal on an IPv4 connection is not the sender's */
	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f ::ffff:10.0.0.1 8080 1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 1,
		  "irc_ipv6_literal_on_ipv4_refused", "n_expect %u", k.n_expect);
}

static void test_privileged_port(struct tap *t)
{
	struct conv k;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC CHAT chat 167772161 22\1\r\n");
	rc |= conv_send(&k, O, "PRIVMSG bob :\1DCC CHAT chat 167772161 1023\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 2,
		  "irc_privileged_port_refused", "n_expect %u", k.n_expect);
}

/* Numbers the kernel's simple_strtoul() would wrap onto the client's own. */
static void test_wrapping_numbers(struct tap *t)
{
	struct conv k;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 4462739457 8080 1\1\r\n");
	rc |= conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 167772161 65558 1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 2,
		  "irc_wrapping_address_and_port_refused", "n_expect %u", k.n_expect);
}

static void test_missing_ctcp_end(struct tap *t)
{
	struct conv k;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 167772161 8080 1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 1,
		  "irc_unterminated_ctcp_refused", "n_expect %u", k.n_expect);
}

/*
 * CVE-2022-2663: the server makes the client echo a DCC offer (PING ->
 * PONG, a CTCP reply), with the client's own address. Not a PRIVMSG whose
 * message starts with the CTCP: nothing.
 */
static void test_echoed_offer(struct tap *t)
{
	struct conv k;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, R, "PING :\1DCC SEND f 167772161 8080 1\1\r\n");
	rc |= conv_send(&k, O, "PONG :\1DCC SEND f 167772161 8080 1\1\r\n");
	rc |= conv_send(&k, O, "NOTICE evil :\1PING \1DCC SEND f 167772161 8080 1\1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0,
		  "irc_echoed_offer_in_pong_and_ctcp_reply_ignored", "n_expect %u", k.n_expect);
}

/*
 * The same echo, and the server's small MSS cuts the client's CTCP reply
 * right before a PRIVMSG it carries: the segment must not read as a line.
 */
static void test_offer_at_segment_start(struct tap *t)
{
	static const char head[] = "NOTICE evil :\1PING aaaaaaaaaaaaaaaaaaaa";
	static const char tail[] = "PRIVMSG bob :\1DCC SEND f 167772161 8080 1\1\1\r\n";
	struct conv k;
	uint32_t s;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, head);
	s = k.seq[O];
	rc |= conv_send(&k, O, tail);
	rc |= conv_send_seq(&k, O, s, tail);		/* and its retransmission */
	tap_check(t, rc == 0 && k.n_expect == 0 && k.dropped == 0,
		  "irc_offer_at_the_start_of_a_cut_segment_ignored", "n_expect %u", k.n_expect);
	rc |= conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 167772161 8080 1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 1, "irc_genuine_offer_after_it",
		  "n_expect %u", k.n_expect);
}

/* Server lines are never read (the kernel's helper reads only the client's). */
static void test_server_direction(struct tap *t)
{
	struct conv k;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, R, ":bob!b@h PRIVMSG alice :\1DCC SEND f 167772162 8080 1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 0,
		  "irc_server_lines_not_read", "n_expect %u", k.n_expect);
}

static void test_not_established(struct tap *t)
{
	struct conv k;
	int rc;

	conv_init(&k, "irc", "10.0.0.1", "10.0.0.1", 40000, "10.0.0.2", "10.0.0.2", 6667);
	k.not_established = true;
	rc = conv_send(&k, O, "\r\nPRIVMSG bob :\1DCC SEND f 167772161 8080 1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0, "irc_not_established_not_read",
		  "n_expect %u", k.n_expect);
}

/* A line cut across segments: held back until resent whole, no NAT. */
static void test_cut_line(struct tap *t)
{
	static const char line[] = "PRIVMSG bob :\1DCC SEND f 167772161 8080 1\1\r\n";
	char first[24];
	struct conv k;
	uint32_t s;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	memcpy(first, line, sizeof(first) - 1);
	first[sizeof(first) - 1] = '\0';
	s = k.seq[O];
	rc = conv_send(&k, O, first);
	tap_check(t, rc == 0 && k.dropped == 1 && k.n_expect == 0,
		  "irc_cut_offer_dropped_for_resend", "dropped %u", k.dropped);
	rc |= conv_send_seq(&k, O, s, line);
	k.seq[O] = s + (uint32_t)strlen(line);
	tap_check(t, rc == 0 && k.n_expect == 1 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, NULL, "10.0.0.1", 8080),
		  "irc_cut_offer_read_when_resent_whole", "n_expect %u", k.n_expect);

	/* the rest of a cut line is never read on its own */
	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, "PRIVMSG #c :some long text ");
	rc |= conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 167772161 8080 1\1\r\n");
	tap_check(t, rc == 0 && k.n_expect == 0 && k.dropped == 0,
		  "irc_rest_of_cut_chat_line_not_read", "n_expect %u", k.n_expect);

	/* under NAT the rewrite changes the length: no hold, counted lost */
	irc_open(&k, "192.168.1.10", "203.0.113.1", "198.51.100.2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 3232");
	tap_check(t, rc == 0 && k.dropped == 0 && k.lost == 1 && k.n_expect == 0,
		  "irc_cut_offer_under_nat_lost_not_held", "dropped %u lost %u", k.dropped, k.lost);
}

static void test_offer_plain(struct tap *t)
{
	struct conv k;
	int rc;

	irc_open(&k, "10.0.0.1", "10.0.0.1", "10.0.0.2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND file.txt 167772161 5000 20000\1\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.n_mangle == 0 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, NULL, "10.0.0.1", 5000) &&
		  !k.last.expect[0].nat,
		  "irc_send_ipv4_expectation_from_anyone", "rc %d n_expect %u", rc, k.last.n_expect);

	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC CHAT CHAT 167772161 5001\1\r\n"
			      "PRIVMSG carol :\1DCC SEND \"a b\" 167772161 5002 3\1\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 2 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, NULL, "10.0.0.1", 5001) &&
		  conv_expect_is(&k.last.expect[1], IPPROTO_TCP, NULL, "10.0.0.1", 5002),
		  "irc_two_offers_in_one_segment", "n_expect %u", k.last.n_expect);

	/* passive DCC: the peer listens; nothing to expect */
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 167772161 0 20000 7\1\r\n");
	rc |= conv_send(&k, O, "PRIVMSG bob :\1DCC RESUME f 5000 1024\1\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 && k.last.parse_errors == 0,
		  "irc_passive_offer_and_resume_expect_nothing", "n_expect %u", k.last.n_expect);

	irc_open(&k, "fd00::1", "fd00::1", "fd00::2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND file.txt fd00::1 5000 20000\1\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.n_mangle == 0 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, NULL, "fd00::1", 5000),
		  "irc_send_ipv6_literal_expectation", "n_expect %u", k.last.n_expect);
}

/* SNAT of the client: the address is rewritten, the expectation follows. */
static void test_offer_snat(struct tap *t)
{
	const struct cthd_expect *e;
	union cthd_addr inside;
	struct conv k;
	int rc;

	irc_open(&k, "192.168.1.10", "203.0.113.1", "198.51.100.2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND file.txt 3232235786 5000 20000\1\r\n");
	e = &k.last.expect[0];
	conv_set_addr(&inside, "192.168.1.10");
	tap_check(t, rc == 0 && k.last.n_expect == 1 &&
		  conv_expect_is(e, IPPROTO_TCP, NULL, "203.0.113.1", 5000) && e->nat &&
		  e->nat_dir == R && !memcmp(&e->nat_addr, &inside, sizeof(inside)) &&
		  e->nat_port == 5000 && !strcmp(e->expectfn, "nat-follow-master") &&
		  conv_out_is(&k, O, "PRIVMSG bob :\1DCC SEND file.txt 3405803777 5000 20000\1\r\n"),
		  "irc_send_snat_rewrites_and_binds_nat", "rc %d out '%.*s'", rc,
		  (int)k.out_len[O], k.out[O]);

	/* a client that already knows its public address: accepted, unchanged */
	conv_reset_counts(&k);
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC CHAT chat 3405803777 5001\1\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.n_mangle == 0 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, NULL, "203.0.113.1", 5001),
		  "irc_public_address_accepted_unchanged", "n_expect %u", k.last.n_expect);

	/* passive offer: the address is still the sender's, rewritten */
	conv_reset_counts(&k);
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f 3232235786 0 9 1\1\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 0 &&
		  conv_out_is(&k, O, "PRIVMSG bob :\1DCC SEND f 3405803777 0 9 1\1\r\n"),
		  "irc_passive_offer_snat_rewrites_address", "out '%.*s'", (int)k.out_len[O],
		  k.out[O]);

	irc_open(&k, "fd00:1::10", "2001:db8::1", "2001:db8:2::2");
	rc = conv_send(&k, O, "PRIVMSG bob :\1DCC SEND f fd00:1::10 5000 1\1\r\n");
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.expect[0].nat &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_TCP, NULL, "2001:db8::1", 5000) &&
		  conv_out_is(&k, O, "PRIVMSG bob :\1DCC SEND f 2001:db8::1 5000 1\1\r\n"),
		  "irc_send_ipv6_snat_rewrites", "out '%.*s'", (int)k.out_len[O], k.out[O]);
}

/*
 * Under NAT an offer whose rewrite does not fit the packet's edits (32:
 * here taken by passive offers before it) opens nothing: it must reserve
 * no port either, for the packet goes out and a reservation with it,
 * which, the master holding its 8 already, evicts one the kernel keeps.
 */
static void test_snat_offer_past_the_edits(struct tap *t)
{
	static struct cthd_natports book;
	char seg[(CTHD_MANGLE_MAX + 1) * 64];
	unsigned int held = 0;
	size_t n = 0;
	struct conv k;
	int rc;

	conv_natports_reset(&book, "irc", 1000);
	irc_open(&k, "192.168.1.10", "203.0.113.1", "198.51.100.2");
	k.natports = &book;
	for (unsigned int i = 1; i <= 8; i++)
		n += (size_t)snprintf(seg + n, sizeof(seg) - n,
				      "PRIVMSG bob :\1DCC SEND f 3232235786 %u 1\1\r\n", 5000 + i);
	rc = conv_send(&k, O, seg);
	n = 0;
	for (unsigned int i = 0; i < CTHD_MANGLE_MAX; i++)
		n += (size_t)snprintf(seg + n, sizeof(seg) - n,
				      "PRIVMSG bob :\1DCC SEND f 3232235786 0 9 %u\1\r\n", i);
	snprintf(seg + n, sizeof(seg) - n, "PRIVMSG bob :\1DCC SEND f 3232235786 5009 1\1\r\n");
	conv_reset_counts(&k);
	rc |= conv_send(&k, O, seg);
	for (unsigned int port = 5001; port <= 5009; port++)
		held += conv_natport_held(&book, (uint16_t)port);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.lost == 1 &&
		  k.last.n_mangle == CTHD_MANGLE_MAX && held == 8 &&
		  !conv_natport_held(&book, 5009),
		  "irc_snat_offer_past_the_edits_reserves_no_port",
		  "rc %d n_expect %u lost %u edits %u held %u (5009: %d)", rc, k.n_expect, k.lost,
		  k.last.n_mangle, held, conv_natport_held(&book, 5009));
}

int main(void)
{
	struct tap t = { 0 };

	test_line_table(&t);
	test_nul_in_address(&t);
	test_format_round_trip(&t);
	test_registry(&t);
	test_forged_address(&t);
	test_privileged_port(&t);
	test_wrapping_numbers(&t);
	test_missing_ctcp_end(&t);
	test_echoed_offer(&t);
	test_offer_at_segment_start(&t);
	test_server_direction(&t);
	test_not_established(&t);
	test_cut_line(&t);
	test_offer_plain(&t);
	test_offer_snat(&t);
	test_snat_offer_past_the_edits(&t);
	return tap_done(&t);
}
