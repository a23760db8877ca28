/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helper plugins (shared objects) and the registry entries they add. */
#ifndef CTHELPERD_PLUGIN_H
#define CTHELPERD_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "helper.h"

#define CTHD_PLUGIN_MAX		32
#define CTHD_PLUGIN_PATH_MAX	512
/* the Makefile sets it from PLUGINDIR */
#ifndef CTHD_PLUGIN_DIR
#define CTHD_PLUGIN_DIR		"/usr/local/lib/cthelperd/plugins"
#endif

/*
 * Load every *.so of dir (in name order) and add its helper to the
 * registry. A missing dir is no error unless must_exist. Returns 0, or a
 * negative errno with the plugin and the reason in err at the first plugin
 * that cannot be used; the caller then does not start.
 */
int cthd_plugins_load(const char *dir, bool must_exist, char *err, size_t errlen);

/* registry.c: add a plugin's helper; -ENOSPC when full. */
int cthd_registry_add(const struct cthd_helper *h, const char *path);

/* The plugin file a helper came from; NULL for a built-in one. */
const char *cthd_helper_plugin_path(const struct cthd_helper *h);

#endif
