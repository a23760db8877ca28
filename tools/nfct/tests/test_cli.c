// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The grammar (good and bad command lines) and the failure explanations,
 * without a kernel: bad arguments must be refused with a reason and the
 * usage line, good ones must fill the command exactly.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include "nfct.h"
#include "tests/tap.h"

static int parse_line(const char *line, struct nfct_cmd *cmd, char *err,
		      size_t errlen)
{
	char copy[512], *argv[64], *tok, *save = NULL;
	int argc = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	for (tok = strtok_r(copy, " ", &save); tok && argc < 64;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	return nfct_parse_args(argc, argv, cmd, err, errlen);
}

static void test_bad(struct tap *t)
{
	static const struct {
		const char *line;
		const char *reason;	/* must appear in the message */
	} cases[] = {
		{ "", "missing subsystem" },
		{ "helper", "missing command" },
		{ "helper frobnicate", "unknown command 'frobnicate'" },
		{ "bogus helper", "unknown subsystem or command 'bogus'" },
		{ "add bogus", "unknown subsystem 'bogus'" },
		{ "helper add", "missing helper NAME" },
		{ "helper add ftp", "missing FAMILY" },
		{ "helper add ftp inet", "missing PROTO" },
		{ "helper add ftp ipx tcp", "unknown family 'ipx'" },
		{ "helper add ftp inet nosuchproto", "unknown protocol 'nosuchproto'" },
		{ "helper add ftp inet 0", "protocol 0" },
		{ "helper add ftp inet 256", "unknown protocol '256'" },
		{ "helper add sixteen-chars-xy inet tcp", "too long: at most 15" },
		{ "helper add ftp inet tcp 65536", "queue number 65536 out of range" },
		{ "helper add ftp inet tcp queue", "missing queue number" },
		{ "helper add ftp inet tcp queue -1", "is not a number" },
		{ "helper add ftp inet tcp queue 1x", "is not a number" },
		{ "helper add ftp inet tcp policy", "missing policy CLASS" },
		{ "helper add ftp inet tcp policy ftp 1 300", "expected 'max N'" },
		{ "helper add ftp inet tcp policy ftp max 256 timeout 300", "max expected 256 out of range 0..255" },
		{ "helper add ftp inet tcp policy ftp max 1", "expected 'timeout SECS'" },
		{ "helper add ftp inet tcp policy a max 1 timeout 1 policy a max 1 timeout 1", "policy a given twice" },
		{ "helper add ftp inet tcp policy a max 1 timeout 1 policy b max 1 timeout 1 "
		  "policy c max 1 timeout 1 policy d max 1 timeout 1 policy e max 1 timeout 1",
		  "at most 4 expectation policies" },
		{ "helper add ftp inet tcp priv-data-len 33", "private data length 33 out of range 0..32" },
		{ "helper add ftp inet tcp status on", "status must be 'enabled' or 'disabled'" },
		{ "helper add ftp inet tcp wobble", "unknown keyword 'wobble'" },
		{ "helper update ftp inet tcp", "nothing to update" },
		{ "helper update ftp inet tcp priv-data-len 8", "cannot change the private data length" },
		{ "helper update ftp inet tcp exclusive", "unknown keyword 'exclusive'" },
		{ "helper enable ftp", "missing FAMILY" },
		{ "helper disable ftp inet tcp extra", "unexpected argument 'extra'" },
		{ "helper delete ftp inet", "needs both FAMILY and PROTO" },
		{ "helper get ftp inet tcp more", "unexpected argument 'more'" },
		{ "helper list extra", "unexpected argument 'extra'" },
		{ "helper default-set inet tcp", "not a helper command" },
		{ "timeout add", "missing timeout policy NAME" },
		{ "timeout add t1 inet tcp", "missing STATE SECS" },
		{ "timeout add t1 inet tcp established", "missing value for state established" },
		{ "timeout add t1 inet tcp established 1O", "is not a number" },
		{ "timeout add t1 inet udp established 10", "unknown state 'established'" },
		{ "timeout add t1 inet 99 timeout 1", "protocol 99 has no conntrack timeouts" },
		{ "timeout add 0123456789012345678901234567890123 inet tcp close 1", "too long: at most 31" },
		{ "timeout get", "missing timeout policy NAME" },
		{ "timeout delete a b", "unexpected argument 'b'" },
		{ "timeout default-get inet", "missing PROTO" },
		{ "timeout default-get inet tcp close", "unexpected argument 'close'" },
		{ "timeout enable x", "not a timeout command" },
		{ "-o yaml helper list", "unknown output format 'yaml'" },
		{ "helper list -o", "-o needs a format" },
		{ "--frob helper list", "unknown option '--frob'" },
	};
	char err[1024];
	struct nfct_cmd cmd;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = parse_line(cases[i].line, &cmd, err, sizeof(err));

		if (!tap_check(t, ret == NFCT_EXIT_USAGE && strstr(err, cases[i].reason) &&
			       strstr(err, "usage: nfct"),
			       "refuses '%s' saying '%s' and the usage", cases[i].line,
			       cases[i].reason))
			tap_diag("exit %d, message: %s", ret, err);
	}
}

