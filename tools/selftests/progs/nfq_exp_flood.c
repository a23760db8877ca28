// SPDX-License-Identifier: GPL-2.0
/* Verdicts with NFQA_EXP in a steady stream, to race the creation of
 * expectations against the removal of a user-space helper.
 *
 * usage: nfq_exp_flood helper [-q QUEUE] [-d MS | -H MS] [-E HELPER]
 *                             [-C PORT:EXPPORT:ASSIGN] [-D NAME:MS]
 *        nfq_exp_flood send ADDR PORT RATE
 *
 * helper: binds QUEUE (conntrack information, whole packets) and answers
 * every queued IPv4 UDP or TCP packet with one verdict: accept, an empty
 * NFQA_CT and one NFQA_EXP whose master is the packet's conntrack, for a
 * connection from the packet's destination address to its source address
 * and port, with CTA_EXPECT_HELP_NAME HELPER if given. Verdicts ask for an
 * acknowledgment, so that it can count how the expectations fared.
 *   -d MS  answer each packet MS milliseconds (default 300) after it came
 *   -H MS  hold every packet until SIGUSR1, then answer those held, spread
 *          over MS milliseconds: a test decides when verdicts come
 *   -D NAME:MS  on SIGUSR2, answer the held packets spread over MS
 *          milliseconds and delete helper NAME (NFNL_MSG_CTHELPER_DEL) a
 *          quarter of the way through: the verdicts that follow come in
 *          while the kernel purges it; prints "deleted NAME: RESULT"
 *   -F MASK  each verdict with an NFQA_EXP first removes the
 *          expectations of these classes of the packet's conntrack
 *          (NFQA_EXP_FLUSH, before NFQA_EXP in the message)
 *   -C PORT:EXPPORT:ASSIGN  a packet to PORT gets a permanent
 *          expectation for connections from anywhere to its destination
 *          address and EXPPORT instead, with CTA_EXPECT_HELP_NAME ASSIGN:
 *          every new connection to EXPPORT gets helper ASSIGN without any
 *          rule referring to it
 * Prints "ready", and a summary on SIGTERM.
 *
 * send: RATE UDP datagrams a second to ADDR:PORT, each from a socket of
 * its own (a new source port: a new conntrack), until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "cthelper_nl.h"

/* Only in our series (__be32 mask of expectation classes). */
#define NFQA_EXP_FLUSH_ 23

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sender(const char *addr, int port, int rate)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct timespec gap = { 0, 1000000000L / (rate > 0 ? rate : 1) };
	unsigned long sent = 0;

	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", addr);
		return 2;
	}
	while (!stop) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0) {
			perror("socket");
			return 1;
		}
		if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to,
			   sizeof(to)) == 1)
			sent++;
		close(fd);
		nanosleep(&gap, NULL);
	}
	printf("sent %lu\n", sent);
	return 0;
}

/* A queued packet waiting for its verdict. */
struct pending {
	uint32_t id;
	uint64_t due;
	uint8_t proto;
	uint32_t saddr, daddr;	/* network order */
	uint16_t sport, dport;	/* network order */
	bool exp;
};

#define RING 8192
static struct pending ring[RING];
static unsigned int head, tail;	/* tail - head packets pending */

static struct {
	const char *exp_helper;
	uint16_t queue;
	unsigned int delay_ms, spread_ms;
	bool hold;
	uint16_t ctl_port, exp_port;	/* host order */
	char ctl_assign[16];
	char del_name[16];
	unsigned int del_spread_ms;
	uint32_t flush_mask;
	bool flush;
} opt = { .delay_ms = 300 };

static struct {
	unsigned long packets, verdicts, expectations, errors;
	unsigned long acked, eshutdown, enoent, eopnotsupp, other;
} stats;

static volatile sig_atomic_t release, release_delete;

static void on_usr1(int sig)
{
	(void)sig;
	release = 1;
}

static void on_usr2(int sig)
{
	(void)sig;
	release_delete = 1;
}

/* Held packets (hold mode: due 0) are due from now on, spread out over
 * spread_ms; returns how many.
 */
