// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nfct command-line grammar: conntrack-tools' two word orders
 * ("nfct helper add ..." and "nfct add helper ..."), its prefix matching
 * of commands, plus our keywords. Nothing here talks to the kernel: every
 * bad argument is rejected before a message exists.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include "nfct.h"

#ifndef IPPROTO_GRE
#define IPPROTO_GRE 47
#endif

/* Order matters: a prefix picks the first match, as in conntrack-tools. */
static const struct {
	const char *name;
	enum nfct_verb verb;
} verbs[] = {
	{ "list",		NFCT_VERB_LIST },
	{ "add",		NFCT_VERB_ADD },
	{ "delete",		NFCT_VERB_DELETE },
	{ "get",		NFCT_VERB_GET },
	{ "flush",		NFCT_VERB_FLUSH },
	{ "disable",		NFCT_VERB_DISABLE },
	{ "enable",		NFCT_VERB_ENABLE },
	{ "update",		NFCT_VERB_UPDATE },
	{ "default-set",	NFCT_VERB_DEFAULT_SET },
	{ "default-get",	NFCT_VERB_DEFAULT_GET },
};

/* Layer 4 names nfct knows without /etc/protocols. */
static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{ "tcp",	IPPROTO_TCP },
	{ "udp",	IPPROTO_UDP },
	{ "sctp",	IPPROTO_SCTP },
	{ "dccp",	IPPROTO_DCCP },
	{ "udplite",	IPPROTO_UDPLITE },
	{ "icmp",	IPPROTO_ICMP },
	{ "icmpv6",	IPPROTO_ICMPV6 },
	{ "ipv6-icmp",	IPPROTO_ICMPV6 },	/* Debian's /etc/protocols */
	{ "gre",	IPPROTO_GRE },
	{ "generic",	255 },			/* conntrack-tools' "generic" */
};

static const char *const usage_helper =
	"nfct helper add NAME FAMILY PROTO [QUEUE] [queue N] [policy CLASS max N timeout SECS]...\n"
	"                [priv-data-len BYTES] [status enabled|disabled] [fail-closed|fail-open] [exclusive]\n"
	"nfct helper update NAME FAMILY PROTO [queue N] [policy ...]... [status S] [fail-closed|fail-open]\n"
	"nfct helper enable|disable NAME FAMILY PROTO\n"
	"nfct helper get|delete NAME [FAMILY [PROTO]]\n"
	"nfct helper list|flush";
static const char *const usage_timeout =
	"nfct timeout add NAME FAMILY PROTO STATE SECS [STATE SECS]...\n"
	"nfct timeout get|delete NAME\n"
	"nfct timeout list|flush\n"
	"nfct timeout default-set FAMILY PROTO STATE SECS [STATE SECS]...\n"
	"nfct timeout default-get FAMILY PROTO";

const char *nfct_usage(enum nfct_subsys subsys, enum nfct_verb verb)
{
	(void)verb;
	switch (subsys) {
	case NFCT_SUBSYS_HELPER:
		return usage_helper;
	case NFCT_SUBSYS_TIMEOUT:
		return usage_timeout;
	case NFCT_SUBSYS_NONE:
		break;
	}
	return "nfct [-o table|json|compat] helper|timeout COMMAND [ARGS...]\n"
	       "nfct [-o ...] COMMAND helper|timeout [ARGS...]   (conntrack-tools order)\n"
	       "nfct --help | --version";
}

static void append_usage(char *dst, size_t len, enum nfct_subsys subsys,
			 enum nfct_verb verb);

void nfct_print_help(FILE *out)
{
	char usage[512];

	append_usage(usage, sizeof(usage), NFCT_SUBSYS_NONE, NFCT_VERB_NONE);
	fprintf(out,
		"%s\n\n"
		"Helpers (user-space conntrack helpers, nfnetlink_cthelper):\n%s\n\n"
		"Timeout policies (nfnetlink_cttimeout):\n%s\n\n"
		"FAMILY is inet or inet6; PROTO a name (tcp, udp, ...) or number.\n"
		"Without policy, a helper conntrack-tools knows (ftp, tftp, ...) gets its\n"
		"policy and private data length; any other gets 1 class named after it,\n"
		"max 1 expectation, 300 s, no private data.\n\n"
		"Options:\n"
		"  -o, --output FORMAT  table (default), json, or compat (conntrack-tools' format)\n"
		"  -h, --help           this text\n"
		"  -V, --version        version\n\n"
		"Exit codes: 0 ok, 1 kernel refused, 2 bad arguments, 3 no kernel support,\n"
		"            4 permission denied, 5 not found. See nfct(8).\n",
		usage + 1, usage_helper,
		usage_timeout);
}

