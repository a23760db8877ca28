// SPDX-License-Identifier: GPL-2.0-or-later
/* cthelperd.conf parser: accepted syntax, values, and every error path. */
#include <errno.h>
#include <string.h>

#include "../config.h"
#include "tap.h"

static int parse(const char *text, struct cthd_config *cfg, char *err, size_t errlen)
{
	cthd_config_defaults(cfg);
	return cthd_config_parse(text, strlen(text), cfg, err, errlen);
}

static void test_full_file(struct tap *t)
{
	static const char text[] =
		"# cthelperd.conf\n"
		"General {\n"
		"\tSyslog on\n"
		"\tPidFile /run/cthelperd.pid   # comment after a value\n"
		"\tUser cthelperd\n"
		"\tRegister yes\n"
		"\tSeccomp off\n"
		"\tControlSocket /run/x.sock\n"
		"}\n"
		"Helper {\n"
		"\tType ftp inet tcp {\n"
		"\t\tQueueNum 5\n"
		"\t\tQueueLen 10240\n"
		"\t\tPolicy ftp {\n"
		"\t\t\tExpectMax 2\n"
		"\t\t\tExpectTimeout 120\n"
		"\t\t}\n"
		"\t}\n"
		"\tType ftp inet6 tcp { QueueNum 5 Policy ftp { ExpectMax 2 ExpectTimeout 120 } }\n"
		"\ttype tftp INET udp{queuenum 6 failclosed yes}\n"
		"}\n";
	struct cthd_config cfg;
	char err[256];
	int rc = parse(text, &cfg, err, sizeof(err));
	const struct cthd_served_config *ftp = &cfg.served[0], *tftp = &cfg.served[1];

	tap_check(t, rc == 0, "config_full_file_parses", "%s", err);
	tap_check(t, cfg.syslog && cfg.register_helpers && !cfg.seccomp &&
		  !strcmp(cfg.pidfile, "/run/cthelperd.pid") && !strcmp(cfg.user, "cthelperd") &&
		  !strcmp(cfg.control, "/run/x.sock"),
		  "config_general_values", "pidfile '%s' user '%s'", cfg.pidfile, cfg.user);
	tap_check(t, cfg.n_served == 2 && !strcmp(ftp->name, "ftp") && ftp->inet && ftp->inet6 &&
		  ftp->queue == 5 && ftp->queue_len == 10240 && ftp->n_policies == 1 &&
		  !strcmp(ftp->policies[0].name, "ftp") && ftp->policies[0].max_expected == 2 &&
		  ftp->policies[0].timeout == 120 && !ftp->fail_closed,
		  "config_inet_and_inet6_types_merge", "n_served %u queue %u", cfg.n_served,
		  ftp->queue);
	tap_check(t, !strcmp(tftp->name, "tftp") && tftp->inet && !tftp->inet6 &&
		  tftp->queue == 6 && tftp->fail_closed && tftp->n_policies == 0 &&
		  tftp->queue_len == CTHD_DEFAULT_QUEUE_LEN,
		  "config_keywords_case_insensitive_defaults_kept", "queue %u", tftp->queue);
}

static void test_defaults(struct tap *t)
{
	struct cthd_config cfg;
	char err[64];

	tap_check(t, parse("", &cfg, err, sizeof(err)) == 0 && cfg.n_served == 0 &&
		  cfg.seccomp && !cfg.syslog && !strcmp(cfg.user, CTHD_DEFAULT_USER) &&
		  !strcmp(cfg.control, CTHD_DEFAULT_CONTROL),
		  "config_empty_file_defaults", "%s", err);
}