/* The usage printed with an error is the one of the command at hand. */
static void test_usage_selection(struct tap *t)
{
	char err[1024];
	struct nfct_cmd cmd;

	parse_line("helper get", &cmd, err, sizeof(err));
	tap_check(t, strstr(err, "\nusage: nfct helper get|delete NAME [FAMILY [PROTO]]") &&
		  !strstr(err, "helper add"), "helper get error: only get's usage line");
	parse_line("timeout default-get inet", &cmd, err, sizeof(err));
	tap_check(t, strstr(err, "\nusage: nfct timeout default-get FAMILY PROTO") &&
		  !strstr(err, "default-set"), "default-get error: only default-get's usage line");
	parse_line("helper add ftp inet tcp queue 70000", &cmd, err, sizeof(err));
	tap_check(t, strstr(err, "\nusage: nfct helper add NAME") &&
		  strstr(err, "\n                       [priv-data-len BYTES]") &&
		  !strstr(err, "update"), "helper add error: add's two lines, the second aligned");
	parse_line("helper frob", &cmd, err, sizeof(err));
	tap_check(t, strstr(err, "\nusage: nfct helper add") &&
		  strstr(err, "\n       nfct helper list|flush"),
		  "unknown helper command: every helper usage line");
}

static void test_good(struct tap *t)
{
	struct nfct_cmd cmd;
	char err[1024];
	int ret;

	ret = parse_line("helper add ftp inet tcp", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.subsys == NFCT_SUBSYS_HELPER &&
		  cmd.verb == NFCT_VERB_ADD && cmd.helper.l3num == NFPROTO_IPV4 &&
		  cmd.helper.l4num == IPPROTO_TCP && cmd.helper.priv_data_len == 24 &&
		  cmd.helper.policy_count == 1 && cmd.helper.policy[0].max_expected == 1 &&
		  cmd.helper.policy[0].timeout == 300 &&
		  !(cmd.helper.present & (CTH_F_QUEUE_NUM | CTH_F_STATUS | CTH_F_FLAGS)),
		  "add ftp: conntrack-tools defaults (24 bytes, 1 class, max 1, 300 s), nothing else");

	ret = parse_line("a h tftp inet6 udp", &cmd, err, sizeof(err));
	tap_check(t, ret == NFCT_EXIT_USAGE, "'h' is not a subsystem (no prefix match for subsystems)");

	ret = parse_line("add helper tftp inet6 udp", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.verb == NFCT_VERB_ADD &&
		  cmd.helper.l3num == NFPROTO_IPV6 && cmd.helper.l4num == IPPROTO_UDP &&
		  cmd.helper.priv_data_len == 0,
		  "old word order: add helper tftp inet6 udp");

	ret = parse_line("helper l", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.verb == NFCT_VERB_LIST, "prefix 'l' is list");
	ret = parse_line("helper d ftp", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.verb == NFCT_VERB_DELETE,
		  "prefix 'd' is delete, as in conntrack-tools");
	ret = parse_line("timeout default-g inet tcp", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.verb == NFCT_VERB_DEFAULT_GET, "prefix default-g");

	ret = parse_line("helper add sip inet 17 2 policy signalling max 2 timeout 60 "
			 "policy media max 8 timeout 180 priv-data-len 0 status enabled "
			 "fail-closed exclusive", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.helper.l4num == IPPROTO_UDP &&
		  cmd.helper.queue_num == 2 && cmd.helper.policy_count == 2 &&
		  !strcmp(cmd.helper.policy[1].name, "media") &&
		  cmd.helper.policy[1].max_expected == 8 &&
		  cmd.helper.policy[1].timeout == 180 &&
		  cmd.helper.status == CTH_STATUS_ENABLED &&
		  cmd.helper.flags == NFCTH_F_FAIL_CLOSED && cmd.exclusive,
		  "every add option: queue, two policies, priv, status, fail-closed, exclusive");

	ret = parse_line("helper add ftp inet tcp policy data max 4 timeout 10",
			 &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.helper.policy_count == 1 &&
		  !strcmp(cmd.helper.policy[0].name, "data") &&
		  cmd.helper.priv_data_len == 24,
		  "explicit policy replaces the default one, keeps the default priv length");

	ret = parse_line("helper add ftp inet tcp policy ftp max 0 timeout 300",
			 &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.helper.policy_count == 1 &&
		  cmd.helper.policy[0].max_expected == 0 &&
		  cmd.helper.policy[0].timeout == 300,
		  "max 0 (no limit per connection) is accepted, as upstream");

	ret = parse_line("helper add myhelper inet sctp", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.helper.l4num == IPPROTO_SCTP &&
		  cmd.helper.policy_count == 1 &&
		  !strcmp(cmd.helper.policy[0].name, "myhelper") &&
		  cmd.helper.priv_data_len == 0,
		  "unknown helper: one class named after it, no private data");

	ret = parse_line("helper update ftp inet tcp queue 3 status disabled fail-open",
			 &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.verb == NFCT_VERB_UPDATE &&
		  cmd.helper.queue_num == 3 && (cmd.helper.present & CTH_F_FLAGS) &&
		  cmd.helper.flags == 0 && !(cmd.helper.present & CTH_F_POLICY) &&
		  !(cmd.helper.present & CTH_F_PRIV_DATA_LEN),
		  "update: only what was given (queue, status, flags 0)");

	ret = parse_line("helper get ftp inet6", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.family_filter && cmd.helper.l3num == NFPROTO_IPV6 &&
		  !(cmd.helper.present & CTH_F_TUPLE), "get NAME FAMILY filters by family");

	ret = parse_line("helper list -o json", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.output == NFCT_OUT_JSON, "-o json after the command");
	ret = parse_line("--output=compat timeout list", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.output == NFCT_OUT_COMPAT, "--output=compat");
	ret = parse_line("helper get -- -o", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && !strcmp(cmd.helper.name, "-o"),
		  "'--' ends the options: a helper named -o");
	ret = parse_line("helper list --help", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.verb == NFCT_VERB_HELP, "--help anywhere");
	ret = parse_line("version", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.verb == NFCT_VERB_VERSION, "version subsystem");

	ret = parse_line("timeout add web inet6 ipv6-icmp timeout 30", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.timeout.l4num == IPPROTO_ICMPV6 &&
		  cmd.timeout.state[1] == 30, "ipv6-icmp as in /etc/protocols");
	ret = parse_line("timeout add web inet TCP Established 600 CLOSE 5", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.timeout.state_set == ((1U << 3) | (1U << 8)) &&
		  cmd.timeout.state[3] == 600 && cmd.timeout.state[8] == 5,
		  "protocol and state names case-insensitive");
	ret = parse_line("add timeout g inet generic timeout 600", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.timeout.l4num == 255, "generic is protocol 255");
	ret = parse_line("timeout default-set inet6 sctp heartbeat_sent 30", &cmd, err, sizeof(err));
	tap_check(t, ret == 0 && cmd.timeout.state_set == (1U << 8) &&
		  !(cmd.timeout.present & CTT_F_NAME), "default-set: sctp heartbeat_sent, no name");
}

