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

#include "helper.h"

struct cthd_queue {
	struct mnl_socket *nl;
	uint16_t num;
	uint32_t seq;
	size_t max_send;	/* longest message the socket takes; 0: unknown */
	/* The kernel took NFQA_CFG_F_UNPRIV_VERDICT: verdicts sent after
	 * dropping privileges are accepted (restricted to a helper's needs).
	 */
	bool unpriv_verdicts;
	/* A verdict of this queue was lost: its packet may still be queued,
	 * so no batch verdict may accept it along with later ones.
	 */
	bool verdict_lost;
};

/*
 * Open a socket and bind queue num with conntrack info, GSO, whole-packet
 * copies and maxlen; fail_open lets packets through when the queue is full.
 * It opts in to verdicts from an unprivileged sender (the daemon after
 * dropping privileges); a kernel without that flag (EOPNOTSUPP: series v1,
 * which takes the opener's capability) gets the bind without it, and
 * q->unpriv_verdicts says which.
 * Its send buffer takes a whole CTHD_TX_BATCH_SIZE batch (see
 * cthd_queue_size_sndbuf). Returns 0 or -errno with a message in err.
 */
int cthd_queue_open(struct cthd_queue *q, uint16_t num, uint32_t maxlen, bool fail_open,
		    char *err, size_t errlen);

/*
 * Make the socket's send buffer take a message of size bytes: netlink
 * refuses (EMSGSIZE) a message longer than SO_SNDBUF - 32, and the default
 * (net.core.wmem_default, 208 kB) is below a batch. SO_SNDBUFFORCE goes
 * past net.core.wmem_max while privileged, else SO_SNDBUF up to it. Sets
 * q->max_send to what the socket then takes, to cap the batches. Returns
 * 0, or -errno when the size cannot be read back.
 */
int cthd_queue_size_sndbuf(struct cthd_queue *q, size_t size);

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
 * Does this kernel remove expectations a verdict's NFQA_EXP_FLUSH names?
 * The verdict policy of a kernel without it skips the unknown attribute
 * silently (nfnetlink's lenient parse), so a verdict carrying it tells
 * nothing, and a malformed one makes a kernel that knows it log "attribute
 * type 23 has an invalid length". A batch verdict tells: a kernel that
 * knows the attribute refuses it there (EOPNOTSUPP, batches have no
 * conntrack part), one that does not ignores it and, on a queue the probe
 * binds for the purpose (holding nothing, fail-open, length 0), finds no
 * packet to accept (ENOENT); nothing is logged either way. Returns 1, 0,
 * or -errno with a message in err. Needs CAP_NET_ADMIN.
 */
int cthd_queue_probe_exp_flush(char *err, size_t errlen);

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

/* Verdicts sent in one system call: those of a whole receive batch of small packets. */
#define CTHD_TX_BATCH_SIZE (256 << 10)

/*
 * What the caller knows of a verdict that the message does not say: whose
 * private data it carries. A verdict that carries nothing but the private
 * data of a conntrack (state_only) is superseded by a later verdict of the
 * same send that carries that conntrack's private data again: the kernel
 * applies them in order, so only the last copy matters.
 */
struct cthd_tx_note {
	bool state;			/* NFQA_CT with the private data */
	bool state_only;		/* and otherwise a plain accept */
	uint32_t ct_id;			/* the conntrack: CTA_ID and original tuple */
	struct cthd_tuple orig;
};

/* Messages of one send that cthd_queue_flush() looks at to merge (see there). */
#define CTHD_TX_NOTES 64

struct cthd_tx_batch {
	uint8_t *buf;
	uint8_t *spare;			/* as large as buf: the merged batch is built there */
	size_t size, len;
	unsigned int count;		/* messages in buf */
	struct cthd_tx_note notes[CTHD_TX_NOTES];	/* of the first messages */
	/* counters: messages saved by merging, and state-only verdicts superseded */
	unsigned long merged, superseded;
	/*
	 * Called for each message that did not go out as it was built (lost,
	 * or sent bare, see cthd_queue_flush), before the next one is sent;
	 * NULL: nobody needs to know.
	 */
	void (*unsent)(void *ctx, const struct nlmsghdr *nlh);
	void *ctx;
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
 * fit in tx or in one send on q (q->max_send); a message larger than that
 * goes alone at once. Returns 0, or -errno of a send, in which case *lost
 * tells how many messages did not go out as built.
 */
int cthd_queue_add(struct cthd_queue *q, struct cthd_tx_batch *tx,
		   const struct nlmsghdr *nlh, unsigned int *lost);

/* The same, with what the caller knows of the verdict (NULL: nothing). */
int cthd_queue_add_noted(struct cthd_queue *q, struct cthd_tx_batch *tx,
			 const struct nlmsghdr *nlh, const struct cthd_tx_note *note,
			 unsigned int *lost);

/*
 * Send what tx holds, merged first as the kernel would apply it anyway:
 * a state-only verdict superseded by a later one (struct cthd_tx_note)
 * becomes a plain accept, and a run of plain accepts of one queue becomes
 * one NFQNL_MSG_VERDICT_BATCH for the last packet of the run (the kernel
 * accepts every packet of the queue up to it: the earlier ones got their
 * verdicts in order before, or are in the run; no longer once a verdict
 * of the queue was lost, whose packet a batch would accept whatever its
 * verdict was). Every packet keeps its
 * verdict and its place in the order; the kernel parses fewer messages
 * and conntrack updates. Then, when the socket refuses the batch as a whole for its
 * size (EMSGSIZE) or memory runs short (ENOBUFS), the kernel took none of
 * it: the messages go one by one. A verdict that still does not go goes
 * bare (its packet id and accept/drop only: the packet leaves the queue
 * unchanged or dropped instead of staying there for ever) and counts as
 * lost, as does any message of a send that failed otherwise. Returns 0 or
 * the first -errno, *lost as above.
 */
int cthd_queue_flush(struct cthd_queue *q, struct cthd_tx_batch *tx, unsigned int *lost);

#endif
