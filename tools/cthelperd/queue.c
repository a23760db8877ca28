// SPDX-License-Identifier: GPL-2.0-or-later
/* nfnetlink_queue sockets with libmnl and libnetfilter_queue's nlmsg API. */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nl_request.h"

/* Only in our kernel series (v2), so not in the distribution's headers. */
#ifndef NFQA_CFG_F_UNPRIV_VERDICT
#define NFQA_CFG_F_UNPRIV_VERDICT (1 << 5)
#endif
#include "privdrop.h"
#include "queue.h"
#include "verdict.h"

/* Copy whole packets: a helper may need all of the payload to rewrite it. */
#define COPY_RANGE 0xffff
#define RCVBUF_SIZE (4 << 20)

/*
 * Packets can reach a queue before the ack of its configuration: answer
 * them with a plain accept rather than leave them stuck in the kernel.
 */
static int setup_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cthd_queue *q = data;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct nfqnl_msg_packet_hdr *ph;
	struct nlmsghdr *v;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	v = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, q->num);
	nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_ACCEPT);
	mnl_socket_sendto(q->nl, v, v->nlmsg_len);
	return MNL_CB_OK;
}


int cthd_queue_open(struct cthd_queue *q, uint16_t num, uint32_t maxlen, bool fail_open,
		    char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t flags = NFQA_CFG_F_CONNTRACK | NFQA_CFG_F_GSO |
			 (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	uint32_t mask = NFQA_CFG_F_CONNTRACK | NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	int one = 1, rcvbuf = RCVBUF_SIZE;
	struct nlmsghdr *nlh;
	int rc;

	memset(q, 0, sizeof(*q));
	q->num = num;
	q->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!q->nl) {
		rc = -errno;
		snprintf(err, errlen, "queue %u: netlink socket: %s", num, strerror(-rc));
		return rc;
	}
	if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		snprintf(err, errlen, "queue %u: bind: %s", num, strerror(-rc));
		goto err_close;
	}
	/*
	 * Lost notifications are packets the kernel already let through
	 * (fail-open) or dropped; an ENOBUFS error would only stop the loop.
	 */
	mnl_socket_setsockopt(q->nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	/* acks of verdicts need not echo the packet back */
	mnl_socket_setsockopt(q->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	if (cthd_queue_size_sndbuf(q, CTHD_TX_BATCH_SIZE) < 0) {
		rc = -errno;
		snprintf(err, errlen, "queue %u: send buffer: %s", num, strerror(-rc));
		goto err_close;
	}

	/*
	 * One message: bind, copy mode, length and flags, acked together.
	 * The kernel checks the flags before binding, so an unknown one
	 * leaves nothing to undo.
	 */
	q->unpriv_verdicts = true;
	for (;;) {
		uint32_t unpriv = q->unpriv_verdicts ? NFQA_CFG_F_UNPRIV_VERDICT : 0;

		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
		nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
		nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, COPY_RANGE);
		nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags | unpriv));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask | NFQA_CFG_F_UNPRIV_VERDICT));
		nlh->nlmsg_flags |= NLM_F_ACK;
		nlh->nlmsg_seq = ++q->seq;
		rc = cthd_nl_request(q->nl, nlh, setup_cb, q);
		if (rc != -EOPNOTSUPP || !q->unpriv_verdicts)
			break;
		q->unpriv_verdicts = false;
	}
	if (rc < 0) {
		snprintf(err, errlen, "queue %u: bind with conntrack info: %s%s", num, strerror(-rc),
			 rc == -EBUSY ? " (another program serves this queue)" :
			 rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		goto err_close;
	}
	return 0;
err_close:
	mnl_socket_close(q->nl);
	q->nl = NULL;
	return rc;
}

/* netlink_sendmsg() refuses a message longer than the send buffer less this */
#define NETLINK_SEND_SLACK 32

int cthd_queue_size_sndbuf(struct cthd_queue *q, size_t size)
{
	int fd = mnl_socket_get_fd(q->nl);
	/* the kernel doubles what it is given (its bookkeeping) */
	int want = (int)((size + NETLINK_SEND_SLACK + 1) / 2), got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &len) < 0)
		return -errno;
	q->max_send = got > NETLINK_SEND_SLACK ? (size_t)got - NETLINK_SEND_SLACK : 1;
	return 0;
}