const char *nfct_verb_name(enum nfct_verb verb)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].verb == verb)
			return verbs[i].name;
	return "?";
}

const char *nfct_family_name(uint16_t l3num)
{
	switch (l3num) {
	case NFPROTO_IPV4:
		return "inet";
	case NFPROTO_IPV6:
		return "inet6";
	}
	return NULL;
}

const char *nfct_proto_name(uint8_t l4num)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == l4num)
			return protos[i].name;
	return NULL;
}

/* Parsing state: the words left and where to write a complaint. */
struct parser {
	int argc;
	char *const *argv;
	int pos;
	struct nfct_cmd *cmd;
	char *err;
	size_t errlen;
};

/* Is @verb one of the '|'-separated words of @field ("get|delete")? */
static bool verb_in(const char *field, size_t len, const char *verb)
{
	size_t vlen = strlen(verb);
	const char *end = field + len, *w = field;

	while (w < end) {
		const char *bar = memchr(w, '|', (size_t)(end - w));
		size_t wlen = bar ? (size_t)(bar - w) : (size_t)(end - w);

		if (wlen == vlen && !strncmp(w, verb, vlen))
			return true;
		w += wlen + 1;
	}
	return false;
}

/*
 * "\nusage: ..." into @dst: the entries of the subsystem's usage for @verb
 * (all of them when it has none), continuation lines aligned.
 */
static void append_usage(char *dst, size_t len, enum nfct_subsys subsys,
			 enum nfct_verb verb)
{
	const char *text = nfct_usage(subsys, verb), *line, *eol;
	const char *name = nfct_verb_name(verb);
	bool any = false, pass_all, keep = false;
	size_t used = 0;
	int n;

	for (pass_all = false; !any; pass_all = true) {
		for (line = text; *line; line = *eol ? eol + 1 : eol) {
			size_t llen;

			eol = strchr(line, '\n');
			if (!eol)
				eol = line + strlen(line);
			llen = (size_t)(eol - line);
			if (!strncmp(line, "nfct ", 5)) {
				/* "nfct SUBSYS VERBS ...": the third word */
				const char *verbs = strchr(line + 5, ' ');
				const char *vend = verbs ? strchr(verbs + 1, ' ') : NULL;

				keep = pass_all || (verbs && verb_in(verbs + 1,
					(size_t)((vend && vend < eol ? vend : eol) - verbs - 1),
					name));
			}
			if (!keep)
				continue;
			n = snprintf(dst + used, len - used, "%s%.*s",
				     any ? "\n       " : "\nusage: ", (int)llen, line);
			if (n < 0 || (size_t)n >= len - used)
				return;
			used += (size_t)n;
			any = true;
		}
		if (pass_all)
			break;
	}
}

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	if (len >= 0 && (size_t)len < p->errlen)
		append_usage(p->err + len, p->errlen - len, p->cmd->subsys,
			     p->cmd->verb);
	return NFCT_EXIT_USAGE;
}

static const char *peek(const struct parser *p)
{
	return p->pos < p->argc ? p->argv[p->pos] : NULL;
}

