/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfct.h - the nfct command: grammar (cli.c), requests (build.c), kernel
 * conversation and error explanations (run.c, explain.c), output (output.c).
 * Grammar, netlink and output stay apart so each is testable on its own.
 */
#ifndef NFCT_H
#define NFCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cthelper_nl.h"
#include "cttimeout_nl.h"

#define NFCT_VERSION "1.0.0"

/* Exit codes, documented in nfct(8). */
enum nfct_exit {
	NFCT_EXIT_OK		= 0,
	NFCT_EXIT_FAILED	= 1,	/* the kernel refused the request */
	NFCT_EXIT_USAGE		= 2,	/* bad arguments; nothing was sent */
	NFCT_EXIT_NO_SUPPORT	= 3,	/* the kernel lacks the subsystem */
	NFCT_EXIT_PERM		= 4,	/* no CAP_NET_ADMIN */
	NFCT_EXIT_NOT_FOUND	= 5,	/* no such helper / timeout policy */
};

enum nfct_subsys {
	NFCT_SUBSYS_NONE,
	NFCT_SUBSYS_HELPER,
	NFCT_SUBSYS_TIMEOUT,
};

enum nfct_verb {
	NFCT_VERB_NONE,
	NFCT_VERB_LIST,
	NFCT_VERB_ADD,
	NFCT_VERB_DELETE,
	NFCT_VERB_GET,
	NFCT_VERB_FLUSH,
	NFCT_VERB_DISABLE,
	NFCT_VERB_ENABLE,
	NFCT_VERB_UPDATE,
	NFCT_VERB_DEFAULT_SET,
	NFCT_VERB_DEFAULT_GET,
	NFCT_VERB_HELP,
	NFCT_VERB_VERSION,
};

enum nfct_output {
	NFCT_OUT_TABLE,		/* aligned columns for people */
	NFCT_OUT_JSON,		/* one JSON array for scripts */
	NFCT_OUT_COMPAT,	/* byte-exact conntrack-tools 1.4.7 output */
};

/* One parsed command line. */
struct nfct_cmd {
	enum nfct_subsys subsys;
	enum nfct_verb verb;
	enum nfct_output output;
	bool exclusive;		/* add: NLM_F_EXCL, fail if it exists */
	/* get NAME FAMILY without PROTO: helper.l3num is the filter. */
	bool family_filter;
	struct cth_helper helper;
	struct ctt_timeout timeout;
};

/* cli.c */
/*
 * Parse argv (without argv[0]) into @cmd. Returns NFCT_EXIT_OK or
 * NFCT_EXIT_USAGE with a message for the user in @err.
 */
int nfct_parse_args(int argc, char *const argv[], struct nfct_cmd *cmd,
		    char *err, size_t errlen);
/* The usage line of one subsystem/verb, or the whole synopsis. */
const char *nfct_usage(enum nfct_subsys subsys, enum nfct_verb verb);
void nfct_print_help(FILE *out);
const char *nfct_verb_name(enum nfct_verb verb);
/* "inet"/"inet6", or NULL. */
const char *nfct_family_name(uint16_t l3num);
/* "tcp", "udp", ... or NULL when nfct has no name for it. */
const char *nfct_proto_name(uint8_t l4num);

/* defaults.c */
struct nfct_helper_defaults {
	const char *name;
	uint8_t l4num;
	uint32_t priv_data_len;
	uint32_t max_expected;
	uint32_t timeout;
};
/*
 * The policy conntrack-tools 1.4.7 uses for a helper it knows (one class
 * named like the helper), or NULL.
 */
const struct nfct_helper_defaults *nfct_helper_defaults(const char *name,
							 uint8_t l4num);
/* The in-kernel helper module that registers @name, or NULL. */
const char *nfct_kernel_helper_module(const char *name);

/* build.c */
/*
 * The request for @cmd in @buf (CTH_MSG_BUFSZ). NULL for commands that
 * send nothing (help, version).
 */
struct nlmsghdr *nfct_build_request(const struct nfct_cmd *cmd, void *buf,
				    size_t buflen);
/*
 * helper get without a full tuple: the kernel answers a GET by name with
 * one helper at most, so nfct dumps and keeps those of the name (and
 * family) itself. nfct_filter_helpers() keeps them in place, returns how
 * many are left.
 */
bool nfct_filters_locally(const struct nfct_cmd *cmd);
size_t nfct_filter_helpers(const struct nfct_cmd *cmd,
			   struct cth_helper *helpers, size_t n);

/* output.c */
void nfct_print_helpers(FILE *out, enum nfct_output fmt,
			const struct cth_helper *helpers, size_t n);
void nfct_print_timeouts(FILE *out, enum nfct_output fmt,
			 const struct ctt_timeout *timeouts, size_t n);

/* explain.c */
/* What the user sees when a request fails; all strings, nothing printed. */
struct nfct_explanation {
	int exit_code;
	char what[160];		/* "cannot add helper 'ftp' (inet/tcp)" */
	char cause[320];
	char fix[320];
	char kernel[256];	/* the kernel's extended ack text, if any */
};
/*
 * Facts gathered after a failure, to name the cause:
 * subsystem_missing: a plain dump also failed with EINVAL/EOPNOTSUPP;
 * existing: the user-space helper with the same name and tuple, if any.
 */
struct nfct_failure_facts {
	bool subsystem_missing;
	bool have_existing;
	struct cth_helper existing;
	const char *ext_ack;	/* kernel's extended ack, may be NULL */
};
void nfct_explain(const struct nfct_cmd *cmd, int err,
		  const struct nfct_failure_facts *facts,
		  struct nfct_explanation *out);
void nfct_print_explanation(FILE *out, int err,
			    const struct nfct_explanation *e);

/* run.c */
/* Execute @cmd against the kernel; returns an nfct_exit code. */
int nfct_run(const struct nfct_cmd *cmd);

#endif /* NFCT_H */
