// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The verdict sending side (queue.c): no verdict is lost when a batch is
 * larger than what the socket takes. A unix seqpacket pair stands in for
 * the kernel (same rule as netlink: a message longer than SO_SNDBUF - 32
 * fails with EMSGSIZE, records keep their boundaries); as root, a real
 * nfnetlink socket checks the same against the kernel, which acks every
 * verdict on a queue nobody binds with an error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* the sending side and its static helpers, as the daemon links them */
#include "../nl_request.c"
#include "../privdrop.c"
#include "../queue.c"
#include "tap.h"

#define N_VERDICTS 64
#define PAYLOAD_LEN 1000
#define TINY_SNDBUF 4096	/* the kernel doubles it: 8192 */
#define MAX_IDS 256

/* What the peer received: one entry per verdict, records counted apart. */
struct received {
	int fd;
	unsigned int records, verdicts;
	size_t largest_record;
	uint32_t id[MAX_IDS];
	uint32_t verdict[MAX_IDS];
	bool payload[MAX_IDS], ct[MAX_IDS];
	bool batch[MAX_IDS];		/* NFQNL_MSG_VERDICT_BATCH: every packet up to id */
	uint16_t queue[MAX_IDS];
};

static void *reader(void *arg)
{
	struct received *r = arg;
	static uint8_t buf[1 << 20];
	ssize_t n;

	while ((n = recv(r->fd, buf, sizeof(buf), 0)) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		r->records++;
		if ((size_t)n > r->largest_record)
			r->largest_record = (size_t)n;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct nlattr *attr[NFQA_MAX + 1] = { 0 };
			const struct nfqnl_msg_verdict_hdr *vh;
			unsigned int i = r->verdicts;

			if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_VERDICT_HDR] ||
			    i >= MAX_IDS)
				continue;
			vh = mnl_attr_get_payload(attr[NFQA_VERDICT_HDR]);
			r->id[i] = ntohl(vh->id);
			r->verdict[i] = ntohl(vh->verdict);
			r->payload[i] = attr[NFQA_PAYLOAD] != NULL;
			r->ct[i] = attr[NFQA_CT] != NULL;
			r->batch[i] = nlh->nlmsg_type ==
				      ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT_BATCH);
			r->queue[i] = ntohs(((const struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->res_id);
			r->verdicts++;
		}
	}
	return NULL;
}

/* A queue whose socket is one end of a seqpacket pair; the reader has the other. */
struct rig {
	struct cthd_queue q;
	struct cthd_tx_batch tx;
	struct received got;
	pthread_t thread;
	int sv[2];
	unsigned int unsent;
	uint32_t unsent_id;
};

/* The daemon's hook: which verdicts did not go out as built. */
static void count_unsent(void *ctx, const struct nlmsghdr *nlh)
{
	struct rig *r = ctx;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };

	r->unsent++;
	if (nfq_nlmsg_parse(nlh, attr) >= 0 && attr[NFQA_VERDICT_HDR])
		r->unsent_id = ntohl(((const struct nfqnl_msg_verdict_hdr *)
				      mnl_attr_get_payload(attr[NFQA_VERDICT_HDR]))->id);
}

