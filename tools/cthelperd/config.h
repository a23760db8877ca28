/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Daemon configuration: cthelperd.conf(5) and the command-line flags. */
#ifndef CTHELPERD_CONFIG_H
#define CTHELPERD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper.h"

#define CTHD_SERVED_MAX		16
#define CTHD_PATH_MAX		256
#define CTHD_DEFAULT_QUEUE_LEN	1024
#define CTHD_DEFAULT_CONFIG	"/etc/cthelperd.conf"
#define CTHD_DEFAULT_CONTROL	"/run/cthelperd/cthelperd.sock"
#define CTHD_DEFAULT_USER	"nobody"

/* One helper the daemon serves on one queue, for IPv4 and/or IPv6. */
struct cthd_served_config {
	char name[CTHD_NAME_MAX];
	bool inet, inet6;		/* families to register/serve */
	uint16_t queue;
	uint32_t queue_len;
	bool fail_closed;
	/* policy overrides; n_policies 0 keeps the helper's defaults */
	unsigned int n_policies;
	struct cthd_policy policies[CTHD_POLICY_MAX];
	/* Option NAME VALUE, checked against the helper when the daemon starts */
	unsigned int n_options;
	struct {
		char name[CTHD_OPTION_NAME_MAX];
		uint32_t value;
	} options[CTHD_OPTION_MAX];
};

enum cthd_caps_mode {
	CTHD_CAPS_AUTO = 0,	/* none when the kernel takes unprivileged verdicts */
	CTHD_CAPS_NONE,		/* none, or refuse to start */
	CTHD_CAPS_NET_ADMIN,	/* keep CAP_NET_ADMIN */
};

struct cthd_config {
	bool syslog;
	bool foreground;
	bool register_helpers;		/* create missing helpers, delete them at exit */
	bool seccomp;
	enum cthd_caps_mode caps;	/* what stays after the drop (see privdrop.h) */
	char pidfile[CTHD_PATH_MAX];	/* empty: none */
	char control[CTHD_PATH_MAX];	/* unix control socket; empty: none */
	char user[64];			/* unprivileged user to run as */
	char plugin_dir[CTHD_PATH_MAX];	/* helper plugins; empty: the default */
	unsigned int n_served;
	struct cthd_served_config served[CTHD_SERVED_MAX];
};

void cthd_config_defaults(struct cthd_config *cfg);

/* "auto", "none" or "net_admin"; -EINVAL otherwise. */
int cthd_caps_mode_parse(const char *text, enum cthd_caps_mode *mode);

/*
 * Parse the text of a configuration file into cfg (which holds the
 * defaults or earlier settings). Returns 0, or -EINVAL with a message
 * "line N: ..." in err.
 */
int cthd_config_parse(const char *text, size_t len, struct cthd_config *cfg,
		      char *err, size_t errlen);

/*
 * Set option name to the value text ("on"/"yes" 1, "off"/"no" 0, or a
 * decimal number) for s; a second setting of a name replaces the first.
 * -EINVAL (bad value), -ENOSPC (more names than CTHD_OPTION_MAX).
 */
int cthd_config_set_option(struct cthd_served_config *s, const char *name, const char *value);

/* Find a served entry by name and queue; NULL if none. */
struct cthd_served_config *cthd_config_find(struct cthd_config *cfg, const char *name,
					    uint16_t queue);

/*
 * Add a served helper with defaults (both families, queue, the default
 * queue length); -ENOSPC when full, -EINVAL for a bad name.
 */
int cthd_config_add_served(struct cthd_config *cfg, const char *name, uint16_t queue,
			   struct cthd_served_config **out);

/*
 * The option values helper h runs with as sc serves it: its defaults, then
 * sc's settings (options holds CTHD_OPTION_MAX). -EINVAL with a message
 * in err for an option h does not have or a value out of its range.
 */
int cthd_config_options(const struct cthd_served_config *sc, const struct cthd_helper *h,
			uint32_t *options, char *err, size_t errlen);

#endif