int cthd_queue_set_maxlen(struct cthd_queue *q, uint32_t maxlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);

	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	nlh->nlmsg_seq = ++q->seq;
	/* no ack: the caller keeps reading the socket anyway */
	return mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
}

void cthd_queue_close(struct cthd_queue *q)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (!q->nl)
		return;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_UNBIND);
	mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len);
	mnl_socket_close(q->nl);
	q->nl = NULL;
}

int cthd_queue_fd(const struct cthd_queue *q)
{
	return mnl_socket_get_fd(q->nl);
}

int cthd_rx_batch_alloc(struct cthd_rx_batch *rx, size_t bufsize)
{
	memset(rx, 0, sizeof(*rx));
	rx->bufsize = bufsize;
	for (int i = 0; i < CTHD_RX_BATCH; i++) {
		rx->buf[i] = malloc(bufsize);
		if (!rx->buf[i]) {
			cthd_rx_batch_free(rx);
			return -ENOMEM;
		}
		rx->iov[i].iov_base = rx->buf[i];
		rx->iov[i].iov_len = bufsize;
		rx->msgs[i].msg_hdr.msg_iov = &rx->iov[i];
		rx->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

void cthd_rx_batch_free(struct cthd_rx_batch *rx)
{
	for (int i = 0; i < CTHD_RX_BATCH; i++) {
		free(rx->buf[i]);
		rx->buf[i] = NULL;
	}
}

int cthd_tx_batch_alloc(struct cthd_tx_batch *tx, size_t size)
{
	memset(tx, 0, sizeof(*tx));
	tx->buf = malloc(size);
	tx->spare = malloc(size);
	tx->size = size;
	if (tx->buf && tx->spare)
		return 0;
	cthd_tx_batch_free(tx);
	return -ENOMEM;
}

void cthd_tx_batch_free(struct cthd_tx_batch *tx)
{
	free(tx->buf);
	free(tx->spare);
	tx->buf = tx->spare = NULL;
}

/* The verdict header of a NFQNL_MSG_VERDICT, NULL if it is not one; *alone: its only attribute. */
static const struct nfqnl_msg_verdict_hdr *verdict_hdr(const struct nlmsghdr *nlh, bool *alone)
{
	const struct nfqnl_msg_verdict_hdr *vh = NULL;
	const struct nlattr *attr;
	unsigned int n = 0;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return NULL;
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg)) {
		n++;
		if (mnl_attr_get_type(attr) == NFQA_VERDICT_HDR &&
		    mnl_attr_get_payload_len(attr) == sizeof(*vh))
			vh = mnl_attr_get_payload(attr);
	}
	if (alone)
		*alone = n == 1;
	return vh;
}

/* An accept that asks for nothing else: no payload, conntrack, ack or flag. */
static bool plain_accept(const struct nlmsghdr *nlh)
{
	bool alone = false;
	const struct nfqnl_msg_verdict_hdr *vh = verdict_hdr(nlh, &alone);

	return vh && alone && !(nlh->nlmsg_flags & NLM_F_ACK) && ntohl(vh->verdict) == NF_ACCEPT;
}

static bool same_conntrack(const struct cthd_tx_note *a, const struct cthd_tx_note *b)
{
	return a->ct_id == b->ct_id && !memcmp(&a->orig, &b->orig, sizeof(a->orig));
}

/* Append an accept of packet id (type: one packet, or every packet up to it). */
static void put_accept(struct cthd_tx_batch *tx, size_t *len, uint16_t type, uint16_t queue,
		       uint32_t id, uint32_t seq)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put((char *)tx->spare + *len, type, queue);

	nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
	nlh->nlmsg_seq = seq;
	*len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* See cthd_queue_flush(). Only for the batches whose messages all have notes. */