static unsigned int release_held(unsigned int spread_ms)
{
	unsigned int i, n = tail - head;
	uint64_t t = now_ms();

	for (i = 0; i < n; i++)
		ring[(head + i) % RING].due = t + (uint64_t)spread_ms * i / n;
	return n;
}

/* Verdicts to send before the helper deletion of -D; 0: none pending. */
static unsigned int delete_after;
static struct mnl_socket *cthnl;

static void delete_helper(void)
{
	int ret = cth_del(cthnl, opt.del_name);

	printf("deleted %s: %s\n", opt.del_name,
	       ret ? strerror(-ret) : "ok");
}

static void count_ack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	switch (-e->error) {
	case 0: stats.acked++; break;
	case ESHUTDOWN: stats.eshutdown++; break;
	case ENOENT: stats.enoent++; break;
	case EOPNOTSUPP: stats.eopnotsupp++; break;
	default: stats.other++; break;
	}
}

static void put_tuple(struct nlmsghdr *nlh, int type, uint8_t proto,
		      uint32_t src, uint32_t dst, uint16_t sport,
		      uint16_t dport)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type), *n;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, src);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, dst);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, sport);
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, dport);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, nest);
}

static void send_verdict(struct mnl_socket *nl, const struct pending *p)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, opt.queue);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nfq_nlmsg_verdict_put(nlh, p->id, NF_ACCEPT);
	if (p->exp) {
		/* The kernel looks at NFQA_EXP only next to NFQA_CT. */
		nest = mnl_attr_nest_start(nlh, NFQA_CT);
		mnl_attr_nest_end(nlh, nest);
		if (opt.flush)
			mnl_attr_put_u32(nlh, NFQA_EXP_FLUSH_,
					 htonl(opt.flush_mask));
		nest = mnl_attr_nest_start(nlh, NFQA_EXP);
		mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(30));
		if (opt.ctl_port && ntohs(p->dport) == opt.ctl_port) {
			put_tuple(nlh, CTA_EXPECT_TUPLE, p->proto, 0, p->daddr,
				  0, htons(opt.exp_port));
			put_tuple(nlh, CTA_EXPECT_MASK, p->proto, 0,
				  0xffffffff, 0, 0xffff);
			mnl_attr_put_u32(nlh, CTA_EXPECT_FLAGS,
					 htonl(NF_CT_EXPECT_PERMANENT));
			mnl_attr_put_strz(nlh, CTA_EXPECT_HELP_NAME,
					  opt.ctl_assign);
		} else {
			put_tuple(nlh, CTA_EXPECT_TUPLE, p->proto, p->daddr,
				  p->saddr, 0, p->sport);
			put_tuple(nlh, CTA_EXPECT_MASK, p->proto, 0xffffffff,
				  0xffffffff, 0, 0xffff);
			if (opt.exp_helper)
				mnl_attr_put_strz(nlh, CTA_EXPECT_HELP_NAME,
						  opt.exp_helper);
		}
		mnl_attr_nest_end(nlh, nest);
		stats.expectations++;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		stats.errors++;
	stats.verdicts++;
}

static void queue_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = {};
	struct nfqnl_msg_packet_hdr *ph;
	struct pending *p;
	const uint8_t *pkt;
	struct iphdr ip;
	unsigned int len;

	(void)data;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	stats.packets++;
	if (tail - head == RING)	/* full: cannot happen at our rates */
		return;
	p = &ring[tail++ % RING];
	memset(p, 0, sizeof(*p));
	p->id = ntohl(ph->packet_id);
	p->due = opt.hold ? 0 : now_ms() + opt.delay_ms;
	if (!attr[NFQA_PAYLOAD] || !attr[NFQA_CT])
		return;
	pkt = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
	len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	if (len < sizeof(ip))
		return;
	memcpy(&ip, pkt, sizeof(ip));
	if (ip.version != 4 || len < ip.ihl * 4U + 4 ||
	    (ip.protocol != IPPROTO_UDP && ip.protocol != IPPROTO_TCP))
		return;
	p->proto = ip.protocol;
	p->saddr = ip.saddr;
	p->daddr = ip.daddr;
	memcpy(&p->sport, pkt + ip.ihl * 4, 2);
	memcpy(&p->dport, pkt + ip.ihl * 4 + 2, 2);
	p->exp = true;
}