/* A dump: ftp/inet, tftp/inet, ftp/inet6, ftp2/inet6. */
static void fill_dump(struct cth_helper list[4])
{
	static const struct { const char *name; uint16_t l3; } rows[4] = {
		{ "ftp", NFPROTO_IPV4 }, { "tftp", NFPROTO_IPV4 },
		{ "ftp", NFPROTO_IPV6 }, { "ftp2", NFPROTO_IPV6 },
	};
	int i;

	memset(list, 0, 4 * sizeof(list[0]));
	for (i = 0; i < 4; i++) {
		cth_helper_set_name(&list[i], rows[i].name);
		cth_helper_set_tuple(&list[i], rows[i].l3, IPPROTO_TCP);
	}
}

static void test_local_filter(struct tap *t)
{
	struct cth_helper list[4];
	struct nfct_cmd cmd;
	char err[1024];
	size_t n;

	fill_dump(list);
	parse_line("helper get ftp inet6", &cmd, err, sizeof(err));
	n = nfct_filter_helpers(&cmd, list, 4);
	tap_check(t, nfct_filters_locally(&cmd) && n == 1 &&
		  list[0].l3num == NFPROTO_IPV6 && !strcmp(list[0].name, "ftp"),
		  "get ftp inet6 keeps only ftp/inet6 of a dump");

	fill_dump(list);
	parse_line("helper get ftp", &cmd, err, sizeof(err));
	n = nfct_filter_helpers(&cmd, list, 4);
	tap_check(t, n == 2 && !strcmp(list[0].name, "ftp") && list[0].l3num == NFPROTO_IPV4 &&
		  !strcmp(list[1].name, "ftp") && list[1].l3num == NFPROTO_IPV6,
		  "get ftp keeps both ftp helpers in order, not tftp or ftp2");

	fill_dump(list);
	parse_line("helper get nosuch", &cmd, err, sizeof(err));
	tap_check(t, nfct_filter_helpers(&cmd, list, 4) == 0, "get nosuch keeps nothing");

	parse_line("helper get ftp inet tcp", &cmd, err, sizeof(err));
	tap_check(t, !nfct_filters_locally(&cmd), "get with a full tuple asks the kernel");
}