static void merge(struct cthd_tx_batch *tx, bool batch)
{
	const struct nlmsghdr *msg[CTHD_TX_NOTES];
	bool plain[CTHD_TX_NOTES], stripped[CTHD_TX_NOTES];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)tx->buf;
	unsigned int n = 0, out = 0, merged = 0, superseded = 0;
	int left = (int)tx->len;
	size_t len = 0;
	uint8_t *swap;

	for (; mnl_nlmsg_ok(nlh, left) && n < CTHD_TX_NOTES; nlh = mnl_nlmsg_next(nlh, &left)) {
		msg[n] = nlh;
		stripped[n] = false;
		plain[n++] = plain_accept(nlh);
	}
	if (n != tx->count || left != 0)
		return;
	for (unsigned int i = 0; i < n; i++) {
		if (!tx->notes[i].state_only)
			continue;
		for (unsigned int j = i + 1; j < n && !stripped[i]; j++)
			if (tx->notes[j].state && same_conntrack(&tx->notes[i], &tx->notes[j]))
				stripped[i] = plain[i] = true;
		superseded += stripped[i];
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(msg[i]);
		unsigned int end = i;

		if (plain[i] && batch)
			while (end + 1 < n && plain[end + 1] &&
			       ((const struct nfgenmsg *)mnl_nlmsg_get_payload(msg[end + 1]))->res_id ==
			       nfg->res_id)
				end++;
		if (end > i) {
			put_accept(tx, &len, NFQNL_MSG_VERDICT_BATCH, ntohs(nfg->res_id),
				   ntohl(verdict_hdr(msg[end], NULL)->id), msg[end]->nlmsg_seq);
			merged += end - i;
		} else if (stripped[i]) {
			put_accept(tx, &len, NFQNL_MSG_VERDICT, ntohs(nfg->res_id),
				   ntohl(verdict_hdr(msg[i], NULL)->id), msg[i]->nlmsg_seq);
		} else {
			memcpy(tx->spare + len, msg[i], msg[i]->nlmsg_len);
			memset(tx->spare + len + msg[i]->nlmsg_len, 0,
			       NLMSG_ALIGN(msg[i]->nlmsg_len) - msg[i]->nlmsg_len);
			len += NLMSG_ALIGN(msg[i]->nlmsg_len);
		}
		out++;
		i = end;
	}
	swap = tx->buf;
	tx->buf = tx->spare;
	tx->spare = swap;
	tx->len = len;
	tx->count = out;
	tx->merged += merged;
	tx->superseded += superseded;
}

int cthd_queue_recv(struct cthd_queue *q, struct cthd_rx_batch *rx)
{
	int n = recvmmsg(mnl_socket_get_fd(q->nl), rx->msgs, CTHD_RX_BATCH, MSG_DONTWAIT,
			 NULL);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	return n;
}

static int send_raw(struct cthd_queue *q, const void *buf, size_t len)
{
	return mnl_socket_sendto(q->nl, buf, len) < 0 ? -errno : 0;
}

/* The socket or the memory, not the message, was the problem: try smaller. */
static bool too_large(int rc)
{
	return rc == -EMSGSIZE || rc == -ENOBUFS;
}

/*
 * A verdict that cannot go as built (larger than anything the socket
 * takes, or no memory for it), reduced to its packet id and accept/drop:
 * without a verdict the packet would stay queued for ever. It loses its
 * new payload, private data and expectations; the helper's accept-on-error
 * rule, in effect.
 */
static int send_bare(struct cthd_queue *q, const struct nlmsghdr *nlh)
{
	char buf[128];
	const struct nfqnl_msg_verdict_hdr *vh = NULL;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct nlmsghdr *bare;

	/* a merged accept (cthd_queue_flush) is as bare as it gets */
	if (nlh->nlmsg_type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT_BATCH))
		return send_raw(q, nlh, nlh->nlmsg_len);
	if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT) ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return -EINVAL;
	mnl_attr_for_each(attr, nlh, sizeof(*nfg))
		if (mnl_attr_get_type(attr) == NFQA_VERDICT_HDR &&
		    mnl_attr_get_payload_len(attr) >= sizeof(*vh))
			vh = mnl_attr_get_payload(attr);
	if (!vh)
		return -EINVAL;
	bare = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, ntohs(nfg->res_id));
	nfq_nlmsg_verdict_put(bare, (int)ntohl(vh->id), (int)ntohl(vh->verdict));
	bare->nlmsg_seq = nlh->nlmsg_seq;
	return send_raw(q, bare, bare->nlmsg_len);
}

