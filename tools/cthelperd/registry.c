// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The helper registry: every helper object linked into the binary put a
 * pointer into the "cth_helpers" section (CTH_HELPER_REGISTER); the linker
 * brackets the section with __start_/__stop_ symbols.
 */
#include <errno.h>
#include <string.h>

#include "helper.h"

/* weak: a binary without any helper still links, with an empty registry */
extern const struct cth_helper *const __start_cth_helpers[] __attribute__((weak));
extern const struct cth_helper *const __stop_cth_helpers[] __attribute__((weak));

size_t cth_helper_count(void)
{
	if (!__start_cth_helpers)
		return 0;
	return (size_t)(__stop_cth_helpers - __start_cth_helpers);
}

const struct cth_helper *cth_helper_at(size_t index)
{
	return index < cth_helper_count() ? __start_cth_helpers[index] : NULL;
}

const struct cth_helper *cth_helper_find(const char *name)
{
	for (size_t i = 0; i < cth_helper_count(); i++) {
		if (strcmp(__start_cth_helpers[i]->name, name) == 0)
			return __start_cth_helpers[i];
	}
	return NULL;
}

int cth_helper_validate(const struct cth_helper *h, const char **why)
{
	if (!h->name || !h->name[0] || strlen(h->name) >= CTH_NAME_MAX) {
		*why = "name must be 1..15 characters";
		return -EINVAL;
	}
	if (h->l4proto == 0) {
		*why = "layer 4 protocol must not be 0";
		return -EINVAL;
	}
	if (h->n_policies < 1 || h->n_policies > CTH_POLICY_MAX) {
		*why = "needs 1..4 expectation policies";
		return -EINVAL;
	}
	for (unsigned int i = 0; i < h->n_policies; i++) {
		const struct cth_policy *p = &h->policies[i];

		if (!p->name[0] || strnlen(p->name, CTH_NAME_MAX) >= CTH_NAME_MAX) {
			*why = "policy name must be 1..15 characters";
			return -EINVAL;
		}
		if (p->max_expected < 1 || p->max_expected > 255) {
			*why = "policy max_expected must be 1..255";
			return -EINVAL;
		}
	}
	if (h->priv_len > CTH_PRIV_MAX) {
		*why = "private data is limited to 32 bytes";
		return -EINVAL;
	}
	if (!h->process) {
		*why = "no process callback";
		return -EINVAL;
	}
	return 0;
}
