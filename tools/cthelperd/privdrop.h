/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least privilege: once the netlink sockets are open (netlink checks the
 * capabilities of the socket's opener, not of the sender), the daemon
 * becomes an unprivileged user with no capabilities and confines itself
 * with a seccomp filter.
 */
#ifndef CTHELPERD_PRIVDROP_H
#define CTHELPERD_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Switch to user (name or numeric uid), its primary group and no
 * supplementary groups; empty the bounding, permitted, effective,
 * inheritable and ambient capability sets; set no_new_privs. Verifies the
 * result. Returns 0 or -errno with a message in err.
 */
int cthd_drop_privileges(const char *user, char *err, size_t errlen);

/*
 * Install the seccomp filter: the system calls the event loop needs, and
 * EPERM for everything else (opening files, exec, new non-unix sockets).
 */
int cthd_install_seccomp(char *err, size_t errlen);

/* true when the effective, permitted and inheritable sets are empty. */
bool cthd_has_no_capabilities(void);

#endif