static int rig_open(struct rig *r, int sndbuf)
{
	memset(r, 0, sizeof(*r));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r->sv) < 0)
		return -errno;
	if (setsockopt(r->sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
		return -errno;
	r->q.nl = mnl_socket_fdopen(r->sv[0]);
	r->q.num = 3;
	if (!r->q.nl || cthd_tx_batch_alloc(&r->tx, CTHD_TX_BATCH_SIZE) < 0)
		return -ENOMEM;
	r->tx.unsent = count_unsent;
	r->tx.ctx = r;
	r->got.fd = r->sv[1];
	return pthread_create(&r->thread, NULL, reader, &r->got) ? -EAGAIN : 0;
}

/* Close the sending end; wait until the reader has everything. */
static void rig_close(struct rig *r)
{
	mnl_socket_close(r->q.nl);
	pthread_join(r->thread, NULL);
	close(r->sv[1]);
	cthd_tx_batch_free(&r->tx);
}

static struct nlmsghdr *verdict(void *buf, uint16_t queue, uint32_t id, uint32_t v,
				size_t payload_len, bool ct)
{
	static uint8_t payload[1 << 16];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue);

	memset(payload, 0x45, sizeof(payload));
	nfq_nlmsg_verdict_put(nlh, (int)id, (int)v);
	if (payload_len)
		nfq_nlmsg_verdict_put_pkt(nlh, payload, (uint32_t)payload_len);
	if (ct) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, NFQA_CT);

		mnl_attr_put_u32(nlh, 1, 0);
		mnl_attr_nest_end(nlh, nest);
	}
	return nlh;
}

static bool every_id_once(const struct received *r, uint32_t first, unsigned int n)
{
	unsigned int seen = 0;

	for (unsigned int i = 0; i < r->verdicts; i++) {
		if (r->id[i] < first || r->id[i] >= first + n)
			return false;
		seen++;
	}
	return seen == n;
}

/*
 * 64 verdicts of 1 kB each, 8 kB of send buffer: all of them arrive,
 * intact. Unsized (the socket's limit unknown), the batch fails as a whole
 * and the verdicts go one by one; sized, the batches stay below the limit.
 */
static void batch_bigger_than_sndbuf(struct tap *t, bool sized)
{
	static uint8_t buf[1 << 17];
	struct rig r;
	unsigned int lost = 0, total_lost = 0;
	int rc, first_rc = 0;
	bool payloads = true;
	const char *name = sized ? "sized_batch_bigger_than_sndbuf_every_verdict_sent" :
				   "batch_bigger_than_sndbuf_every_verdict_sent";

	if (rig_open(&r, TINY_SNDBUF) < 0 || (sized && cthd_queue_size_sndbuf(&r.q, 100) < 0)) {
		tap_check(t, false, name, "rig: %s", strerror(errno));
		return;
	}
	for (uint32_t i = 0; i < N_VERDICTS; i++) {
		rc = cthd_queue_add(&r.q, &r.tx, verdict(buf, 3, 100 + i, NF_ACCEPT,
							 PAYLOAD_LEN, false), &lost);
		total_lost += lost;
		if (rc < 0 && !first_rc)
			first_rc = rc;
	}
	rc = cthd_queue_flush(&r.q, &r.tx, &lost);
	total_lost += lost;
	if (rc < 0 && !first_rc)
		first_rc = rc;
	rig_close(&r);
	for (unsigned int i = 0; i < r.got.verdicts; i++)
		payloads &= r.got.payload[i];
	tap_check(t, first_rc == 0 && total_lost == 0 && r.unsent == 0,
		  sized ? "sized_batch_bigger_than_sndbuf_sends_without_error" :
			  "batch_bigger_than_sndbuf_sends_without_error",
		  "first error %s, %u lost, %u reported unsent", strerror(-first_rc), total_lost,
		  r.unsent);
	tap_check(t, every_id_once(&r.got, 100, N_VERDICTS) && payloads, name,
		  "%u of %u verdicts arrived in %u records", r.got.verdicts, N_VERDICTS,
		  r.got.records);
	if (sized)
		tap_check(t, r.q.max_send > 0 && r.got.largest_record <= r.q.max_send &&
			  r.got.records > 1 && r.got.records < N_VERDICTS,
			  "sized_batches_fit_the_socket", "%u records, the largest %zu bytes, "
			  "the socket takes %zu", r.got.records, r.got.largest_record, r.q.max_send);
}

/*
 * One verdict that no send buffer here takes (its payload alone is larger):
 * the packet must not stay queued for ever. What arrives is the bare
 * verdict (same id, same accept/drop), counted as lost.
 */