static void explain_case(struct tap *t, const char *line, int err,
			 const struct nfct_failure_facts *facts, int want_exit,
			 const char *want1, const char *want2)
{
	struct nfct_explanation e;
	struct nfct_cmd cmd;
	char parse_err[1024], all[1200];

	if (parse_line(line, &cmd, parse_err, sizeof(parse_err))) {
		tap_check(t, false, "explain %s: %s", strerror(err), line);
		return;
	}
	nfct_explain(&cmd, err, facts, &e);
	snprintf(all, sizeof(all), "%s | %s | %s | %s", e.what, e.cause, e.fix, e.kernel);
	if (!tap_check(t, e.exit_code == want_exit && strstr(all, want1) &&
		       strstr(all, want2), "explain %s for '%s': exit %d, '%s', '%s'",
		       strerror(err), line, want_exit, want1, want2))
		tap_diag("exit %d: %s", e.exit_code, all);
}

static void test_explain(struct tap *t)
{
	struct nfct_failure_facts none = { 0 }, missing = { .subsystem_missing = true };
	struct nfct_failure_facts clash = { .have_existing = true };
	struct nfct_failure_facts extack = { .ext_ack = "queue out of range (test)" };

	cth_helper_set_name(&clash.existing, "ftp");
	cth_helper_set_tuple(&clash.existing, NFPROTO_IPV4, IPPROTO_TCP);
	cth_helper_add_policy(&clash.existing, "ftp", 1, 300);
	cth_helper_set_priv_data_len(&clash.existing, 24);

	explain_case(t, "helper add ftp inet tcp", EBUSY, &none, NFCT_EXIT_FAILED,
		     "in-kernel helper 'ftp' (module nf_conntrack_ftp)",
		     "modprobe -r nf_conntrack_ftp");
	explain_case(t, "helper add ftp inet tcp policy data max 2 timeout 5 priv-data-len 4",
		     EBUSY, &clash, NFCT_EXIT_FAILED,
		     "exists with classes [ftp] and 24 bytes",
		     "this request has [data] and 4 bytes");
	explain_case(t, "helper update ftp inet tcp policy other max 1 timeout 1", EBUSY,
		     &none, NFCT_EXIT_FAILED, "cannot change the number of classes",
		     "nfct helper get ftp");
	explain_case(t, "helper add ftp inet tcp status enabled", ERANGE, &extack,
		     NFCT_EXIT_FAILED, "rejected a value", "queue out of range (test)");
	explain_case(t, "helper add foo inet udp", EBUSY, &none, NFCT_EXIT_FAILED,
		     "already registered 'foo' for inet/udp", "choose another name");
	explain_case(t, "helper delete ftp inet tcp", EBUSY, &none, NFCT_EXIT_FAILED,
		     "still referenced by a rule", "remove the rules");
	explain_case(t, "helper add ftp inet tcp", EINVAL, &missing, NFCT_EXIT_NO_SUPPORT,
		     "no user-space helper support (CONFIG_NF_CT_NETLINK_HELPER)",
		     "modprobe nfnetlink_cthelper");
	explain_case(t, "timeout list", EINVAL, &missing, NFCT_EXIT_NO_SUPPORT,
		     "CONFIG_NF_CT_NETLINK_TIMEOUT", "modprobe nfnetlink_cttimeout");
	explain_case(t, "helper list", EPERM, &none, NFCT_EXIT_PERM,
		     "CAP_NET_ADMIN in the user namespace that owns this network namespace",
		     "run nfct as root");
	explain_case(t, "helper get nosuch", ENOENT, &none, NFCT_EXIT_NOT_FOUND,
		     "no user-space helper named 'nosuch'", "nfct helper list");
	explain_case(t, "helper disable ftp inet6 tcp", ENOENT, &none, NFCT_EXIT_NOT_FOUND,
		     "cannot disable helper 'ftp' (inet6/tcp)", "with that family and protocol");
	explain_case(t, "helper add ftp inet tcp exclusive", EEXIST, &none, NFCT_EXIT_FAILED,
		     "exists already", "drop 'exclusive'");
	explain_case(t, "timeout add t1 inet tcp close 1", EBUSY, &none, NFCT_EXIT_FAILED,
		     "named 't1' exists already", "nfct timeout delete t1");
	explain_case(t, "timeout delete t1", EBUSY, &none, NFCT_EXIT_FAILED,
		     "still used by a rule", "remove the rules");
	explain_case(t, "helper list", EBADMSG, &none, NFCT_EXIT_FAILED,
		     "could not parse a reply of the kernel", "cannot list helpers");
	explain_case(t, "timeout get t9", ENOENT, &none, NFCT_EXIT_NOT_FOUND,
		     "no timeout policy named 't9'", "nfct timeout list");
	explain_case(t, "timeout default-set inet dccp open 5", EOPNOTSUPP, &none,
		     NFCT_EXIT_FAILED, "no connection tracking for protocol 33 (dccp)",
		     "cannot default-set timeouts of inet/dccp");
}

int main(void)
{
	struct tap t = { 0 };

	test_bad(&t);
	test_usage_selection(&t);
	test_good(&t);
	test_local_filter(&t);
	test_explain(&t);
	return tap_done(&t);
}