static int config(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0)
		return -errno;
	ret = mnl_cb_run(buf, ret, 0, 0, NULL, NULL);
	return ret < 0 ? -errno : 0;
}

static int helper(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int one = 1, ret, fd, tries;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 2;
	}
	fd = mnl_socket_get_fd(nl);
	cthnl = nl_open();
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));

	/* The queue of a previous instance goes away with its socket. */
	for (tries = 0; tries < 30; tries++) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, opt.queue);
		nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
		ret = config(nl, nlh);
		if (ret != -EPERM)
			break;
		usleep(100000);
	}
	if (ret < 0) {
		fprintf(stderr, "bind queue %u: %s\n", opt.queue, strerror(-ret));
		return 2;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, opt.queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 128);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_CONNTRACK));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_CONNTRACK));
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(RING));
	ret = config(nl, nlh);
	if (ret < 0) {
		fprintf(stderr, "queue parameters: %s\n", strerror(-ret));
		return 2;
	}
	if (opt.hold)
		printf("ready: queue %u, verdicts on SIGUSR1 over %u ms\n",
		       opt.queue, opt.spread_ms);
	else
		printf("ready: queue %u, verdicts after %u ms\n", opt.queue,
		       opt.delay_ms);

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t t = now_ms();
		int timeout = 100;

		if (release) {
			release = 0;
			release_held(opt.spread_ms);
		}
		if (release_delete) {
			release_delete = 0;
			delete_after = release_held(opt.del_spread_ms) / 4 + 1;
		}
		while (head != tail && ring[head % RING].due &&
		       ring[head % RING].due <= t) {
			send_verdict(nl, &ring[head++ % RING]);
			if (delete_after && !--delete_after)
				delete_helper();
			t = now_ms();
		}
		/* Nothing was held, or fewer packets than expected. */
		if (delete_after && (head == tail || !ring[head % RING].due)) {
			delete_after = 0;
			delete_helper();
		}
		if (head != tail && ring[head % RING].due)
			timeout = ring[head % RING].due - t;
		if (poll(&pfd, 1, timeout) <= 0)
			continue;
		ret = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (ret < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("recv");
			break;
		}
		/* Not mnl_cb_run(): it stops at the first error message (a
		 * verdict on a packet dropped meanwhile) and loses the rest.
		 */
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, ret);
		     nlh = mnl_nlmsg_next(nlh, &ret))
			if (nlh->nlmsg_type == NLMSG_ERROR)
				count_ack(nlh);
			else
				queue_cb(nlh, NULL);
	}
	printf("summary: packets %lu verdicts %lu with_expectation %lu send_errors %lu\n",
	       stats.packets, stats.verdicts, stats.expectations,
	       stats.errors);
	printf("acks: ok %lu ESHUTDOWN %lu ENOENT %lu EOPNOTSUPP %lu other %lu\n",
	       stats.acked, stats.eshutdown, stats.enoent, stats.eopnotsupp,
	       stats.other);
	mnl_socket_close(nl);
	return 0;
}

int main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_signal };
	int c;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 5 && !strcmp(argv[1], "send"))
		return sender(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc < 2 || strcmp(argv[1], "helper"))
		goto usage;
	optind = 2;
	while ((c = getopt(argc, argv, "q:d:H:E:C:D:F:")) != -1) {
		switch (c) {
		case 'q': opt.queue = atoi(optarg); break;
		case 'd': opt.delay_ms = atoi(optarg); break;
		case 'H': opt.hold = true; opt.spread_ms = atoi(optarg); break;
		case 'E': opt.exp_helper = optarg; break;
		case 'F':
			opt.flush = true;
			opt.flush_mask = strtoul(optarg, NULL, 0);
			break;
		case 'D':
			if (sscanf(optarg, "%15[^:]:%u", opt.del_name,
				   &opt.del_spread_ms) != 2)
				goto usage;
			break;
		case 'C':
			if (sscanf(optarg, "%hu:%hu:%15s", &opt.ctl_port,
				   &opt.exp_port, opt.ctl_assign) != 3)
				goto usage;
			break;
		default: goto usage;
		}
	}
	return helper();
usage:
	fprintf(stderr, "see the comment at the top of %s\n", __FILE__);
	return 2;
}