/* One message on its own; 0 only when it went as built. */
static int send_one(struct cthd_queue *q, struct cthd_tx_batch *tx, const struct nlmsghdr *nlh)
{
	int rc = send_raw(q, nlh, nlh->nlmsg_len);

	if (rc == 0)
		return 0;
	q->verdict_lost = true;
	if (too_large(rc))
		send_bare(q, nlh);
	if (tx->unsent)
		tx->unsent(tx->ctx, nlh);
	return rc;
}

int cthd_queue_flush(struct cthd_queue *q, struct cthd_tx_batch *tx, unsigned int *lost)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)tx->buf;
	unsigned int count = tx->count;
	int len = (int)tx->len, rc, first = 0;

	*lost = 0;
	if (!len)
		return 0;
	if (count > 1 && count <= CTHD_TX_NOTES) {
		merge(tx, !q->verdict_lost);
		nlh = (const struct nlmsghdr *)tx->buf;
		count = tx->count;
		len = (int)tx->len;
	}
	tx->len = 0;
	tx->count = 0;
	rc = send_raw(q, tx->buf, (size_t)len);
	if (rc == 0)
		return 0;
	if (!too_large(rc) || count == 1) {
		/* the kernel took none of them */
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (too_large(rc))
				send_bare(q, nlh);
			if (tx->unsent)
				tx->unsent(tx->ctx, nlh);
		}
		*lost = count;
		q->verdict_lost = true;
		return rc;
	}
	/*
	 * Nothing of the batch reached the kernel (netlink checks the size
	 * and allocates before it hands over a message): one by one. The
	 * kernel handles a batch message by message anyway, so only the
	 * number of system calls changes.
	 */
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		rc = send_one(q, tx, nlh);
		if (rc < 0) {
			(*lost)++;
			if (!first)
				first = rc;
		}
	}
	return first;
}

int cthd_queue_add(struct cthd_queue *q, struct cthd_tx_batch *tx,
		   const struct nlmsghdr *nlh, unsigned int *lost)
{
	return cthd_queue_add_noted(q, tx, nlh, NULL, lost);
}

int cthd_queue_add_noted(struct cthd_queue *q, struct cthd_tx_batch *tx,
			 const struct nlmsghdr *nlh, const struct cthd_tx_note *note,
			 unsigned int *lost)
{
	size_t limit = q->max_send && q->max_send < tx->size ? q->max_send : tx->size;
	size_t need = NLMSG_ALIGN(nlh->nlmsg_len);
	int rc = 0;

	*lost = 0;
	if (tx->len + need > limit) {
		rc = cthd_queue_flush(q, tx, lost);
		if (need > limit) {
			/* larger than any batch: on its own */
			int one = send_one(q, tx, nlh);

			if (one < 0) {
				(*lost)++;
				rc = rc ? rc : one;
			}
			return rc;
		}
	}
	if (tx->count < CTHD_TX_NOTES)
		tx->notes[tx->count] = note ? *note : (struct cthd_tx_note){ 0 };
	memcpy(tx->buf + tx->len, nlh, nlh->nlmsg_len);
	memset(tx->buf + tx->len + nlh->nlmsg_len, 0,
	       NLMSG_ALIGN(nlh->nlmsg_len) - nlh->nlmsg_len);
	tx->len += NLMSG_ALIGN(nlh->nlmsg_len);
	tx->count++;
	return rc;
}

/* A queue number no socket of this network namespace is bound to. */
static int unbound_queue(void)
{
	static uint8_t used[65536 / 8];
	char line[256];
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "r");

	memset(used, 0, sizeof(used));
	while (f && fgets(line, sizeof(line), f)) {
		unsigned int num;

		if (sscanf(line, "%u", &num) == 1 && num < 65536)
			used[num / 8] |= (uint8_t)(1 << (num % 8));
	}
	if (f)
		fclose(f);
	for (int num = 65535; num >= 0; num--)
		if (!(used[num / 8] & (1 << (num % 8))))
			return num;
	return -EBUSY;
}

