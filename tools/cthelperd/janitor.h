/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The janitor: a child that keeps CAP_NET_ADMIN for the two things the
 * daemon, which runs with no capability, cannot do at shutdown. nfnetlink
 * lets an unprivileged sender give verdicts on a queue socket a privileged
 * process opened, but not configure the queue nor delete helpers.
 */
#ifndef CTHELPERD_JANITOR_H
#define CTHELPERD_JANITOR_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "queue.h"
#include "register.h"

#define CTHD_JANITOR_QUEUES_MAX CTHD_SERVED_MAX

struct cthd_janitor {
	int fd;			/* command pipe; -1: no janitor */
	pid_t pid;
};

/*
 * Fork the janitor (as user, with CAP_NET_ADMIN only, under seccomp). It
 * shares the queue sockets, closes every other descriptor it inherited,
 * deletes helpers with a netlink socket of its own, and waits for commands; when the daemon dies
 * without cthd_janitor_finish() (kill -9) it leaves the helpers alone, so
 * that the kernel keeps helping existing connections and a restarted
 * daemon continues them. Returns 0 or -errno.
 */
int cthd_janitor_start(struct cthd_janitor *j, const struct cthd_helper *const *helpers,
		       const struct cthd_kernel_helper *kh, size_t n_helpers,
		       const struct cthd_queue *queues, size_t n_queues, const char *user);

/* Have the janitor shrink every queue to 0 (the drain at shutdown). */
void cthd_janitor_shrink_queues(struct cthd_janitor *j);

/*
 * The daemon has closed its queue sockets: the janitor closes its copies
 * (only then does the kernel unbind the queues), deletes the created
 * helpers and exits. Returns 0, or -errno of the first deletion that
 * failed (EBUSY: a rule still refers to the helper).
 */
int cthd_janitor_finish(struct cthd_janitor *j);

#endif