static void test_errors(struct tap *t)
{
	static const struct {
		const char *name, *text, *msg;
	} cases[] = {
		{ "unknown_section", "Sync { }", "line 1: unknown section 'Sync'" },
		{ "unknown_option", "General {\n Foo 1 }", "line 2: unknown General option 'Foo'" },
		{ "missing_brace", "General\nSyslog on", "line 2: '{' expected after General" },
		{ "unterminated", "Helper { Type ftp inet tcp {\nQueueNum 1", "missing '}' for Type" },
		{ "bad_bool", "General { Syslog maybe }", "Syslog: expected on/off, got 'maybe'" },
		{ "queue_range", "Helper { Type ftp inet tcp { QueueNum 65536 } }",
		  "QueueNum: expected a number 0..65535, got '65536'" },
		{ "negative", "Helper { Type ftp inet tcp { QueueNum -1 } }", "got '-1'" },
		{ "expectmax_zero", "Helper { Type ftp inet tcp { Policy p { ExpectMax 0 } } }",
		  "ExpectMax: expected a number 1..255" },
		{ "bad_family", "Helper { Type ftp ipx tcp { } }", "family must be inet or inet6" },
		{ "bad_proto", "Helper { Type ftp inet sctp { } }", "protocol must be tcp or udp" },
		{ "long_name", "Helper { Type abcdefghijklmnop inet tcp { } }", "Type: too long" },
		{ "value_missing", "General { PidFile }", "PidFile needs a value" },
		{ "five_policies", "Helper { Type x inet tcp { Policy a { } Policy b { } "
				   "Policy c { } Policy d { } Policy e { } } }", "at most 4 policies" },
		{ "option_bad_value", "Helper { Type sip inet udp { Option sip_direct_media maybe } }",
		  "Option sip_direct_media: expected on, off or a number, got 'maybe'" },
		{ "option_negative", "Helper { Type sip inet udp { Option a -1 } }", "got '-1'" },
		{ "option_over_32_bits", "Helper { Type sip inet udp { Option a 4294967296 } }",
		  "got '4294967296'" },
		{ "option_value_missing", "Helper { Type sip inet udp { Option a } }",
		  "Option name needs a value" },
		{ "five_options", "Helper { Type x inet udp { Option a 1 Option b 1 Option c 1 "
				  "Option d 1 Option e 1 } }", "at most 4 options" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cthd_config cfg;
		char err[256], name[64];
		int rc = parse(cases[i].text, &cfg, err, sizeof(err));

		snprintf(name, sizeof(name), "config_error_%s", cases[i].name);
		tap_check(t, rc == -EINVAL && strstr(err, cases[i].msg), name,
			  "rc %d err '%s'", rc, err);
	}
}

/* Option NAME VALUE: kept per served helper, the other family's block adds to it */
static void test_options(struct tap *t)
{
	static const char text[] =
		"Helper {\n"
		"\tType sip inet udp { QueueNum 3 Option sip_direct_media off Option x 7 }\n"
		"\tType sip inet6 udp { QueueNum 3 Option x 9 Option sip_direct_signalling on }\n"
		"}\n";
	const struct cthd_served_config *s;
	struct cthd_config cfg;
	char err[256];
	int rc = parse(text, &cfg, err, sizeof(err));

	s = &cfg.served[0];
	tap_check(t, rc == 0 && cfg.n_served == 1 && s->n_options == 3 &&
		  !strcmp(s->options[0].name, "sip_direct_media") && s->options[0].value == 0 &&
		  !strcmp(s->options[1].name, "x") && s->options[1].value == 9 &&
		  !strcmp(s->options[2].name, "sip_direct_signalling") && s->options[2].value == 1,
		  "config_options_per_helper", "rc %d err '%s' n_options %u", rc, err,
		  cfg.n_served ? s->options[0].value : 0);
}

static void test_too_many_helpers(struct tap *t)
{
	char text[4096] = "Helper {";
	struct cthd_config cfg;
	char err[128];

	for (int i = 0; i <= CTHD_SERVED_MAX; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 " Type h%d inet tcp { QueueNum %d }", i, i);
	strcat(text, " }");
	tap_check(t, parse(text, &cfg, err, sizeof(err)) == -EINVAL &&
		  strstr(err, "too many helpers") && cfg.n_served == CTHD_SERVED_MAX,
		  "config_too_many_helpers", "%s", err);
}

int main(void)
{
	struct tap t = { 0 };

	test_full_file(&t);
	test_defaults(&t);
	test_errors(&t);
	test_options(&t);
	test_too_many_helpers(&t);
	return tap_done(&t);
}
