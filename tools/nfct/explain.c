// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Turn a kernel errno into what failed, why, and what to do about it.
 * Pure: the facts (is the subsystem there, which helper holds the name)
 * are gathered by run.c, so every message is testable without a kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nfct.h"

static const char *family_or_q(uint16_t l3num)
{
	const char *name = nfct_family_name(l3num);

	return name ? name : "?";
}

static const char *proto_or_q(uint8_t l4num)
{
	const char *name = nfct_proto_name(l4num);

	return name ? name : "?";
}

#define SET(field, ...) snprintf(e->field, sizeof(e->field), __VA_ARGS__)

static void describe_target(const struct nfct_cmd *cmd, char *buf, size_t len)
{
	const char *verb = nfct_verb_name(cmd->verb);

	if (cmd->subsys == NFCT_SUBSYS_HELPER) {
		const struct cth_helper *h = &cmd->helper;

		if (!(h->present & CTH_F_NAME))
			snprintf(buf, len, "cannot %s helpers", verb);
		else if (h->present & CTH_F_TUPLE)
			snprintf(buf, len, "cannot %s helper '%s' (%s/%s)", verb,
				 h->name, family_or_q(h->l3num),
				 proto_or_q(h->l4num));
		else
			snprintf(buf, len, "cannot %s helper '%s'", verb, h->name);
	} else {
		const struct ctt_timeout *t = &cmd->timeout;

		if (t->present & CTT_F_NAME)
			snprintf(buf, len, "cannot %s timeout policy '%s'", verb,
				 t->name);
		else if (t->present & CTT_F_L4NUM)
			snprintf(buf, len, "cannot %s timeouts of %s/%s", verb,
				 family_or_q(t->l3num),
				 proto_or_q(t->l4num));
		else
			snprintf(buf, len, "cannot %s timeout policies", verb);
	}
}

static void explain_helper_busy(const struct nfct_cmd *cmd,
				const struct nfct_failure_facts *facts,
				struct nfct_explanation *e)
{
	const struct cth_helper *h = &cmd->helper;
	const struct cth_helper *x = &facts->existing;
	const char *module;

	if (cmd->verb == NFCT_VERB_DELETE || cmd->verb == NFCT_VERB_FLUSH) {
		SET(cause, "%s is still referenced by a rule (iptables -j CT --helper, "
		    "an nft ct helper object) or by tracked connections",
		    cmd->verb == NFCT_VERB_FLUSH ? "a helper" : "the helper");
		SET(fix, "remove the rules that use it (iptables-save | grep -- --helper; "
		    "nft list ruleset | grep 'ct helper'), then retry");
		return;
	}
	if (cmd->verb == NFCT_VERB_UPDATE) {
		SET(cause, "the kernel cannot change the number of classes, their "
		    "names or the private data length of an existing helper");
		SET(fix, "give the existing classes in the same order (see 'nfct helper "
		    "get %s'), or delete the helper and add it again", h->name);
		return;
	}
	if (facts->have_existing) {
		char mine[200], theirs[200];
		uint32_t i;
		size_t used = 0;

		mine[0] = theirs[0] = '\0';
		for (i = 0; i < x->policy_count; i++)
			used += snprintf(theirs + used, sizeof(theirs) - used, "%s%s",
					 i ? "," : "", x->policy[i].name);
		used = 0;
		for (i = 0; i < h->policy_count; i++)
			used += snprintf(mine + used, sizeof(mine) - used, "%s%s",
					 i ? "," : "", h->policy[i].name);
		SET(cause, "the user-space helper '%s' %s/%s exists with classes [%s] "
		    "and %u bytes of private data; this request has [%s] and %u bytes, "
		    "and the kernel cannot change those of an existing helper",
		    x->name, family_or_q(x->l3num),
		    proto_or_q(x->l4num), theirs, x->priv_data_len,
		    mine, h->priv_data_len);
		SET(fix, "use 'nfct helper update' for queue, status and limits, or "
		    "'nfct helper delete %s %s %s' and add it again",
		    x->name, family_or_q(x->l3num),
		    proto_or_q(x->l4num));
		return;
	}
	module = nfct_kernel_helper_module(h->name);
	if (module) {
		SET(cause, "the in-kernel helper '%s' (module %s) owns that name for %s/%s",
		    h->name, module, family_or_q(h->l3num),
		    proto_or_q(h->l4num));
		SET(fix, "choose another name (e.g. '%.10s-user'), or unload the "
		    "kernel helper: modprobe -r %s", h->name, module);
	} else {
		SET(cause, "an in-kernel helper (or a user-space helper in another "
		    "state) already registered '%s' for %s/%s", h->name,
		    family_or_q(h->l3num),
		    proto_or_q(h->l4num));
		SET(fix, "choose another name, or unload the kernel helper module "
		    "that registers '%s'", h->name);
	}
}

static void explain_helper(const struct nfct_cmd *cmd, int err,
			   const struct nfct_failure_facts *facts,
			   struct nfct_explanation *e)
{
	const struct cth_helper *h = &cmd->helper;

