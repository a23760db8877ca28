/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One nfnetlink_queue socket bound to one queue number. */
#ifndef CTHELPERD_QUEUE_H
#define CTHELPERD_QUEUE_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cthd_queue {
	struct mnl_socket *nl;
	uint16_t num;
	uint32_t seq;
};

/*
 * Open a socket and bind queue num with conntrack info, GSO, whole-packet
 * copies and maxlen; fail_open lets packets through when the queue is full.
 * Returns 0 or -errno with a message in err.
 */
int cthd_queue_open(struct cthd_queue *q, uint16_t num, uint32_t maxlen, bool fail_open,
		    char *err, size_t errlen);

/* Change the queue length (0: every new packet overflows, see drain). */
int cthd_queue_set_maxlen(struct cthd_queue *q, uint32_t maxlen);

/* Unbind and close. */
void cthd_queue_close(struct cthd_queue *q);

int cthd_queue_fd(const struct cthd_queue *q);

/*
 * Does this kernel take queue verdicts from a sender without capabilities
 * (the socket's opener being privileged)? A child process drops every
 * privilege (to user) and gives a verdict on a queue nobody binds, over a
 * socket the parent opened: "no such queue" means yes, EPERM means no.
 * Returns 1, 0, or -errno with a message in err. Needs the privileges.
 */
int cthd_queue_probe_unprivileged_verdicts(const char *user, char *err, size_t errlen);

/* Non-blocking receive: bytes, 0 when nothing is pending, -errno. */
ssize_t cthd_queue_recv(struct cthd_queue *q, void *buf, size_t size);

/* Send one verdict (or any message); 0 or -errno. */
int cthd_queue_send(struct cthd_queue *q, const struct nlmsghdr *nlh);

#endif