static void verdict_larger_than_sndbuf(struct tap *t, uint32_t v, bool sized, const char *name)
{
	static uint8_t buf[1 << 17];
	struct rig r;
	unsigned int lost = 0;
	int rc;

	if (rig_open(&r, TINY_SNDBUF) < 0 || (sized && cthd_queue_size_sndbuf(&r.q, 100) < 0)) {
		tap_check(t, false, name, "rig: %s", strerror(errno));
		return;
	}
	rc = cthd_queue_add(&r.q, &r.tx, verdict(buf, 3, 7, v, 20000, true), &lost);
	if (rc == 0)
		rc = cthd_queue_flush(&r.q, &r.tx, &lost);
	rig_close(&r);
	tap_check(t, r.got.verdicts == 1 && r.got.id[0] == 7 && r.got.verdict[0] == v &&
		  !r.got.payload[0] && !r.got.ct[0] && lost == 1 && rc == -EMSGSIZE &&
		  r.unsent == 1 && r.unsent_id == 7, name,
		  "%u verdict(s) arrived (id %u, verdict %u, payload %d, ct %d); rc %d, %u lost, "
		  "%u reported unsent",
		  r.got.verdicts, r.got.verdicts ? r.got.id[0] : 0,
		  r.got.verdicts ? r.got.verdict[0] : 0, r.got.verdicts && r.got.payload[0],
		  r.got.verdicts && r.got.ct[0], rc, lost, r.unsent);
}

/*
 * The same against the kernel: verdicts on a queue nobody binds, each
 * asking for an ack. The kernel acks each one it saw (with ENODEV or
 * similar), so the acks count the verdicts that went out.
 */
static void kernel_batch_bigger_than_sndbuf(struct tap *t)
{
	static uint8_t buf[1 << 17], rx[1 << 16];
	struct cthd_queue q = { .num = 0 };
	struct cthd_tx_batch tx;
	int sndbuf = TINY_SNDBUF, rcvbuf = 4 << 20, one = 1, queue = unbound_queue();
	unsigned int lost = 0, acks = 0;
	bool seen[N_VERDICTS] = { false };
	int rc = 0;

	q.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!q.nl || mnl_socket_bind(q.nl, 0, MNL_SOCKET_AUTOPID) < 0 || queue < 0 ||
	    cthd_tx_batch_alloc(&tx, 256 << 10) < 0) {
		tap_check(t, false, "kernel_batch_bigger_than_sndbuf_every_verdict_seen",
			  "netlink socket: %s", strerror(errno));
		return;
	}
	q.num = (uint16_t)queue;
	setsockopt(mnl_socket_get_fd(q.nl), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	setsockopt(mnl_socket_get_fd(q.nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	mnl_socket_setsockopt(q.nl, NETLINK_CAP_ACK, &one, sizeof(one));
	for (uint32_t i = 0; i < N_VERDICTS; i++) {
		struct nlmsghdr *nlh = verdict(buf, q.num, 1 + i, NF_ACCEPT, PAYLOAD_LEN, false);

		nlh->nlmsg_flags |= NLM_F_ACK;
		nlh->nlmsg_seq = 1000 + i;
		cthd_queue_add(&q, &tx, nlh, &lost);
	}
	rc = cthd_queue_flush(&q, &tx, &lost);
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(q.nl), rx, sizeof(rx), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)rx;
		int len = (int)n;

		if (n <= 0)
			break;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq >= 1000 &&
			    nlh->nlmsg_seq < 1000 + N_VERDICTS && !seen[nlh->nlmsg_seq - 1000]) {
				seen[nlh->nlmsg_seq - 1000] = true;
				acks++;
			}
	}
	mnl_socket_close(q.nl);
	cthd_tx_batch_free(&tx);
	tap_check(t, acks == N_VERDICTS, "kernel_batch_bigger_than_sndbuf_every_verdict_seen",
		  "the kernel acked %u of %u verdicts (flush: %s, %u lost)", acks, N_VERDICTS,
		  rc ? strerror(-rc) : "ok", lost);
}

