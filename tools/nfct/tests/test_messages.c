// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Requests and replies byte by byte:
 * - every command line conntrack-tools 1.4.7 understands makes our nfct
 *   send exactly what Debian's nfct sends (captured in
 *   conntrack-tools-1.4.7.msgs);
 * - our extensions (queue, status, flags, several policies, update,
 *   enable) against hand-assembled expected bytes;
 * - parsing of kernel-style replies, malformed ones, and build/parse
 *   round trips of helpers and timeout policies.
 *
 * usage: test_messages [FIXTURE]   (default tests/conntrack-tools-1.4.7.msgs)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include <libmnl/libmnl.h>

#include "nfct.h"
#include "tests/tap.h"

static void to_hex(const void *data, size_t len, char *out)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * len] = '\0';
}

static size_t from_hex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int byte;

	while (hex[0] && hex[1] && n < max && sscanf(hex, "%2x", &byte) == 1) {
		out[n++] = (unsigned char)byte;
		hex += 2;
	}
	return n;
}

/* Split @line at spaces into argv (modifies it). */
static int split_args(char *line, char **argv, int max)
{
	int argc = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(line, " ", &save); tok && argc < max;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	return argc;
}

/* Parse @args as a command line, build its request, compare with @hex. */
static void check_request(struct tap *t, const char *label, const char *args,
			  const char *want_hex)
{
	char line[512], *argv[64], err[1024];
	char got_hex[2 * CTH_MSG_BUFSZ + 1];
	char buf[CTH_MSG_BUFSZ];
	struct nfct_cmd cmd;
	struct nlmsghdr *nlh;
	int argc, ret;

	snprintf(line, sizeof(line), "%s", args);
	argc = split_args(line, argv, 64);
	ret = nfct_parse_args(argc, argv, &cmd, err, sizeof(err));
	if (ret != NFCT_EXIT_OK) {
		tap_check(t, false, "%s: %s", label, args);
		tap_diag("parse failed: %s", err);
		return;
	}
	nlh = nfct_build_request(&cmd, buf, sizeof(buf));
	if (!nlh) {
		tap_check(t, false, "%s: %s", label, args);
		tap_diag("build failed: %s", strerror(errno));
		return;
	}
	to_hex(nlh, nlh->nlmsg_len, got_hex);
	if (!tap_check(t, strcmp(got_hex, want_hex) == 0, "%s: %s", label, args)) {
		tap_diag("want %s", want_hex);
		tap_diag("got  %s", got_hex);
	}
}