static const char *next(struct parser *p)
{
	return p->pos < p->argc ? p->argv[p->pos++] : NULL;
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

/* A number with its name for messages; checks 0..max. */
static int want_u32(struct parser *p, const char *what, uint32_t min,
		    uint32_t max, uint32_t *out)
{
	const char *s = next(p);
	int err;

	if (!s)
		return fail(p, "missing %s", what);
	err = parse_u32(s, max, out);
	if (err == -EINVAL)
		return fail(p, "%s '%s' is not a number", what, s);
	if (err == -ERANGE || *out < min)
		return fail(p, "%s %s out of range %u..%u", what, s, min, max);
	return 0;
}

static int want_family(struct parser *p, uint16_t *l3num)
{
	const char *s = next(p);

	if (!s)
		return fail(p, "missing FAMILY (inet or inet6)");
	if (!strcmp(s, "inet") || !strcmp(s, "ipv4") || !strcmp(s, "2"))
		*l3num = NFPROTO_IPV4;
	else if (!strcmp(s, "inet6") || !strcmp(s, "ipv6") || !strcmp(s, "10"))
		*l3num = NFPROTO_IPV6;
	else
		return fail(p, "unknown family '%s': use inet or inet6", s);
	return 0;
}

static int want_proto(struct parser *p, uint8_t *l4num)
{
	const char *s = next(p);
	struct protoent *pe;
	uint32_t num;
	size_t i;

	if (!s)
		return fail(p, "missing PROTO (tcp, udp, ... or a number)");
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (!strcasecmp(s, protos[i].name)) {
			*l4num = protos[i].num;
			return 0;
		}
	}
	if (parse_u32(s, 255, &num) == 0) {
		if (num == 0)
			return fail(p, "protocol 0 is not allowed");
		*l4num = (uint8_t)num;
		return 0;
	}
	pe = getprotobyname(s);
	if (pe && pe->p_proto > 0 && pe->p_proto < 256) {
		*l4num = (uint8_t)pe->p_proto;
		return 0;
	}
	return fail(p, "unknown protocol '%s': use a name from /etc/protocols or a number 1..255", s);
}

static int want_name(struct parser *p, const char *what, char *dst, size_t size)
{
	const char *s = next(p);
	size_t len;

	if (!s)
		return fail(p, "missing %s", what);
	len = strlen(s);
	if (len == 0)
		return fail(p, "%s must not be empty", what);
	if (len >= size)
		return fail(p, "%s '%s' is too long: at most %zu characters", what,
			    s, size - 1);
	memcpy(dst, s, len + 1);
	return 0;
}

static int no_more(struct parser *p)
{
	if (peek(p))
		return fail(p, "unexpected argument '%s'", peek(p));
	return 0;
}

/* The keyword @kw of policy @policy; @expected completes "expected '...". */
static int want_keyword(struct parser *p, const char *policy, const char *kw,
			const char *expected)
{
	const char *s = next(p);

	if (!s || strcmp(s, kw))
		return fail(p, "policy %s: expected '%s", policy, expected);
	return 0;
}

/* policy CLASS max N timeout SECS */
static int parse_policy(struct parser *p, struct cth_helper *h, bool *replaced)
{
	struct cth_policy pol = { .name = "" };
	uint32_t i;
	int ret;

	if (!*replaced) {
		/* Explicit policies replace the defaults of a known helper. */
		h->policy_count = 0;
		*replaced = true;
	}
	if (h->policy_count >= CTH_POLICY_MAX)
		return fail(p, "at most %d expectation policies", CTH_POLICY_MAX);
	ret = want_name(p, "policy CLASS name", pol.name, sizeof(pol.name));
	if (ret)
		return ret;
	ret = want_keyword(p, pol.name, "max", "max N' after the class name");
	if (!ret)
		ret = want_u32(p, "max expected", 0, CTH_EXPECT_MAX_LIMIT,
			       &pol.max_expected);
	if (!ret)
		ret = want_keyword(p, pol.name, "timeout", "timeout SECS' after max");
	if (!ret)
		ret = want_u32(p, "expectation timeout", 0, UINT32_MAX, &pol.timeout);
	if (ret)
		return ret;
	for (i = 0; i < h->policy_count; i++)
		if (!strcmp(h->policy[i].name, pol.name))
			return fail(p, "policy %s given twice", pol.name);
	h->policy[h->policy_count++] = pol;
	h->present |= CTH_F_POLICY;
	return 0;
}