/* One verdict to merge: queue, id, verdict, payload, and a conntrack (0: none). */
struct to_merge {
	uint16_t queue;
	uint32_t id, verdict;
	bool payload;
	uint32_t ct;		/* carries the private data of conntrack ct */
	bool ack;
};

/* What arrives for a list of verdicts added with notes and flushed at once. */
static bool merged(const struct to_merge *in, unsigned int n, struct received *got,
		   bool after_loss)
{
	static uint8_t buf[1 << 17];
	struct rig r;
	unsigned int lost;
	bool ok = rig_open(&r, 1 << 20) == 0;

	r.q.verdict_lost = after_loss;
	for (unsigned int i = 0; ok && i < n; i++) {
		struct nlmsghdr *nlh = verdict(buf, in[i].queue, in[i].id, in[i].verdict,
					       in[i].payload ? 100 : 0, in[i].ct != 0);
		struct cthd_tx_note note = {
			.state = in[i].ct != 0,
			.state_only = in[i].ct && !in[i].payload && in[i].verdict == NF_ACCEPT,
			.ct_id = in[i].ct,
		};

		if (in[i].ack)
			nlh->nlmsg_flags |= NLM_F_ACK;
		note.orig.sport = (uint16_t)in[i].ct;
		ok = cthd_queue_add_noted(&r.q, &r.tx, nlh, &note, &lost) == 0;
	}
	ok = ok && cthd_queue_flush(&r.q, &r.tx, &lost) == 0 && lost == 0;
	rig_close(&r);
	*got = r.got;
	return ok && r.unsent == 0;
}

/* got holds exactly these verdicts: "id:k" with k b (batch), c (conntrack), v (verdict), d (drop). */
static bool got_is(const struct received *got, const char *want)
{
	char have[512] = "";
	size_t len = 0;

	for (unsigned int i = 0; i < got->verdicts && len < sizeof(have) - 32; i++)
		len += (size_t)snprintf(have + len, sizeof(have) - len, "%s%u:%u%s%s%s",
					i ? " " : "", got->queue[i], got->id[i],
					got->batch[i] ? "b" : "v", got->ct[i] ? "c" : "",
					got->verdict[i] == NF_DROP ? "d" : "");
	if (strcmp(have, want))
		printf("# got \"%s\", want \"%s\"\n", have, want);
	return !strcmp(have, want);
}

/*
 * Merging before a send: runs of plain accepts of one queue become one
 * batch verdict for the run's last packet; a state-only verdict is dropped
 * to a plain accept when a later verdict of the send carries the same
 * conntrack's private data again; everything else goes as built, in order.
 */