static void test_conntrack_tools_fixture(struct tap *t, const char *path)
{
	char line[2048];
	FILE *f = fopen(path, "r");
	int cases = 0;

	if (!tap_check(t, f != NULL, "fixture %s readable", path)) {
		tap_diag("%s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		tab[1 + strcspn(tab + 1, "\n")] = '\0';
		check_request(t, "same bytes as conntrack-tools", line, tab + 1);
		cases++;
	}
	fclose(f);
	tap_check(t, cases >= 30, "fixture has the expected %d+ cases (%d)", 30, cases);
}

/* Header: len, type, flags, seq 0, pid 0, nfgenmsg AF_UNSPEC v0 res 0. */
#define HDR(len, type, flags) len "000000" type flags "00000000" "00000000" "00000000"
#define NAME_FTP	"08000100" "66747000"
#define TUPLE(l3, l4)	"14000280" "06000100" "00" l3 "0000" "05000200" l4 "000000"
#define POLICY_FTP	"28000480" "1c000280" NAME_FTP "08000200" "00000001" \
			"08000300" "0000012c" "08000100" "00000001"

static void test_extensions(struct tap *t)
{
	static const struct {
		const char *args;
		const char *hex;
	} cases[] = {
		{ "helper add ftp inet tcp 5 status enabled fail-closed",
		  HDR("78", "0009", "0504") NAME_FTP
		  "08000300" "00000005"			/* QUEUE_NUM 5 */
		  "08000500" "00000018"			/* PRIV_DATA_LEN 24 */
		  TUPLE("02", "06") POLICY_FTP
		  "08000600" "00000001"			/* STATUS enabled */
		  "08000700" "00000001" },		/* FLAGS fail-closed */
		{ "helper add sip inet6 udp policy signalling max 2 timeout 60 "
		  "policy media max 8 timeout 180 priv-data-len 8 exclusive",
		  HDR("88", "0009", "0506")		/* + NLM_F_EXCL */
		  "08000100" "73697000"			/* NAME sip */
		  "08000500" "00000008"			/* PRIV_DATA_LEN 8 */
		  TUPLE("0a", "11")
		  "50000480"				/* POLICY */
		  "24000280" "0f000100" "7369676e616c6c696e670000"
		  "08000200" "00000002" "08000300" "0000003c"
		  "20000380" "0a000100" "6d6564696100" "0000"
		  "08000200" "00000008" "08000300" "000000b4"
		  "08000100" "00000002" },		/* SET_NUM 2 */
		{ "helper update ftp inet tcp queue 7 fail-open",
		  HDR("40", "0009", "0500")		/* no NLM_F_CREATE */
		  NAME_FTP "08000300" "00000007" TUPLE("02", "06")
		  "08000700" "00000000" },		/* FLAGS 0 clears */
		{ "helper enable ftp inet6 tcp",
		  HDR("38", "0009", "0500") NAME_FTP TUPLE("0a", "06")
		  "08000600" "00000001" },
		{ "disable helper tftp inet udp",
		  HDR("3c", "0009", "0500") "09000100" "74667470" "00000000"
		  TUPLE("02", "11") "08000600" "00000000" },
		/* The kernel returns one helper per GET: dump, nfct filters. */
		{ "helper get ftp", HDR("14", "0109", "0103") },
		{ "helper get ftp inet", HDR("14", "0109", "0103") },
		{ "helper add myproto inet 132",	/* unknown: generic class */
		  HDR("68", "0009", "0504")
		  "0c000100" "6d7970726f746f00"
		  "08000500" "00000000" TUPLE("02", "84")
		  "2c000480" "20000280" "0c000100" "6d7970726f746f00"
		  "08000200" "00000001" "08000300" "0000012c"
		  "08000100" "00000001" },
		{ "-o json helper add ftp inet tcp queue 65535 policy ftp max 255 timeout 0",
		  HDR("68", "0009", "0504") NAME_FTP
		  "08000300" "0000ffff" "08000500" "00000018" TUPLE("02", "06")
		  "28000480" "1c000280" NAME_FTP "08000200" "000000ff"
		  "08000300" "00000000" "08000100" "00000001" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_request(t, "extension bytes", cases[i].args, cases[i].hex);
}

/* A GET reply in the kernel's attribute order, plus an unknown attribute. */
#define REPLY_FTP(set_num, status_attr, name_attr) \
	HDR("80", "0009", "0200") name_attr		\
	"08000300" "00000003"				\
	TUPLE("0a", "06")				\
	"28000480" "08000100" set_num			\
	"1c000280" NAME_FTP "08000200" "00000001" "08000300" "0000012c" \
	"08000500" "00000018" status_attr		\
	"08000700" "00000001"				\
	"08001400" "deadbeef"

static int parse_hex(const char *hex, struct cth_helper *h)
{
	unsigned char buf[CTH_MSG_BUFSZ] __attribute__((aligned(4)));

	from_hex(hex, buf, sizeof(buf));
	return cth_helper_parse((const struct nlmsghdr *)buf, h);
}

static void test_parse_reply(struct tap *t)
{
	struct cth_helper h;
	int err;

	err = parse_hex(REPLY_FTP("00000001", "08000600" "00000001", NAME_FTP), &h);
	tap_check(t, err == 0, "parse kernel reply: ok (%d)", err);
	tap_check(t, !strcmp(h.name, "ftp") && h.l3num == NFPROTO_IPV6 &&
		  h.l4num == IPPROTO_TCP, "parse kernel reply: name and tuple");
	tap_check(t, h.queue_num == 3 && h.status == CTH_STATUS_ENABLED &&
		  h.flags == NFCTH_F_FAIL_CLOSED && h.priv_data_len == 24,
		  "parse kernel reply: queue, status, flags, private data");
	tap_check(t, h.policy_count == 1 && !strcmp(h.policy[0].name, "ftp") &&
		  h.policy[0].max_expected == 1 && h.policy[0].timeout == 300,
		  "parse kernel reply: policy (SET_NUM before the sets)");
	tap_check(t, h.present == (CTH_F_NAME | CTH_F_TUPLE | CTH_F_QUEUE_NUM |
				   CTH_F_POLICY | CTH_F_PRIV_DATA_LEN |
				   CTH_F_STATUS | CTH_F_FLAGS),
		  "parse kernel reply: presence bits, unknown attribute ignored");

	err = parse_hex(REPLY_FTP("00000002", "08000600" "00000001", NAME_FTP), &h);
	tap_check(t, err == -EINVAL, "parse rejects SET_NUM 2 with only SET1 (%d)", err);
	err = parse_hex(REPLY_FTP("00000005", "08000600" "00000001", NAME_FTP), &h);
	tap_check(t, err == -EINVAL, "parse rejects SET_NUM 5 (%d)", err);
	err = parse_hex(REPLY_FTP("00000000", "08000600" "00000001", NAME_FTP), &h);
	tap_check(t, err == -EINVAL, "parse rejects SET_NUM 0 (%d)", err);
	err = parse_hex(REPLY_FTP("00000001", "06000600" "00000000", NAME_FTP), &h);
	tap_check(t, err == -EINVAL, "parse rejects a short STATUS (%d)", err);
	err = parse_hex(REPLY_FTP("00000001", "08000600" "00000001",
				  "08000100" "66747078"), &h);
	tap_check(t, err == -EINVAL, "parse rejects a NAME without NUL (%d)", err);

	err = parse_hex(HDR("14", "0109", "0000"), &h);
	tap_check(t, err == -EPROTO, "parse rejects a GET message type (%d)", err);
	err = parse_hex(HDR("14", "0008", "0000"), &h);
	tap_check(t, err == -EPROTO, "parse rejects another subsystem (%d)", err);
}

static void test_round_trips(struct tap *t)
{
	char buf[CTH_MSG_BUFSZ];
	struct cth_helper in, out;
	struct nlmsghdr *nlh;
	int i, err;

	for (i = 0; i < 4; i++) {
		int p;

		memset(&in, 0, sizeof(in));
		cth_helper_set_name(&in, i == 3 ? "fifteen-chars-x" : "h");
		cth_helper_set_tuple(&in, i % 2 ? NFPROTO_IPV6 : NFPROTO_IPV4,
				     (uint8_t)(6 + 11 * i));
		cth_helper_set_queue(&in, (uint32_t)(65535 - i));
		cth_helper_set_priv_data_len(&in, (uint32_t)(8 * i));
		cth_helper_set_status(&in, (uint32_t)(i % 2));
		cth_helper_set_flags(&in, NFCTH_F_FAIL_CLOSED);
		for (p = 0; p <= i; p++) {
			char pname[16];

			snprintf(pname, sizeof(pname), "class%d", p);
			cth_helper_add_policy(&in, pname, (uint32_t)(p + 1),
					      (uint32_t)(100 * p));
		}
		nlh = cth_helper_build_new(buf, sizeof(buf), NLM_F_CREATE, &in);
		err = nlh ? cth_helper_parse(nlh, &out) : -errno;
		tap_check(t, err == 0 && cth_helper_equal(&in, &out),
			  "round trip: helper with %d policies, every field", i + 1);
	}

	/* FLAGS 0 on create is left out for kernels without it. */
	memset(&in, 0, sizeof(in));
	cth_helper_set_name(&in, "ftp");
	cth_helper_set_tuple(&in, NFPROTO_IPV4, IPPROTO_TCP);
	cth_helper_set_flags(&in, 0);
	nlh = cth_helper_build_new(buf, sizeof(buf), NLM_F_CREATE, &in);
	err = nlh ? cth_helper_parse(nlh, &out) : -errno;
	tap_check(t, err == 0 && !(out.present & CTH_F_FLAGS),
		  "create with flags 0 sends no FLAGS attribute");

	nlh = cth_helper_build_new(buf, CTH_MSG_BUFSZ - 1, NLM_F_CREATE, &in);
	tap_check(t, nlh == NULL && errno == ENOSPC, "builder refuses a short buffer");
}

static void test_check(struct tap *t)
{
	static const struct {
		const char *what;
		int want;
	} cases[] = {
		{ "complete helper", 0 },
		{ "queue 65536", -ERANGE },
		{ "status 2", -ERANGE },
		{ "unknown flag bit", -ERANGE },
		{ "priv data 33", -ERANGE },
		{ "max expected 0 (no limit, as upstream)", 0 },
		{ "max expected 256", -ERANGE },
		{ "family 7", -EINVAL },
		{ "protocol 0", -ERANGE },
		{ "no policy", -EINVAL },
		{ "policy count 5", -ERANGE },
	};
	char why[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cth_helper h = { 0 };
		int err;

		cth_helper_set_name(&h, "ftp");
		cth_helper_set_tuple(&h, NFPROTO_IPV4, IPPROTO_TCP);
		cth_helper_set_priv_data_len(&h, 24);
		cth_helper_add_policy(&h, "ftp", 1, 300);
		switch (i) {
		case 1: cth_helper_set_queue(&h, 65536); break;
		case 2: cth_helper_set_status(&h, 2); break;
		case 3: cth_helper_set_flags(&h, 2); break;
		case 4: cth_helper_set_priv_data_len(&h, 33); break;
		case 5: h.policy[0].max_expected = 0; break;
		case 6: h.policy[0].max_expected = 256; break;
		case 7: h.l3num = 7; break;
		case 8: h.l4num = 0; break;
		case 9: h.present &= ~CTH_F_POLICY; h.policy_count = 0; break;
		case 10: h.policy_count = 5; break;
		}
		why[0] = '\0';
		err = cth_helper_check(&h, CTH_CHECK_CREATE, why, sizeof(why));
		if (!tap_check(t, err == cases[i].want && (err == 0 || why[0]),
			       "check: %s -> %d with a reason", cases[i].what,
			       cases[i].want))
			tap_diag("got %d '%s'", err, why);
	}
}

static void test_timeouts(struct tap *t)
{
	char buf[CTT_MSG_BUFSZ];
	struct ctt_timeout in = { 0 }, out;
	struct nlmsghdr *nlh;
	int err;

	ctt_timeout_set_name(&in, "web");
	ctt_timeout_set_proto(&in, NFPROTO_IPV6, IPPROTO_TCP);
	ctt_timeout_set_state(&in, (unsigned int)ctt_state_lookup(IPPROTO_TCP, "established"), 600);
	ctt_timeout_set_state(&in, (unsigned int)ctt_state_lookup(IPPROTO_TCP, "UNACKNOWLEDGED"), 7);
	nlh = ctt_timeout_build_new(buf, sizeof(buf), 0, &in);
	err = nlh ? ctt_timeout_parse(nlh, &out) : -errno;
	tap_check(t, err == 0 && !strcmp(out.name, "web") &&
		  out.l3num == NFPROTO_IPV6 && out.l4num == IPPROTO_TCP &&
		  out.state_set == ((1U << 3) | (1U << 11)) &&
		  out.state[3] == 600 && out.state[11] == 7,
		  "timeout round trip: name, protocol, two states");

	nlh = ctt_timeout_build_default_set(buf, sizeof(buf), &in);
	err = nlh ? ctt_timeout_parse(nlh, &out) : -errno;
	tap_check(t, err == 0 && !(out.present & CTT_F_NAME) && out.state[3] == 600,
		  "default-set message parses as a defaults reply, without a name");

	tap_check(t, ctt_state_lookup(IPPROTO_UDP, "established") == -ENOENT,
		  "udp has no ESTABLISHED state");
	tap_check(t, ctt_state_count(IPPROTO_SCTP) == 9 &&
		  ctt_state_compat_count(IPPROTO_SCTP) == 7,
		  "sctp: 9 kernel states, 7 known to conntrack-tools");
	tap_check(t, ctt_timeout_set_state(&in, 12, 1) == -ENOENT,
		  "tcp has no state 12");
}

int main(int argc, char *argv[])
{
	struct tap t = { 0 };

	test_conntrack_tools_fixture(&t, argc > 1 ? argv[1] :
				     "tests/conntrack-tools-1.4.7.msgs");
	test_extensions(&t);
	test_parse_reply(&t);
	test_round_trips(&t);
	test_check(&t);
	test_timeouts(&t);
	return tap_done(&t);
}
