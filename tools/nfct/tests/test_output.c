// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Output formats: the compat text byte for byte (as conntrack-tools 1.4.7
 * prints it), JSON checked by a real parser (python3's json module), and
 * the table's columns.
 */
#define _GNU_SOURCE	/* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include "nfct.h"
#include "tests/tap.h"

static struct cth_helper sample_helper(const char *name, uint16_t l3, uint8_t l4)
{
	struct cth_helper h = { 0 };

	cth_helper_set_name(&h, name);
	cth_helper_set_tuple(&h, l3, l4);
	cth_helper_set_queue(&h, 0);
	cth_helper_set_priv_data_len(&h, 24);
	cth_helper_set_status(&h, CTH_STATUS_ENABLED);
	cth_helper_add_policy(&h, "ftp", 1, 300);
	return h;
}

/* Print into a string; caller frees. */
#define CAPTURE(out, call) do {					\
	size_t _len;						\
	FILE *_f = open_memstream(&(out), &_len);		\
	call;							\
	fclose(_f);						\
} while (0)

/* Run python3 on @json with @script (reads stdin); 1 when it exits 0. */
static int python_accepts(const char *json, const char *script)
{
	char path[] = "/tmp/nfct-json-XXXXXX";
	char cmd[2048];
	FILE *f;
	int fd, status;

	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	f = fdopen(fd, "w");
	fputs(json, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c '%s' < %s", script, path);
	status = system(cmd);
	unlink(path);
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_helper_compat(struct tap *t)
{
	struct cth_helper h[2] = {
		sample_helper("ftp", NFPROTO_IPV4, IPPROTO_TCP),
		sample_helper("ftp", NFPROTO_IPV6, IPPROTO_TCP),
	};
	char *out;

	h[1].status = CTH_STATUS_DISABLED;
	h[1].queue_num = 7;
	CAPTURE(out, nfct_print_helpers(_f, NFCT_OUT_COMPAT, h, 2));
	tap_check(t, !strcmp(out,
		"{\n\t.name = ftp,\n\t.queuenum = 0,\n\t.l3protonum = 2,\n"
		"\t.l4protonum = 6,\n\t.priv_data_len = 24,\n\t.status = enabled,\n};\n"
		"{\n\t.name = ftp,\n\t.queuenum = 7,\n\t.l3protonum = 10,\n"
		"\t.l4protonum = 6,\n\t.priv_data_len = 24,\n\t.status = disabled,\n};\n"),
		"helper compat output is libnetfilter_cthelper's format");
	free(out);
}

static void test_timeout_compat(struct tap *t)
{
	static const uint32_t tcp[] = { 0, 120, 60, 100, 120, 60, 30, 120, 10, 120, 300, 300 };
	struct ctt_timeout to[3] = { { 0 } };
	unsigned int i;
	char *out;

	/* As the kernel returns "nfct timeout add t1 inet tcp established 100 close 10". */
	ctt_timeout_set_name(&to[0], "t1");
	ctt_timeout_set_proto(&to[0], NFPROTO_IPV4, IPPROTO_TCP);
	for (i = 1; i <= 11; i++)
		ctt_timeout_set_state(&to[0], i, tcp[i]);
	/* default-get inet udp: no name */
	ctt_timeout_set_proto(&to[1], NFPROTO_IPV4, IPPROTO_UDP);
	ctt_timeout_set_state(&to[1], 1, 30);
	ctt_timeout_set_state(&to[1], 2, 120);
	/* sctp: the kernel's 8th and 9th states are unknown to conntrack-tools */
	ctt_timeout_set_name(&to[2], "s");
	ctt_timeout_set_proto(&to[2], NFPROTO_IPV4, IPPROTO_SCTP);
	for (i = 1; i <= 9; i++)
		ctt_timeout_set_state(&to[2], i, i);

	/* Expected text: Debian's "nfct timeout list" / "default-get" output. */
	CAPTURE(out, nfct_print_timeouts(_f, NFCT_OUT_COMPAT, to, 3));
	tap_check(t, !strcmp(out,
		".t1 = {\n\t.l3proto = 2,\n\t.l4proto = 6,\n\t.policy = {\n"
		"\t\t.SYN_SENT = 120,\n\t\t.SYN_RECV = 60,\n\t\t.ESTABLISHED = 100,\n"
		"\t\t.FIN_WAIT = 120,\n\t\t.CLOSE_WAIT = 60,\n\t\t.LAST_ACK = 30,\n"
		"\t\t.TIME_WAIT = 120,\n\t\t.CLOSE = 10,\n\t\t.SYN_SENT2 = 120,\n"
		"\t\t.RETRANS = 300,\n\t\t.UNACKNOWLEDGED = 300,\n\t},\n};\n"
		"\t.l3proto = 2,\n\t.l4proto = 17,\n\t.policy = {\n"
		"\t\t.UNREPLIED = 30,\n\t\t.REPLIED = 120,\n\t},\n};\n"
		".s = {\n\t.l3proto = 2,\n\t.l4proto = 132,\n\t.policy = {\n"
		"\t\t.CLOSED = 1,\n\t\t.COOKIE_WAIT = 2,\n\t\t.COOKIE_ECHOED = 3,\n"
		"\t\t.ESTABLISHED = 4,\n\t\t.SHUTDOWN_SENT = 5,\n\t\t.SHUTDOWN_RECD = 6,\n"
		"\t\t.SHUTDOWN_ACK_SENT = 7,\n\t},\n};\n"),
		"timeout compat output is conntrack-tools' (named, default, sctp)");
	free(out);

	CAPTURE(out, nfct_print_timeouts(_f, NFCT_OUT_JSON, to, 3));
	tap_check(t, python_accepts(out,
		"import json,sys\n"
		"d = json.load(sys.stdin)\n"
		"assert [x[\"name\"] for x in d] == [\"t1\", None, \"s\"]\n"
		"assert d[0][\"timeouts\"][\"ESTABLISHED\"] == 100 and len(d[0][\"timeouts\"]) == 11\n"
		"assert d[1][\"protocol\"] == \"udp\" and d[1][\"use\"] is None\n"
		"assert d[2][\"timeouts\"][\"HEARTBEAT_ACKED\"] == 9\n"),
		"timeout JSON parses, with names, nulls and every state");
	free(out);

	CAPTURE(out, nfct_print_timeouts(_f, NFCT_OUT_TABLE, to, 2));
	tap_check(t, strstr(out, "NAME       FAMILY  PROTO  USERS  TIMEOUTS (s)\n") == out &&
		  strstr(out, "\n(default)  inet    udp    -      UNREPLIED=30 REPLIED=120\n"),
		  "timeout table: aligned columns, (default) for defaults");
	free(out);
}

static void test_helper_json(struct tap *t)
{
	struct cth_helper h[3] = {
		sample_helper("ftp", NFPROTO_IPV4, IPPROTO_TCP),
		sample_helper("we\"ird\\na\x01me\xff", NFPROTO_IPV6, 200),
		sample_helper("sip", NFPROTO_IPV4, IPPROTO_UDP),
	};
	char *out;

	cth_helper_set_flags(&h[0], NFCTH_F_FAIL_CLOSED);
	cth_helper_add_policy(&h[2], "media", 8, 180);
	h[2].present &= ~CTH_F_STATUS;

	CAPTURE(out, nfct_print_helpers(_f, NFCT_OUT_JSON, h, 3));
	tap_check(t, python_accepts(out, "import json,sys; json.load(sys.stdin)"),
		  "helper JSON is valid JSON (json.load)");
	tap_check(t, python_accepts(out,
		"import json,sys\n"
		"d = json.load(sys.stdin)\n"
		"assert len(d) == 3\n"
		"assert d[0] == {\"name\": \"ftp\", \"family\": \"inet\", \"l3proto\": 2,"
		" \"protocol\": \"tcp\", \"l4proto\": 6, \"queue\": 0, \"status\": \"enabled\","
		" \"fail_closed\": True, \"priv_data_len\": 24,"
		" \"policies\": [{\"name\": \"ftp\", \"max_expected\": 1, \"timeout\": 300}]}\n"
		"assert d[1][\"name\"] == \"we\\\"ird\\\\na\\x01me\\xff\"\n"
		"assert d[1][\"protocol\"] is None and d[1][\"l4proto\"] == 200\n"
		"assert d[1][\"fail_closed\"] is False\n"
		"assert d[2][\"status\"] is None and len(d[2][\"policies\"]) == 2\n"),
		"helper JSON fields, escaping of quotes/backslash/control/8-bit, no FLAGS = fail-open");
	free(out);

	CAPTURE(out, nfct_print_helpers(_f, NFCT_OUT_JSON, h, 0));
	tap_check(t, !strcmp(out, "[]\n"), "no helpers: []");
	free(out);
}

static void test_helper_table(struct tap *t)
{
	struct cth_helper h[2] = {
		sample_helper("ftp", NFPROTO_IPV4, IPPROTO_TCP),
		sample_helper("longer-name", NFPROTO_IPV6, IPPROTO_UDP),
	};
	char *out;

	cth_helper_set_flags(&h[1], NFCTH_F_FAIL_CLOSED);
	cth_helper_add_policy(&h[1], "media", 8, 180);
	CAPTURE(out, nfct_print_helpers(_f, NFCT_OUT_TABLE, h, 2));
	tap_check(t, !strcmp(out,
		"NAME         FAMILY  PROTO  QUEUE  STATUS   MODE         PRIV  POLICIES\n"
		"ftp          inet    tcp    0      enabled  fail-open    24    ftp max 1 timeout 300s\n"
		"longer-name  inet6   udp    0      enabled  fail-closed  24    "
		"ftp max 1 timeout 300s, media max 8 timeout 180s\n"),
		"helper table: header, aligned columns, every policy");
	free(out);
}

int main(void)
{
	struct tap t = { 0 };

	test_helper_compat(&t);
	test_timeout_compat(&t);
	test_helper_json(&t);
	test_helper_table(&t);
	return tap_done(&t);
}
