// SPDX-License-Identifier: GPL-2.0
/*
 * The cheapest possible consumer of a helper queue, for the benchmark: it
 * binds QUEUE with conntrack info (so the kernel builds the same messages as
 * for a real helper), reads up to BATCH packets at a time and accepts each
 * batch with one NFQNL_MSG_VERDICT_BATCH. It looks at nothing, so its
 * throughput bounds what any user-space helper can reach on this machine.
 *
 * With -H it gives no verdict at all: the packets stay queued until it
 * exits, for tests of what else drops a namespace's queued packets.
 *
 * usage: nfq_accept [-H] [-q QUEUE]
 * Prints "ready" once bound; on SIGTERM prints "packets N" and exits.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define BATCH 16
#define MSG_SIZE 0x10000

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "nfq_accept: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void send_msg(struct mnl_socket *nl, const struct nlmsghdr *nlh, const char *what)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die(what);
}

static void bind_queue(struct mnl_socket *nl, uint16_t queue)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	ssize_t len;

	nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_CONNTRACK));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_CONNTRACK));
	nlh->nlmsg_flags |= NLM_F_ACK;
	send_msg(nl, nlh, "bind queue");
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (len < 0 || mnl_cb_run(buf, (size_t)len, 0, mnl_socket_get_portid(nl), NULL, NULL) < 0)
		die("bind queue");
}

/* The id of the last packet in a received message, 0 if it holds none. */
static uint32_t last_packet_id(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;
	uint32_t id = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nlattr *attr[NFQA_MAX + 1] = { 0 };
		const struct nfqnl_msg_packet_hdr *ph;

		if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET) ||
		    nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
			continue;
		ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
		id = ntohl(ph->packet_id);
	}
	return id;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	static char bufs[BATCH][MSG_SIZE];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned long packets = 0;
	uint16_t queue = 0;
	struct mnl_socket *nl;
	bool hold = false;
	int opt;

	while ((opt = getopt(argc, argv, "Hq:")) != -1) {
		char *end;
		unsigned long num = opt == 'q' ? strtoul(optarg, &end, 10) : 0;

		if (opt == 'H') {
			hold = true;
			continue;
		}
		if (opt != 'q' || *optarg == '\0' || *end || num > 65535) {
			fputs("usage: nfq_accept [-H] [-q QUEUE], QUEUE 0..65535\n", stderr);
			return 2;
		}
		queue = (uint16_t)num;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket");
	bind_queue(nl, queue);
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (hold && !stop)
		pause();

	while (!stop) {
		char vbuf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh;
		uint32_t last = 0;
		int n = recvmmsg(mnl_socket_get_fd(nl), msgs, BATCH, MSG_WAITFORONE, NULL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("receive");
		}
		for (int i = 0; i < n; i++) {
			uint32_t id = last_packet_id(bufs[i], msgs[i].msg_len);

			if (id) {
				last = id;
				packets++;
			}
		}
		if (!last)
			continue;
		/* accepts every packet of the queue up to and including last */
		nlh = nfq_nlmsg_put(vbuf, NFQNL_MSG_VERDICT_BATCH, queue);
		nfq_nlmsg_verdict_put(nlh, (int)last, NF_ACCEPT);
		send_msg(nl, nlh, "verdict");
	}
	printf("packets %lu\n", packets);
	mnl_socket_close(nl);
	return 0;
}
