// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one netlink request of each nfct command. Kept apart from the socket
 * so the tests can compare every command's bytes without a kernel.
 */
#include <errno.h>
#include <string.h>

#include "nfct.h"

static struct nlmsghdr *build_helper(const struct nfct_cmd *cmd, void *buf,
				     size_t buflen)
{
	const struct cth_helper *h = &cmd->helper;

	switch (cmd->verb) {
	case NFCT_VERB_LIST:
		return cth_helper_build_get(buf, buflen, NULL);
	case NFCT_VERB_GET:
		if (nfct_filters_locally(cmd))
			return cth_helper_build_get(buf, buflen, NULL);
		return cth_helper_build_get(buf, buflen, h);
	case NFCT_VERB_DELETE:
		return cth_helper_build_del(buf, buflen, h);
	case NFCT_VERB_FLUSH:
		return cth_helper_build_del(buf, buflen, NULL);
	case NFCT_VERB_ADD:
		return cth_helper_build_new(buf, buflen, NLM_F_CREATE |
					    (cmd->exclusive ? NLM_F_EXCL : 0), h);
	case NFCT_VERB_ENABLE:
	case NFCT_VERB_DISABLE:
	case NFCT_VERB_UPDATE:
		/* No NLM_F_CREATE: an unknown helper is ENOENT, not created. */
		return cth_helper_build_new(buf, buflen, 0, h);
	default:
		errno = EINVAL;
		return NULL;
	}
}

static struct nlmsghdr *build_timeout(const struct nfct_cmd *cmd, void *buf,
				      size_t buflen)
{
	const struct ctt_timeout *t = &cmd->timeout;

	switch (cmd->verb) {
	case NFCT_VERB_LIST:
		return ctt_timeout_build_get(buf, buflen, NULL);
	case NFCT_VERB_GET:
		return ctt_timeout_build_get(buf, buflen, t);
	case NFCT_VERB_DELETE:
		return ctt_timeout_build_del(buf, buflen, t);
	case NFCT_VERB_FLUSH:
		return ctt_timeout_build_del(buf, buflen, NULL);
	case NFCT_VERB_ADD:
		return ctt_timeout_build_new(buf, buflen, 0, t);
	case NFCT_VERB_DEFAULT_SET:
		return ctt_timeout_build_default_set(buf, buflen, t);
	case NFCT_VERB_DEFAULT_GET:
		return ctt_timeout_build_default_get(buf, buflen, t);
	default:
		errno = EINVAL;
		return NULL;
	}
}

struct nlmsghdr *nfct_build_request(const struct nfct_cmd *cmd, void *buf,
				    size_t buflen)
{
	switch (cmd->subsys) {
	case NFCT_SUBSYS_HELPER:
		return build_helper(cmd, buf, buflen);
	case NFCT_SUBSYS_TIMEOUT:
		return build_timeout(cmd, buf, buflen);
	case NFCT_SUBSYS_NONE:
		break;
	}
	errno = EINVAL;
	return NULL;
}

bool nfct_filters_locally(const struct nfct_cmd *cmd)
{
	return cmd->subsys == NFCT_SUBSYS_HELPER && cmd->verb == NFCT_VERB_GET &&
	       !(cmd->helper.present & CTH_F_TUPLE);
}

size_t nfct_filter_helpers(const struct nfct_cmd *cmd,
			   struct cth_helper *helpers, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(helpers[i].name, cmd->helper.name))
			continue;
		if (cmd->family_filter && helpers[i].l3num != cmd->helper.l3num)
			continue;
		helpers[kept++] = helpers[i];
	}
	return kept;
}
