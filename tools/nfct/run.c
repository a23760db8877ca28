// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Execute one parsed nfct command: send its request, collect the replies,
 * print them; on failure gather the facts that name the cause.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "nfct.h"

/* Replies of a list/get, grown as they arrive. */
struct collected {
	enum nfct_subsys subsys;
	struct cth_helper *helpers;
	struct ctt_timeout *timeouts;
	size_t n, cap;
};

static int collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct collected *c = data;
	int err;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		void *p;

		if (c->subsys == NFCT_SUBSYS_HELPER)
			p = realloc(c->helpers, cap * sizeof(*c->helpers));
		else
			p = realloc(c->timeouts, cap * sizeof(*c->timeouts));
		if (!p)
			return MNL_CB_ERROR;	/* errno ENOMEM */
		if (c->subsys == NFCT_SUBSYS_HELPER)
			c->helpers = p;
		else
			c->timeouts = p;
		c->cap = cap;
	}
	if (c->subsys == NFCT_SUBSYS_HELPER)
		err = cth_helper_parse(nlh, &c->helpers[c->n]);
	else
		err = ctt_timeout_parse(nlh, &c->timeouts[c->n]);
	if (err) {
		/* Not the kernel's refusal: our parser's, say so. */
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	c->n++;
	return MNL_CB_OK;
}

/* Does the subsystem exist? A plain dump fails with EINVAL when it doesn't. */
static bool subsystem_missing(struct cth_nl *nl, enum nfct_subsys subsys)
{
	char buf[CTH_MSG_BUFSZ];
	struct nlmsghdr *nlh;
	int err;

	if (subsys == NFCT_SUBSYS_HELPER)
		nlh = cth_helper_build_get(buf, sizeof(buf), NULL);
	else
		nlh = ctt_timeout_build_get(buf, sizeof(buf), NULL);
	if (!nlh)
		return false;
	err = cth_nl_request(nl, nlh, NULL, NULL);
	return err == -EINVAL || err == -EOPNOTSUPP;
}

/* The user-space helper with the same name and tuple, for EBUSY on add. */
static bool find_existing_helper(struct cth_nl *nl, const struct cth_helper *want,
				 struct cth_helper *found)
{
	struct collected c = { .subsys = NFCT_SUBSYS_HELPER };
	char buf[CTH_MSG_BUFSZ];
	struct nlmsghdr *nlh;
	bool ok = false;
	size_t i;

	nlh = cth_helper_build_get(buf, sizeof(buf), NULL);
	if (nlh && cth_nl_request(nl, nlh, collect_cb, &c) == 0) {
		for (i = 0; i < c.n && !ok; i++) {
			const struct cth_helper *h = &c.helpers[i];

			if (!strcmp(h->name, want->name) && h->l3num == want->l3num &&
			    h->l4num == want->l4num) {
				*found = *h;
				ok = true;
			}
		}
	}
	free(c.helpers);
	return ok;
}

/*
 * Kernels that create on NEW without NLM_F_CREATE (as upstream does) answer
 * enable/disable/update of a missing helper with EINVAL (no policy): ask
 * whether the helper is there at all. 0, -ENOENT or another -errno.
 */
static int helper_lookup(struct cth_nl *nl, const struct cth_helper *h)
{
	char buf[CTH_MSG_BUFSZ];
	struct nlmsghdr *nlh;

	nlh = cth_helper_build_get(buf, sizeof(buf), h);
	return nlh ? cth_nl_request(nl, nlh, NULL, NULL) : -errno;
}

static bool modifies_existing(const struct nfct_cmd *cmd)
{
	return cmd->subsys == NFCT_SUBSYS_HELPER &&
	       (cmd->verb == NFCT_VERB_ENABLE || cmd->verb == NFCT_VERB_DISABLE ||
		cmd->verb == NFCT_VERB_UPDATE);
}

static int report_failure(struct cth_nl *nl, const struct nfct_cmd *cmd, int err)
{
	struct nfct_failure_facts facts = { 0 };
	struct nfct_explanation e;
	char ext_ack[256] = "";

	/* Keep the kernel's text: the probes below overwrite it. */
	if (cth_nl_ext_ack(nl)) {
		snprintf(ext_ack, sizeof(ext_ack), "%s", cth_nl_ext_ack(nl));
		facts.ext_ack = ext_ack;
	}
	if (err == EINVAL || err == EOPNOTSUPP)
		facts.subsystem_missing = subsystem_missing(nl, cmd->subsys);
	if (err == EINVAL && !facts.subsystem_missing && modifies_existing(cmd) &&
	    helper_lookup(nl, &cmd->helper) == -ENOENT)
		err = ENOENT;
	if (err == EBUSY && cmd->subsys == NFCT_SUBSYS_HELPER &&
	    cmd->verb == NFCT_VERB_ADD)
		facts.have_existing = find_existing_helper(nl, &cmd->helper,
							   &facts.existing);

	nfct_explain(cmd, err, &facts, &e);
	nfct_print_explanation(stderr, err, &e);
	return e.exit_code;
}

static bool prints_replies(enum nfct_verb verb)
{
	return verb == NFCT_VERB_LIST || verb == NFCT_VERB_GET ||
	       verb == NFCT_VERB_DEFAULT_GET;
}

int nfct_run(const struct nfct_cmd *cmd)
{
	struct collected c = { .subsys = cmd->subsys };
	char buf[CTH_MSG_BUFSZ];
	struct nlmsghdr *nlh;
	struct cth_nl *nl;
	int err, ret = NFCT_EXIT_OK;

	nlh = nfct_build_request(cmd, buf, sizeof(buf));
	if (!nlh) {
		fprintf(stderr, "nfct: cannot build the request: %s\n", strerror(errno));
		return NFCT_EXIT_FAILED;
	}
	nl = cth_nl_open();
	if (!nl) {
		err = errno;
		fprintf(stderr, "nfct: cannot open a netfilter netlink socket: %s\n",
			strerror(err));
		if (err == EPROTONOSUPPORT || err == EAFNOSUPPORT) {
			fprintf(stderr, "  cause: this kernel has no nfnetlink (CONFIG_NETFILTER_NETLINK)\n");
			return NFCT_EXIT_NO_SUPPORT;
		}
		return NFCT_EXIT_FAILED;
	}

	err = -cth_nl_request(nl, nlh, prints_replies(cmd->verb) ? collect_cb : NULL, &c);
	if (err) {
		ret = report_failure(nl, cmd, err);
		goto out;
	}
	if (nfct_filters_locally(cmd) &&
	    (c.n = nfct_filter_helpers(cmd, c.helpers, c.n)) == 0) {
		ret = report_failure(nl, cmd, ENOENT);
		goto out;
	}
	if (!prints_replies(cmd->verb))
		goto out;
	if (cmd->subsys == NFCT_SUBSYS_HELPER)
		nfct_print_helpers(stdout, cmd->output, c.helpers, c.n);
	else
		nfct_print_timeouts(stdout, cmd->output, c.timeouts, c.n);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "nfct: cannot write the output: %s\n", strerror(errno));
		ret = NFCT_EXIT_FAILED;
	}
out:
	free(c.helpers);
	free(c.timeouts);
	cth_nl_close(nl);
	return ret;
}