static void merging(struct tap *t)
{
	static const struct to_merge accepts[] = {
		{ 3, 1, NF_ACCEPT, false, 0, false }, { 3, 2, NF_ACCEPT, false, 0, false },
		{ 3, 3, NF_ACCEPT, false, 0, false }, { 3, 4, NF_ACCEPT, false, 0, false },
	};
	static const struct to_merge states[] = {
		{ 3, 10, NF_ACCEPT, false, 7, false }, { 3, 11, NF_ACCEPT, false, 7, false },
		{ 3, 12, NF_ACCEPT, false, 8, false }, { 3, 13, NF_ACCEPT, true, 7, false },
		{ 3, 14, NF_ACCEPT, false, 8, false },
	};
	static const struct to_merge breaks[] = {
		{ 3, 20, NF_ACCEPT, false, 0, false }, { 3, 21, NF_DROP, false, 0, false },
		{ 3, 22, NF_ACCEPT, false, 0, false }, { 3, 23, NF_ACCEPT, true, 0, false },
		{ 3, 24, NF_ACCEPT, false, 0, false }, { 4, 25, NF_ACCEPT, false, 0, false },
		{ 4, 26, NF_ACCEPT, false, 0, false }, { 4, 27, NF_ACCEPT, false, 0, true },
		{ 4, 28, NF_ACCEPT, false, 9, false },
	};
	static const struct to_merge last_state[] = {
		{ 3, 30, NF_ACCEPT, false, 7, false }, { 3, 31, NF_ACCEPT, false, 0, false },
		{ 3, 32, NF_ACCEPT, false, 7, false },
	};
	struct received got = { 0 };

	tap_check(t, merged(accepts, 4, &got, false) && got_is(&got, "3:4b"),
		  "plain_accepts_merge_into_one_batch_verdict", "%u verdicts", got.verdicts);
	tap_check(t, merged(states, 5, &got, false) && got_is(&got, "3:12b 3:13vc 3:14vc"),
		  "superseded_state_only_verdicts_become_plain_and_merge", "%u verdicts",
		  got.verdicts);
	tap_check(t, merged(breaks, 9, &got, false) &&
		  got_is(&got, "3:20v 3:21vd 3:22v 3:23v 3:24v 4:26b 4:27v 4:28vc"),
		  "drops_payloads_acks_and_other_queues_are_not_merged", "%u verdicts",
		  got.verdicts);
	tap_check(t, merged(last_state, 3, &got, false) && got_is(&got, "3:31b 3:32vc"),
		  "the_last_state_of_a_conntrack_goes_out", "%u verdicts", got.verdicts);
	tap_check(t, merged(accepts, 1, &got, false) && got_is(&got, "3:1v"),
		  "a_lone_accept_stays_a_verdict", "%u verdicts", got.verdicts);
	/* a lost verdict's packet may still be queued: a batch would accept it */
	tap_check(t, merged(accepts, 4, &got, true) && got_is(&got, "3:1v 3:2v 3:3v 3:4v"),
		  "no_batch_verdict_after_a_lost_verdict", "%u verdicts", got.verdicts);
	tap_check(t, merged(states, 5, &got, true) && got_is(&got, "3:10v 3:11v 3:12v 3:13vc 3:14vc"),
		  "after_a_lost_verdict_superseded_states_still_go_plain", "%u verdicts",
		  got.verdicts);
}

/* A queue socket is sized for a whole batch, past net.core.wmem_max. */
static void kernel_sndbuf_takes_a_batch(struct tap *t)
{
	struct cthd_queue q = { .nl = mnl_socket_open(NETLINK_NETFILTER) };
	int got = 0, rc = q.nl ? cthd_queue_size_sndbuf(&q, CTHD_TX_BATCH_SIZE) : -errno;
	socklen_t len = sizeof(got);

	if (q.nl)
		getsockopt(mnl_socket_get_fd(q.nl), SOL_SOCKET, SO_SNDBUF, &got, &len);
	tap_check(t, rc == 0 && got >= CTHD_TX_BATCH_SIZE + 32 &&
		  q.max_send >= CTHD_TX_BATCH_SIZE, "kernel_sndbuf_takes_a_batch",
		  "rc %d, SO_SNDBUF %d, max_send %zu for batches of %d", rc, got, q.max_send,
		  CTHD_TX_BATCH_SIZE);
	if (q.nl)
		mnl_socket_close(q.nl);
}

int main(void)
{
	struct tap t = { 0 };

	merging(&t);
	batch_bigger_than_sndbuf(&t, false);
	batch_bigger_than_sndbuf(&t, true);
	verdict_larger_than_sndbuf(&t, NF_ACCEPT, false, "verdict_larger_than_sndbuf_goes_out_bare");
	verdict_larger_than_sndbuf(&t, NF_DROP, true,
				   "dropped_verdict_larger_than_sndbuf_stays_drop");
	if (geteuid() == 0) {
		kernel_batch_bigger_than_sndbuf(&t);
		kernel_sndbuf_takes_a_batch(&t);
	} else
		printf("# not root: the kernel netlink check is skipped\n");
	return tap_done(&t);
}
