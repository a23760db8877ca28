/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least privilege: once the netlink sockets are open the daemon becomes an
 * unprivileged user and confines itself with a seccomp filter.
 *
 * Capabilities: nfnetlink checks CAP_NET_ADMIN of the socket's opener AND
 * of the process sending each message (netlink_net_capable(), which every
 * nfnetlink message goes through, verdicts included). So on Linux 6.12 the
 * daemon keeps exactly CAP_NET_ADMIN, in the effective and permitted sets
 * only, and nothing else; a kernel that checks only the opener for queue
 * verdicts would let it keep none.
 */
#ifndef CTHELPERD_PRIVDROP_H
#define CTHELPERD_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

/*
 * Switch to user (name or numeric uid), its primary group and no
 * supplementary groups; keep only the capabilities in keep (a mask of
 * 1 << CAP_*) in the effective, permitted and bounding sets, none
 * inheritable or ambient; set no_new_privs. Verifies the result. Returns 0
 * or -errno with a message in err.
 */
int cthd_drop_privileges(const char *user, uint64_t keep, char *err, size_t errlen);

/*
 * Install the seccomp filter: the system calls the event loop needs, and
 * EPERM for everything else (opening files, exec, new non-unix sockets).
 */
int cthd_install_seccomp(char *err, size_t errlen);

/* true when effective and permitted are exactly keep, inheritable empty. */
bool cthd_capabilities_are(uint64_t keep);

#endif
