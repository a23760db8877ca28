/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One nfnetlink_queue socket bound to one queue number. */
#ifndef CTHELPERD_QUEUE_H
#define CTHELPERD_QUEUE_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
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

/*
 * Messages received in one system call, and verdicts sent in one: under
 * load, one recvmmsg() and one sendto() per batch instead of a pair of
 * system calls per packet. The kernel handles the concatenated verdicts
 * one by one, as if sent apart.
 */
#define CTHD_RX_BATCH 16
struct cthd_rx_batch {
	uint8_t *buf[CTHD_RX_BATCH];	/* each bufsize bytes */
	size_t bufsize;
	/* set up once; msgs[i].msg_len: what the last receive put in buf[i] */
	struct iovec iov[CTHD_RX_BATCH];
	struct mmsghdr msgs[CTHD_RX_BATCH];
};

struct cthd_tx_batch {
	uint8_t *buf;
	size_t size, len;
	unsigned int count;		/* messages in buf */
};

int cthd_rx_batch_alloc(struct cthd_rx_batch *rx, size_t bufsize);
void cthd_rx_batch_free(struct cthd_rx_batch *rx);
int cthd_tx_batch_alloc(struct cthd_tx_batch *tx, size_t size);
void cthd_tx_batch_free(struct cthd_tx_batch *tx);

/*
 * Non-blocking receive of up to CTHD_RX_BATCH messages: their number, 0 when
 * nothing is pending, or -errno.
 */
int cthd_queue_recv(struct cthd_queue *q, struct cthd_rx_batch *rx);

/*
 * Append a message to tx, sending what tx holds first when it would not
 * fit. Returns 0, or -errno of a send, in which case *lost tells how many
 * messages that send took with it.
 */
int cthd_queue_add(struct cthd_queue *q, struct cthd_tx_batch *tx,
		   const struct nlmsghdr *nlh, unsigned int *lost);

/* Send what tx holds; 0 or -errno, *lost as above. */
int cthd_queue_flush(struct cthd_queue *q, struct cthd_tx_batch *tx, unsigned int *lost);

#endif