/* A netfilter socket and a queue number nobody binds, for a probe verdict. */
static struct mnl_socket *probe_socket(int *queue, char *err, size_t errlen, int *rc)
{
	struct mnl_socket *nl;

	*queue = unbound_queue();
	if (*queue < 0) {
		snprintf(err, errlen, "probe: every queue number is bound");
		*rc = *queue;
		return NULL;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*rc = -errno;
		snprintf(err, errlen, "probe socket: %s", strerror(-*rc));
		if (nl)
			mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

int cthd_queue_probe_unprivileged_verdicts(const char *user, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	int queue, status, rc;
	pid_t pid;

	nl = probe_socket(&queue, err, errlen, &rc);
	if (!nl)
		return rc;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct nlmsghdr *nlh;
		char why[256];

		if (cthd_drop_privileges(user, 0, why, sizeof(why)) < 0)
			_exit(2);
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, (uint32_t)queue);
		nlh->nlmsg_flags |= NLM_F_ACK;
		nlh->nlmsg_seq = 1;
		nfq_nlmsg_verdict_put(nlh, 1, NF_ACCEPT);
		rc = cthd_nl_request(nl, nlh, NULL, NULL);
		/* anything but "no such queue" counts as refused: keep the capability */
		_exit(rc == -ENODEV || rc == -ENOENT || rc == 0 ? 0 : 1);
	}
	mnl_socket_close(nl);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		rc = -errno;
		snprintf(err, errlen, "probe: %s", strerror(-rc));
		return rc;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1) {
		snprintf(err, errlen, "probe: the unprivileged child failed");
		return -ECHILD;
	}
	return WEXITSTATUS(status) == 0;
}

/* Bind (or unbind) queue num to nl, for a probe: nothing is ever held in it. */
static int probe_bind(struct mnl_socket *nl, int queue, bool bind)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, (uint32_t)queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, bind ? NFQNL_CFG_CMD_BIND : NFQNL_CFG_CMD_UNBIND);
	if (bind) {
		/* a packet sent to this number meanwhile passes, never waits on us */
		nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_NONE, 0);
		nfq_nlmsg_cfg_put_qmaxlen(nlh, 0);
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_FAIL_OPEN));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
	}
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = bind ? 1 : 3;
	return cthd_nl_request(nl, nlh, NULL, NULL);
}

int cthd_queue_probe_exp_flush(char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int queue, rc;

	nl = probe_socket(&queue, err, errlen, &rc);
	if (!nl)
		return rc;
	/* a batch verdict is looked up among the sender's own bound queues */
	rc = probe_bind(nl, queue, true);
	if (rc < 0) {
		snprintf(err, errlen, "probe: binding queue %d: %s", queue, strerror(-rc));
		mnl_socket_close(nl);
		return rc;
	}
	/*
	 * Up to packet id 0: none (ids start at 1), on a queue that holds
	 * none anyway. A well-formed NFQA_EXP_FLUSH (no "invalid length" in
	 * the kernel log): a kernel that knows it refuses it in a batch
	 * (EOPNOTSUPP), one that does not ignores it and finds nothing to
	 * accept (ENOENT).
	 */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT_BATCH, (uint32_t)queue);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = 2;
	nfq_nlmsg_verdict_put(nlh, 0, NF_ACCEPT);
	mnl_attr_put_u32(nlh, CTHD_NFQA_EXP_FLUSH, htonl(0));
	rc = cthd_nl_request(nl, nlh, NULL, NULL);
	/* closing the socket would unbind it too: no need to fail on this */
	probe_bind(nl, queue, false);
	mnl_socket_close(nl);
	if (rc == -EOPNOTSUPP)
		return 1;
	if (rc == -ENOENT || rc == 0)
		return 0;
	snprintf(err, errlen, "probe batch verdict on queue %d: %s", queue, strerror(-rc));
	return rc;
}
