// SPDX-License-Identifier: GPL-2.0-or-later
/* nfnetlink_queue sockets with libmnl and libnetfilter_queue's nlmsg API. */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nl_request.h"
#include "privdrop.h"
#include "queue.h"

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

	/* one message: bind, copy mode, length and flags, acked together */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, COPY_RANGE);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, maxlen);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++q->seq;
	rc = cthd_nl_request(q->nl, nlh, setup_cb, q);
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
	tx->size = size;
	return tx->buf ? 0 : -ENOMEM;
}

void cthd_tx_batch_free(struct cthd_tx_batch *tx)
{
	free(tx->buf);
	tx->buf = NULL;
}

int cthd_queue_recv(struct cthd_queue *q, struct cthd_rx_batch *rx)
{
	int n = recvmmsg(mnl_socket_get_fd(q->nl), rx->msgs, CTHD_RX_BATCH, MSG_DONTWAIT,
			 NULL);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	return n;
}

int cthd_queue_flush(struct cthd_queue *q, struct cthd_tx_batch *tx, unsigned int *lost)
{
	unsigned int count = tx->count;
	size_t len = tx->len;

	*lost = 0;
	if (!len)
		return 0;
	tx->len = 0;
	tx->count = 0;
	if (mnl_socket_sendto(q->nl, tx->buf, len) < 0) {
		*lost = count;
		return -errno;
	}
	return 0;
}

int cthd_queue_add(struct cthd_queue *q, struct cthd_tx_batch *tx,
		   const struct nlmsghdr *nlh, unsigned int *lost)
{
	int rc = 0;

	*lost = 0;
	if (tx->len + NLMSG_ALIGN(nlh->nlmsg_len) > tx->size) {
		rc = cthd_queue_flush(q, tx, lost);
		if (nlh->nlmsg_len > tx->size) {
			/* larger than any batch: on its own */
			if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
				(*lost)++;
				rc = -errno;
			}
			return rc;
		}
	}
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

int cthd_queue_probe_unprivileged_verdicts(const char *user, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	int queue = unbound_queue(), status, rc;
	pid_t pid;

	if (queue < 0) {
		snprintf(err, errlen, "probe: every queue number is bound");
		return queue;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		snprintf(err, errlen, "probe socket: %s", strerror(-rc));
		if (nl)
			mnl_socket_close(nl);
		return rc;
	}
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
