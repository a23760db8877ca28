// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The helper registry: every helper object linked into the binary put a
 * pointer into the "cthd_helpers" section (CTHD_HELPER_REGISTER); the linker
 * brackets the section with __start_/__stop_ symbols. Plugins (plugin.c)
 * add theirs after the built-in ones, at start-up, before any lookup that
 * serves traffic; the table is as process-wide as the section it extends.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "helper.h"
#include "plugin.h"

static struct {
	const struct cthd_helper *helper;
	const char *path;
} plugins[CTHD_PLUGIN_MAX];
static size_t n_plugins;

/* weak: a binary without any helper still links, with an empty registry */
extern const struct cthd_helper *const __start_cthd_helpers[] __attribute__((weak));
extern const struct cthd_helper *const __stop_cthd_helpers[] __attribute__((weak));

static size_t builtin_count(void)
{
	if (!__start_cthd_helpers)
		return 0;
	return (size_t)(__stop_cthd_helpers - __start_cthd_helpers);
}

size_t cthd_helper_count(void)
{
	return builtin_count() + n_plugins;
}

const struct cthd_helper *cthd_helper_at(size_t index)
{
	size_t builtins = builtin_count();

	if (index < builtins)
		return __start_cthd_helpers[index];
	return index - builtins < n_plugins ? plugins[index - builtins].helper : NULL;
}

const struct cthd_helper *cthd_helper_find(const char *name)
{
	for (size_t i = 0; i < cthd_helper_count(); i++) {
		const struct cthd_helper *h = cthd_helper_at(i);

		if (strcmp(h->name, name) == 0)
			return h;
	}
	return NULL;
}

int cthd_registry_add(const struct cthd_helper *h, const char *path)
{
	char *copy;

	if (n_plugins == CTHD_PLUGIN_MAX)
		return -ENOSPC;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	plugins[n_plugins].helper = h;
	plugins[n_plugins].path = copy;
	n_plugins++;
	return 0;
}

const char *cthd_helper_plugin_path(const struct cthd_helper *h)
{
	for (size_t i = 0; i < n_plugins; i++)
		if (plugins[i].helper == h)
			return plugins[i].path;
	return NULL;
}

int cthd_helper_validate(const struct cthd_helper *h, const char **why)
{
	if (!h->name || !h->name[0] || strlen(h->name) >= CTHD_NAME_MAX) {
		*why = "name must be 1..15 characters";
		return -EINVAL;
	}
	/* names end up in logs, JSON and netlink: keep them plain */
	for (const char *c = h->name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("-_.", *c)) {
			*why = "name may only hold letters, digits, '-', '_' and '.'";
			return -EINVAL;
		}
	if (h->l4proto == 0) {
		*why = "layer 4 protocol must not be 0";
		return -EINVAL;
	}
	if (h->also_l4proto && (h->also_l4proto == h->l4proto ||
				(h->also_l4proto != IPPROTO_TCP && h->also_l4proto != IPPROTO_UDP) ||
				(h->l4proto != IPPROTO_TCP && h->l4proto != IPPROTO_UDP))) {
		*why = "also_l4proto must be 0 or the other of TCP and UDP";
		return -EINVAL;
	}
	if (h->n_policies < 1 || h->n_policies > CTHD_POLICY_MAX) {
		*why = "needs 1..4 expectation policies";
		return -EINVAL;
	}
	for (unsigned int i = 0; i < h->n_policies; i++) {
		const struct cthd_policy *p = &h->policies[i];

		if (!p->name[0] || strnlen(p->name, CTHD_NAME_MAX) >= CTHD_NAME_MAX) {
			*why = "policy name must be 1..15 characters";
			return -EINVAL;
		}
		if (p->max_expected < 1 || p->max_expected > 255) {
			*why = "policy max_expected must be 1..255";
			return -EINVAL;
		}
	}
	if (h->priv_len > CTHD_PRIV_MAX) {
		*why = "private data is limited to 32 bytes";
		return -EINVAL;
	}
	if (h->n_options > CTHD_OPTION_MAX) {
		*why = "too many options";
		return -EINVAL;
	}
	for (unsigned int i = 0; i < h->n_options; i++) {
		const struct cthd_option *o = &h->options[i];

		if (!o->name || !o->name[0] || strlen(o->name) >= CTHD_OPTION_NAME_MAX ||
		    o->def > o->max) {
			*why = "an option needs a name of 1..31 characters and a default within 0..max";
			return -EINVAL;
		}
	}
	if (!h->process) {
		*why = "no process callback";
		return -EINVAL;
	}
	return 0;
}

int cthd_helper_option_index(const struct cthd_helper *h, const char *name)
{
	for (unsigned int i = 0; i < h->n_options; i++)
		if (!strcasecmp(h->options[i].name, name))
			return (int)i;
	return -ENOENT;
}