/* Keywords after NAME FAMILY PROTO of add (all) and update (no priv/excl). */
static int parse_helper_options(struct parser *p, bool is_add)
{
	struct cth_helper *h = &p->cmd->helper;
	bool policies_given = false;
	const char *kw;
	uint32_t v;
	int ret;

	/* conntrack-tools-style positional queue number right after PROTO. */
	if (peek(p) && parse_u32(peek(p), UINT32_MAX, &v) == 0) {
		ret = want_u32(p, "queue number", 0, CTH_QUEUE_NUM_MAX, &v);
		if (ret)
			return ret;
		cth_helper_set_queue(h, v);
	}
	while ((kw = next(p))) {
		if (!strcmp(kw, "queue")) {
			ret = want_u32(p, "queue number", 0, CTH_QUEUE_NUM_MAX, &v);
			if (ret)
				return ret;
			cth_helper_set_queue(h, v);
		} else if (!strcmp(kw, "policy")) {
			ret = parse_policy(p, h, &policies_given);
			if (ret)
				return ret;
		} else if (is_add && (!strcmp(kw, "priv-data-len") ||
				      !strcmp(kw, "priv-len"))) {
			ret = want_u32(p, "private data length", 0,
				       CTH_PRIV_DATA_MAX, &v);
			if (ret)
				return ret;
			cth_helper_set_priv_data_len(h, v);
		} else if (!strcmp(kw, "status")) {
			const char *s = next(p);

			if (s && !strcmp(s, "enabled"))
				cth_helper_set_status(h, CTH_STATUS_ENABLED);
			else if (s && !strcmp(s, "disabled"))
				cth_helper_set_status(h, CTH_STATUS_DISABLED);
			else
				return fail(p, "status must be 'enabled' or 'disabled'%s%s",
					    s ? ", not " : "", s ? s : "");
		} else if (!strcmp(kw, "fail-closed")) {
			cth_helper_set_flags(h, h->flags | NFCTH_F_FAIL_CLOSED);
		} else if (!strcmp(kw, "fail-open")) {
			cth_helper_set_flags(h, h->flags & ~NFCTH_F_FAIL_CLOSED);
		} else if (is_add && !strcmp(kw, "exclusive")) {
			p->cmd->exclusive = true;
		} else if (!is_add && (!strcmp(kw, "priv-data-len") ||
				       !strcmp(kw, "priv-len"))) {
			return fail(p, "the kernel cannot change the private data length of an existing helper: delete and add it again");
		} else {
			return fail(p, "unknown keyword '%s'", kw);
		}
	}
	return 0;
}

static void apply_helper_defaults(struct cth_helper *h)
{
	const struct nfct_helper_defaults *d;

	d = nfct_helper_defaults(h->name, h->l4num);
	if (!(h->present & CTH_F_PRIV_DATA_LEN))
		cth_helper_set_priv_data_len(h, d ? d->priv_data_len : 0);
	if (!(h->present & CTH_F_POLICY)) {
		/* The class takes the helper's name, as conntrack-tools does. */
		cth_helper_add_policy(h, h->name, d ? d->max_expected : 1,
				      d ? d->timeout : 300);
	}
}

static int parse_helper_ident(struct parser *p, bool tuple_required)
{
	struct cth_helper *h = &p->cmd->helper;
	uint16_t l3num;
	uint8_t l4num;
	int ret;

	ret = want_name(p, "helper NAME", h->name, sizeof(h->name));
	if (ret)
		return ret;
	h->present |= CTH_F_NAME;
	if (!tuple_required && !peek(p))
		return 0;
	ret = want_family(p, &l3num);
	if (ret)
		return ret;
	if (!tuple_required && !peek(p)) {
		/* get NAME FAMILY: filter by family ourselves. */
		h->l3num = l3num;
		p->cmd->family_filter = true;
		return 0;
	}
	ret = want_proto(p, &l4num);
	if (ret)
		return ret;
	cth_helper_set_tuple(h, l3num, l4num);
	return 0;
}