	switch (err) {
	case EBUSY:
		explain_helper_busy(cmd, facts, e);
		break;
	case ENOENT:
		e->exit_code = NFCT_EXIT_NOT_FOUND;
		SET(cause, "no user-space helper named '%s'%s", h->name,
		    (h->present & CTH_F_TUPLE) ? " with that family and protocol" : "");
		SET(fix, "see the registered helpers with 'nfct helper list'%s",
		    cmd->verb == NFCT_VERB_ADD ? "" :
		    "; register one with 'nfct helper add NAME FAMILY PROTO'");
		break;
	case EEXIST:
		SET(cause, "the helper exists already and 'exclusive' refuses to update it");
		SET(fix, "drop 'exclusive' to update it, or delete it first");
		break;
	case EINVAL:
	case ERANGE:
		SET(cause, "the kernel rejected a value of the request");
		SET(fix, "check the arguments against nfct(8) (names <= 15 characters, "
		    "1..4 policies, max 0..255, private data <= 32 bytes, queue <= 65535)");
		break;
	default:
		SET(cause, "the kernel answered %s", strerror(err));
		SET(fix, "see dmesg for details");
		break;
	}
}

static void explain_timeout(const struct nfct_cmd *cmd, int err,
			    struct nfct_explanation *e)
{
	const struct ctt_timeout *t = &cmd->timeout;

	switch (err) {
	case EBUSY:
		if (cmd->verb == NFCT_VERB_ADD) {
			SET(cause, "a timeout policy named '%s' exists already and the "
			    "kernel does not replace it", t->name);
			SET(fix, "delete it first ('nfct timeout delete %s', which fails "
			    "while rules use it) or choose another name", t->name);
		} else {
			SET(cause, "the timeout policy is still used by a rule "
			    "(iptables -j CT --timeout, nft ct timeout) or by connections");
			SET(fix, "remove the rules that use it, then retry");
		}
		break;
	case ENOENT:
		e->exit_code = NFCT_EXIT_NOT_FOUND;
		SET(cause, "no timeout policy named '%s'", t->name);
		SET(fix, "see the policies with 'nfct timeout list'");
		break;
	case EOPNOTSUPP:
		SET(cause, "the kernel has no connection tracking for protocol %u (%s)",
		    t->l4num, proto_or_q(t->l4num));
		SET(fix, "load the protocol's conntrack support or use a kernel with it");
		break;
	case EEXIST:
		SET(cause, "a timeout policy named '%s' exists already", t->name);
		SET(fix, "delete it first or choose another name");
		break;
	default:
		SET(cause, "the kernel answered %s", strerror(err));
		SET(fix, "check the arguments against nfct(8); see dmesg for details");
		break;
	}
}

void nfct_explain(const struct nfct_cmd *cmd, int err,
		  const struct nfct_failure_facts *facts,
		  struct nfct_explanation *e)
{
	bool helper = cmd->subsys == NFCT_SUBSYS_HELPER;

	memset(e, 0, sizeof(*e));
	e->exit_code = NFCT_EXIT_FAILED;
	if (facts->ext_ack)
		SET(kernel, "%s", facts->ext_ack);
	describe_target(cmd, e->what, sizeof(e->what));

	if (facts->subsystem_missing) {
		e->exit_code = NFCT_EXIT_NO_SUPPORT;
		if (helper) {
			SET(cause, "this kernel has no user-space helper support "
			    "(CONFIG_NF_CT_NETLINK_HELPER)");
			SET(fix, "load it with 'modprobe nfnetlink_cthelper', or boot a "
			    "kernel built with CONFIG_NF_CT_NETLINK_HELPER");
		} else {
			SET(cause, "this kernel has no timeout policy support "
			    "(CONFIG_NF_CT_NETLINK_TIMEOUT)");
			SET(fix, "load it with 'modprobe nfnetlink_cttimeout', or boot a "
			    "kernel built with CONFIG_NF_CT_NETLINK_TIMEOUT");
		}
		return;
	}
	if (err == EBADMSG) {
		SET(cause, "nfct could not parse a reply of the kernel (its ABI "
		    "differs from the one nfct knows)");
		SET(fix, "use the nfct built with this kernel series; report the "
		    "kernel version");
		return;
	}
	if (err == EPERM || err == EACCES) {
		e->exit_code = NFCT_EXIT_PERM;
		SET(cause, "changing or listing %s needs CAP_NET_ADMIN in the user "
		    "namespace that owns this network namespace",
		    helper ? "helpers" : "timeout policies");
		SET(fix, "run nfct as root (sudo nfct ...), or inside the container "
		    "that owns the network namespace");
		return;
	}
	if (helper)
		explain_helper(cmd, err, facts, e);
	else
		explain_timeout(cmd, err, e);
}

void nfct_print_explanation(FILE *out, int err, const struct nfct_explanation *e)
{
	fprintf(out, "nfct: %s: %s\n", e->what, strerror(err));
	if (e->cause[0])
		fprintf(out, "  cause: %s\n", e->cause);
	if (e->kernel[0])
		fprintf(out, "  kernel: %s\n", e->kernel);
	if (e->fix[0])
		fprintf(out, "  fix:   %s\n", e->fix);
}