static int parse_helper(struct parser *p)
{
	struct nfct_cmd *cmd = p->cmd;
	char why[160];
	int ret;

	switch (cmd->verb) {
	case NFCT_VERB_LIST:
	case NFCT_VERB_FLUSH:
		return no_more(p);
	case NFCT_VERB_GET:
	case NFCT_VERB_DELETE:
		ret = parse_helper_ident(p, false);
		if (ret)
			return ret;
		if (cmd->verb == NFCT_VERB_DELETE && cmd->family_filter)
			return fail(p, "delete needs both FAMILY and PROTO, or neither");
		return no_more(p);
	case NFCT_VERB_ENABLE:
	case NFCT_VERB_DISABLE:
		ret = parse_helper_ident(p, true);
		if (ret)
			return ret;
		cth_helper_set_status(&cmd->helper,
				      cmd->verb == NFCT_VERB_ENABLE ?
				      CTH_STATUS_ENABLED : CTH_STATUS_DISABLED);
		return no_more(p);
	case NFCT_VERB_ADD:
		ret = parse_helper_ident(p, true);
		if (ret)
			return ret;
		ret = parse_helper_options(p, true);
		if (ret)
			return ret;
		apply_helper_defaults(&cmd->helper);
		if (cth_helper_check(&cmd->helper, CTH_CHECK_CREATE, why, sizeof(why)))
			return fail(p, "%s", why);
		return 0;
	case NFCT_VERB_UPDATE:
		ret = parse_helper_ident(p, true);
		if (ret)
			return ret;
		ret = parse_helper_options(p, false);
		if (ret)
			return ret;
		if (!(cmd->helper.present & (CTH_F_QUEUE_NUM | CTH_F_POLICY |
					     CTH_F_STATUS | CTH_F_FLAGS)))
			return fail(p, "nothing to update: give queue, policy, status, fail-closed or fail-open");
		if (cth_helper_check(&cmd->helper, CTH_CHECK_UPDATE, why, sizeof(why)))
			return fail(p, "%s", why);
		return 0;
	default:
		return fail(p, "'%s' is not a helper command", nfct_verb_name(cmd->verb));
	}
}

/* STATE SECS pairs of timeout add / default-set. */
static int parse_timeout_states(struct parser *p)
{
	struct ctt_timeout *t = &p->cmd->timeout;
	const char *state;
	uint32_t secs;
	int attr, ret;

	if (!ctt_state_count(t->l4num))
		return fail(p, "protocol %u has no conntrack timeouts", t->l4num);
	if (!peek(p))
		return fail(p, "missing STATE SECS: give at least one timeout");
	while ((state = next(p))) {
		attr = ctt_state_lookup(t->l4num, state);
		if (attr < 0) {
			char names[256] = "";
			unsigned int i, n = ctt_state_count(t->l4num);

			for (i = 1; i <= n; i++) {
				strncat(names, i > 1 ? ", " : "", sizeof(names) - strlen(names) - 1);
				strncat(names, ctt_state_name(t->l4num, i),
					sizeof(names) - strlen(names) - 1);
			}
			return fail(p, "unknown state '%s' for this protocol; known: %s",
				    state, names);
		}
		if (!peek(p))
			return fail(p, "missing value for state %s", state);
		ret = want_u32(p, "timeout", 0, UINT32_MAX, &secs);
		if (ret)
			return ret;
		ctt_timeout_set_state(t, (unsigned int)attr, secs);
	}
	return 0;
}

static int parse_timeout(struct parser *p)
{
	struct nfct_cmd *cmd = p->cmd;
	struct ctt_timeout *t = &cmd->timeout;
	uint16_t l3num;
	uint8_t l4num;
	int ret;

	switch (cmd->verb) {
	case NFCT_VERB_LIST:
	case NFCT_VERB_FLUSH:
		return no_more(p);
	case NFCT_VERB_GET:
	case NFCT_VERB_DELETE:
		ret = want_name(p, "timeout policy NAME", t->name, sizeof(t->name));
		if (ret)
			return ret;
		t->present |= CTT_F_NAME;
		return no_more(p);
	case NFCT_VERB_ADD:
		ret = want_name(p, "timeout policy NAME", t->name, sizeof(t->name));
		if (ret)
			return ret;
		t->present |= CTT_F_NAME;
		/* fall through */
	case NFCT_VERB_DEFAULT_SET:
	case NFCT_VERB_DEFAULT_GET:
		ret = want_family(p, &l3num);
		if (ret)
			return ret;
		ret = want_proto(p, &l4num);
		if (ret)
			return ret;
		ctt_timeout_set_proto(t, l3num, l4num);
		if (cmd->verb == NFCT_VERB_DEFAULT_GET)
			return no_more(p);
		return parse_timeout_states(p);
	default:
		return fail(p, "'%s' is not a timeout command", nfct_verb_name(cmd->verb));
	}
}

static enum nfct_verb match_verb(const char *word)
{
	size_t i, len = strlen(word);

	if (len == 0)
		return NFCT_VERB_NONE;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strncmp(verbs[i].name, word, len))
			return verbs[i].verb;
	return NFCT_VERB_NONE;
}

static enum nfct_subsys match_subsys(const char *word)
{
	if (!strcmp(word, "helper"))
		return NFCT_SUBSYS_HELPER;
	if (!strcmp(word, "timeout"))
		return NFCT_SUBSYS_TIMEOUT;
	return NFCT_SUBSYS_NONE;
}

static int parse_output(struct parser *p, const char *fmt)
{
	if (!fmt)
		return fail(p, "-o needs a format: table, json or compat");
	if (!strcmp(fmt, "table"))
		p->cmd->output = NFCT_OUT_TABLE;
	else if (!strcmp(fmt, "json"))
		p->cmd->output = NFCT_OUT_JSON;
	else if (!strcmp(fmt, "compat"))
		p->cmd->output = NFCT_OUT_COMPAT;
	else
		return fail(p, "unknown output format '%s': use table, json or compat", fmt);
	return 0;
}

int nfct_parse_args(int argc, char *const argv[], struct nfct_cmd *cmd,
		    char *err, size_t errlen)
{
	/* Words left after taking the options out, in order. */
	char *words[argc > 0 ? argc : 1];
	struct parser p = { .cmd = cmd, .err = err, .errlen = errlen };
	const char *first, *second;
	int i, nwords = 0, ret;
	bool options_done = false;

	memset(cmd, 0, sizeof(*cmd));
	if (errlen)
		err[0] = '\0';

	/* Options may come anywhere before "--", as users type them. */
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!options_done && !strcmp(a, "--")) {
			options_done = true;
		} else if (!options_done && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
			ret = parse_output(&p, i + 1 < argc ? argv[++i] : NULL);
			if (ret)
				return ret;
		} else if (!options_done && !strncmp(a, "--output=", 9)) {
			ret = parse_output(&p, a + 9);
			if (ret)
				return ret;
		} else if (!options_done && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			cmd->verb = NFCT_VERB_HELP;
			return NFCT_EXIT_OK;
		} else if (!options_done && (!strcmp(a, "-V") || !strcmp(a, "--version"))) {
			cmd->verb = NFCT_VERB_VERSION;
			return NFCT_EXIT_OK;
		} else if (!options_done && a[0] == '-' && a[1] != '\0' &&
			   (a[1] < '0' || a[1] > '9')) {
			/* "-1" is a (bad) number for the grammar to refuse. */
			return fail(&p, "unknown option '%s'", a);
		} else {
			words[nwords++] = (char *)a;
		}
	}
	p.argc = nwords;
	p.argv = words;

	first = next(&p);
	if (!first)
		return fail(&p, "missing subsystem and command");
	if (!strcmp(first, "help")) {
		cmd->verb = NFCT_VERB_HELP;
		return no_more(&p);
	}
	if (!strcmp(first, "version")) {
		cmd->verb = NFCT_VERB_VERSION;
		return no_more(&p);
	}

	second = next(&p);
	cmd->subsys = match_subsys(first);
	if (cmd->subsys != NFCT_SUBSYS_NONE) {
		/* nfct helper add ... */
		if (!second)
			return fail(&p, "missing command after '%s'", first);
		cmd->verb = match_verb(second);
		if (cmd->verb == NFCT_VERB_NONE)
			return fail(&p, "unknown command '%s'", second);
	} else {
		/* nfct add helper ... (conntrack-tools' older order) */
		cmd->verb = match_verb(first);
		if (cmd->verb == NFCT_VERB_NONE)
			return fail(&p, "unknown subsystem or command '%s': use helper or timeout", first);
		if (!second)
			return fail(&p, "missing subsystem after '%s': helper or timeout", first);
		cmd->subsys = match_subsys(second);
		if (cmd->subsys == NFCT_SUBSYS_NONE)
			return fail(&p, "unknown subsystem '%s': use helper or timeout", second);
	}

	if (cmd->subsys == NFCT_SUBSYS_HELPER)
		return parse_helper(&p);
	return parse_timeout(&p);
}
