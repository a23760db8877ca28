// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon's life: set up with privileges, harden, serve an epoll loop
 * (one nfqueue socket per served helper, a signalfd, the control socket),
 * drain and clean up on SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "ct_parse.h"
#include "cthelper_nl.h"
#include "daemon.h"
#include "nl_request.h"
#include "privdrop.h"

/* epoll tags: what became readable */
enum { TAG_QUEUE = 1, TAG_SIGNAL, TAG_CONTROL, TAG_IFADDR };
#define EP_TAG(kind, index) (((uint64_t)(kind) << 32) | (uint32_t)(index))

/* Batches read from one queue before looking at other sockets, for fairness. */
#define RECV_BURST 4
/* How long SIGTERM waits for packets still in flight. */
#define DRAIN_IDLE_MS 100
#define DRAIN_MAX_MS 2000

static int epoll_add(struct cthd_daemon *d, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* Resolve each configured helper against the registry. */
static int resolve_served(struct cthd_daemon *d, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < d->cfg->n_served; i++) {
		const struct cthd_served_config *sc = &d->cfg->served[i];
		struct cthd_served *s = &d->served[i];
		const char *why;

		s->cfg = sc;
		s->helper = cthd_helper_find(sc->name);
		if (!s->helper) {
			snprintf(err, errlen, "unknown helper '%s' (cthelperd --list-helpers)",
				 sc->name);
			return -ENOENT;
		}
		if (cthd_helper_validate(s->helper, &why) < 0) {
			snprintf(err, errlen, "helper %s: %s", sc->name, why);
			return -EINVAL;
		}
		if (sc->n_policies && sc->n_policies != s->helper->n_policies) {
			snprintf(err, errlen, "helper %s has %u expectation classes, the "
				 "configuration gives %u", sc->name, s->helper->n_policies,
				 sc->n_policies);
			return -EINVAL;
		}
		if (cthd_config_options(sc, s->helper, s->options, err, errlen) < 0)
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (d->served[j].cfg->queue == sc->queue) {
				snprintf(err, errlen, "helpers %s and %s both on queue %u",
					 d->served[j].cfg->name, sc->name, sc->queue);
				return -EINVAL;
			}
		d->n_served = i + 1;
	}
	return 0;
}

static int register_served(struct cthd_daemon *d, struct cthd_served *s, char *err,
			   size_t errlen)
{
	static const struct { uint16_t l3num; size_t offset; } families[] = {
		{ NFPROTO_IPV4, offsetof(struct cthd_served_config, inet) },
		{ NFPROTO_IPV6, offsetof(struct cthd_served_config, inet6) },
	};

	const uint8_t l4protos[] = { s->helper->l4proto, s->helper->also_l4proto };

	for (size_t f = 0; f < 4; f++) {
		struct cthd_kernel_helper *kh = &s->kernel[s->n_kernel];
		uint16_t l3num = families[f % 2].l3num;
		uint8_t l4proto = l4protos[f / 2];
		int rc;

		if (!l4proto || !*(const bool *)((const char *)s->cfg + families[f % 2].offset))
			continue;
		rc = cthd_register(d->cthnl, s->helper, s->cfg, l3num, l4proto,
				   d->cfg->register_helpers, kh, err, errlen);
		if (rc == -ENOENT) {
			/* the admin may still add it with nfct: serve the queue anyway */
			cthd_log(&d->log, LOG_WARNING, "%s", err);
			continue;
		}
		if (rc < 0)
			return rc;
		s->n_kernel++;
		if (kh->priv_len < s->helper->priv_len)
			cthd_log(&d->log, LOG_WARNING, "helper %s is registered with %u bytes of "
				 "private data, it needs %zu: served without state (re-add it "
				 "with priv-data-len %zu)", s->helper->name, kh->priv_len,
				 s->helper->priv_len, s->helper->priv_len);
		cthd_log(&d->log, LOG_INFO, "helper %s %s%s: %s, queue %u%s", s->helper->name,
			 l3num == NFPROTO_IPV4 ? "inet" : "inet6",
			 !s->helper->also_l4proto ? "" : l4proto == IPPROTO_TCP ? " tcp" : " udp",
			 kh->created ? "registered" : "enabled", s->cfg->queue,
			 s->cfg->fail_closed ? ", fail-closed" : "");
	}
	return 0;
}

/* Make sure the control socket's directory exists (/run/cthelperd). */
static void make_parent_dir(const char *path)
{
	char dir[CTHD_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
}

/*
 * A verdict that did not go out as built (see cthd_queue_flush). When it
 * carried NFQA_CT, the private-data cache (process.c) may hold what it
 * carried, which the kernel never got: the next packet of that conntrack
 * would be handled on a state the kernel does not have. The cache is
 * written when the verdict is built, not when it is sent, because a later
 * packet of the same receive batch must see it; so it is forgotten as a
 * whole here, which is the state after a restart (the kernel's copies are
 * the truth). Rare: the batches fit the socket and fall back to single
 * sends.
 */
static void verdict_unsent(void *ctx, const struct nlmsghdr *nlh)
{
	struct cthd_daemon *d = ctx;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == NFQA_CT) {
			memset(d->scratch->priv_cache, 0, sizeof(d->scratch->priv_cache));
			return;
		}
}

static int seed_one_nat_port(const struct nlmsghdr *nlh, void *data)
{
	struct cthd_daemon *d = data;
	struct cthd_exp_seen e;
	struct timespec now;

	if (cthd_exp_parse(nlh, &e) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		cthd_natports_seed(&d->scratch->natports, (uint64_t)now.tv_sec, e.l4proto,
				   &e.dst, e.dport, e.timeout);
	}
	return MNL_CB_OK;
}

/*
 * The ports expectations hold already, which a previous run may have told
 * peers behind NAT: a restarted daemon must not tell another peer the same
 * one (natport.h). Needs CAP_NET_ADMIN: at set-up only.
 */
static void seed_nat_ports(struct cthd_daemon *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	int rc;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++d->ctnl.seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	rc = cthd_nl_request(d->ctnl.nl, nlh, seed_one_nat_port, d);
	if (rc < 0)
		cthd_log(&d->log, LOG_WARNING, "cannot list the expectations NAT ports are held "
			 "by (%s): a port a previous run told a peer may be told again",
			 strerror(-rc));
}

int cthd_daemon_setup(struct cthd_daemon *d, const struct cthd_config *cfg,
		      char *err, size_t errlen)
{
	sigset_t mask;
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->exp_per_verdict = 1;
	d->epfd = d->sigfd = d->controlfd = d->janitor.fd = d->notify.fd = -1;
	cthd_log_init(&d->log, cfg->syslog);
	/* connected now: no socket or connect for the seccomp filter later */
	rc = cthd_notify_open(&d->notify, err, errlen);
	if (rc < 0)
		return rc;
	if (cfg->n_served == 0) {
		snprintf(err, errlen, "no helper to serve (--helper NAME or a Helper section)");
		return -EINVAL;
	}
	rc = resolve_served(d, err, errlen);
	if (rc < 0)
		return rc;

	/* buffers the loop needs, before seccomp limits what can be mapped */
	d->scratch = calloc(1, sizeof(*d->scratch));
	if (!d->scratch || cthd_rx_batch_alloc(&d->rx, 0x10000 + 4096) < 0 ||
	    cthd_tx_batch_alloc(&d->tx, CTHD_TX_BATCH_SIZE) < 0) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto err;
	}
	d->tx.unsent = verdict_unsent;
	d->tx.ctx = d;

	d->cthnl = cth_nl_open();
	if (!d->cthnl) {
		rc = -errno;
		snprintf(err, errlen, "helper netlink socket: %s", strerror(-rc));
		goto err;
	}
	for (unsigned int i = 0; i < d->n_served; i++) {
		rc = register_served(d, &d->served[i], err, errlen);
		if (rc < 0)
			goto err;
	}
	for (unsigned int i = 0; i < d->n_served; i++) {
		struct cthd_served *s = &d->served[i];

		rc = cthd_queue_open(&s->queue, s->cfg->queue, s->cfg->queue_len,
				     !s->cfg->fail_closed, err, errlen);
		if (rc < 0)
			goto err;
		if (!s->queue.unpriv_verdicts)
			cthd_log(&d->log, LOG_INFO, "queue %u: the kernel has no opt-in for "
				 "unprivileged verdicts (NFQA_CFG_F_UNPRIV_VERDICT); bound "
				 "without it, verdicts rely on the opener's capability",
				 s->cfg->queue);
	}
	rc = cthd_queue_probe_exp_flush(err, errlen);
	if (rc <= 0) {
		/* never claim a removal the kernel does not do: counted as flushes_lost */
		d->scratch->no_exp_flush = true;
		cthd_log(&d->log, LOG_INFO, "%s%sthe kernel has no NFQA_EXP_FLUSH: expectations "
			 "a helper removes (SIP: ended calls, unregistered phones) stay until "
			 "they time out", rc < 0 ? err : "", rc < 0 ? ": taken as " : "");
		err[0] = '\0';
	}
	rc = cthd_ctnl_open(&d->ctnl);
	if (rc < 0) {
		snprintf(err, errlen, "ctnetlink socket: %s", strerror(-rc));
		goto err;
	}
	seed_nat_ports(d);
	for (unsigned int i = 0; i < d->n_served; i++) {
		if (!d->served[i].helper->uses_ifaddrs || d->ifaddr_nl.nl)
			continue;
		rc = cthd_ifaddr_nl_open(&d->ifaddr_nl, err, errlen);
		if (rc < 0)
			goto err;
		d->scratch->ifaddrs = &d->ifaddr_nl.table;
	}

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->epfd < 0 || d->sigfd < 0 || epoll_add(d, d->sigfd, EP_TAG(TAG_SIGNAL, 0)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "epoll/signalfd: %s", strerror(-rc));
		goto err;
	}
	for (unsigned int i = 0; i < d->n_served; i++) {
		rc = epoll_add(d, cthd_queue_fd(&d->served[i].queue), EP_TAG(TAG_QUEUE, i));
		if (rc < 0) {
			snprintf(err, errlen, "epoll: %s", strerror(-rc));
			goto err;
		}
	}
	if (d->ifaddr_nl.nl) {
		rc = epoll_add(d, cthd_ifaddr_nl_fd(&d->ifaddr_nl), EP_TAG(TAG_IFADDR, 0));
		if (rc < 0) {
			snprintf(err, errlen, "epoll: %s", strerror(-rc));
			goto err;
		}
	}
	if (cfg->control[0]) {
		make_parent_dir(cfg->control);
		d->controlfd = cthd_control_listen(cfg->control);
		if (d->controlfd < 0) {
			rc = d->controlfd;
			snprintf(err, errlen, "control socket %s: %s", cfg->control, strerror(-rc));
			goto err;
		}
		rc = epoll_add(d, d->controlfd, EP_TAG(TAG_CONTROL, 0));
		if (rc < 0)
			goto err;
	}
	return 0;
err:
	cthd_daemon_teardown(d);
	return rc;
}

/* What needs CAP_NET_ADMIN at shutdown goes to a privileged child. */
static int start_janitor(struct cthd_daemon *d)
{
	const struct cthd_helper *helpers[CTHD_SERVED_MAX * 4];
	struct cthd_kernel_helper kh[CTHD_SERVED_MAX * 4];
	struct cthd_queue queues[CTHD_SERVED_MAX];
	size_t n = 0;

	for (unsigned int i = 0; i < d->n_served; i++) {
		queues[i] = d->served[i].queue;
		for (unsigned int k = 0; k < d->served[i].n_kernel; k++)
			if (d->served[i].kernel[k].created) {
				helpers[n] = d->served[i].helper;
				kh[n++] = d->served[i].kernel[k];
			}
	}
	return cthd_janitor_start(&d->janitor, helpers, kh, n, queues, d->n_served, d->cfg->user);
}

/*
 * After the drop, only the sockets the loop uses stay open: the queues,
 * the control socket, syslog's, systemd's notification socket; ctnetlink
 * only when an expectation may not fit in its verdict (a kernel without
 * this series); the helper socket only to delete at exit, with
 * CAP_NET_ADMIN, the helpers this run created (without it the janitor
 * does that). Everything else that is a socket
 * goes, whoever opened it (set-up, getpwnam(3), whoever started us): a
 * hijacked daemon finds no socket the unprivileged user could not open.
 */
static int close_unneeded_sockets(struct cthd_daemon *d, char *err, size_t errlen)
{
	int keep[CTHD_SERVED_MAX + 11] = { d->epfd, d->sigfd, d->controlfd, d->janitor.fd,
					   cthd_ifaddr_nl_fd(&d->ifaddr_nl), d->notify.fd };
	size_t n = 6;
	bool created = false;
	int rc;

	/* stdio stays, journald's unix sockets included; any other socket there goes */
	for (int fd = 0; fd <= 2; fd++) {
		int domain = AF_UNIX;
		socklen_t len = sizeof(domain);

		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain == AF_UNIX)
			keep[n++] = fd;
	}
	for (unsigned int i = 0; i < d->n_served; i++) {
		keep[n++] = cthd_queue_fd(&d->served[i].queue);
		for (unsigned int k = 0; k < d->served[i].n_kernel; k++)
			created |= d->served[i].kernel[k].created;
	}
	if (d->exp_per_verdict >= CTHD_EXPECT_MAX)
		cthd_ctnl_close(&d->ctnl);
	else
		keep[n++] = mnl_socket_get_fd(d->ctnl.nl);
	/* libcthelper does not say which descriptor it has: reopened below */
	if (d->cthnl)
		cth_nl_close(d->cthnl);
	d->cthnl = NULL;
	/* syslog(3) does not say either: reconnected below, as the new user */
	if (d->log.use_syslog)
		closelog();
	rc = cthd_close_sockets_except(keep, n);
	/* a closed stream's number must not go to a socket stdio would write to */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			rc = rc < 0 ? rc : -EBADF;
	if (d->log.use_syslog)
		cthd_log_init(&d->log, true);
	if (rc < 0) {
		snprintf(err, errlen, "closing the sockets the daemon does not need: %s",
			 strerror(-rc));
		return rc;
	}
	if (created && d->janitor.fd < 0) {
		/* opened with CAP_NET_ADMIN, which nfnetlink checks on the opener */
		d->cthnl = cth_nl_open();
		if (!d->cthnl) {
			rc = -errno;
			snprintf(err, errlen, "helper netlink socket: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/*
 * A served helper's option whose value needs verdicts the kernel refuses
 * to an unprivileged sender (sip_direct_media 0): its text, else NULL.
 */
static const char *privileged_option(const struct cthd_daemon *d, char *what, size_t size)
{
	for (unsigned int i = 0; i < d->n_served; i++) {
		const struct cthd_helper *h = d->served[i].helper;

		for (unsigned int k = 0; k < h->n_options; k++) {
			if (!h->options[k].privileged || d->served[i].options[k] == h->options[k].def)
				continue;
			snprintf(what, size, "helper %s: Option %s %u (%s)", h->name,
				 h->options[k].name, d->served[i].options[k], h->options[k].privileged);
			return what;
		}
	}
	return NULL;
}

int cthd_daemon_harden(struct cthd_daemon *d, char *err, size_t errlen)
{
	char what[160];
	const char *privileged = privileged_option(d, what, sizeof(what));
	uint64_t keep = 1ULL << CAP_NET_ADMIN;
	int rc;

	rc = cthd_queue_probe_unprivileged_verdicts(d->cfg->user, err, errlen);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		/*
		 * This project's kernel series: it also attaches every
		 * NFQA_EXP of a verdict (an earlier patch of it).
		 */
		d->exp_per_verdict = CTHD_EXPECT_MAX;
		if (privileged && d->cfg->caps != CTHD_CAPS_NET_ADMIN) {
			/*
			 * Never a silent no-op (the kernel would refuse each such
			 * expectation with EPERM), nor a privilege the admin did
			 * not grant: the daemon parses hostile payload all day.
			 */
			snprintf(err, errlen, "%s needs verdicts from a privileged sender: without "
				 "CAP_NET_ADMIN the kernel refuses them (EPERM). Set Capabilities "
				 "net_admin (--capabilities net_admin: the daemon keeps CAP_NET_ADMIN "
				 "in its network namespace) or leave the option at its default",
				 privileged);
			return -EPERM;
		}
		if (d->cfg->caps != CTHD_CAPS_NET_ADMIN)
			keep = 0;
	} else if (d->cfg->caps == CTHD_CAPS_NONE) {
		snprintf(err, errlen, "this kernel refuses queue verdicts from a sender "
			 "without CAP_NET_ADMIN: use Capabilities auto or net_admin");
		return -EPERM;
	}
	if (!keep) {
		rc = start_janitor(d);
		if (rc < 0) {
			snprintf(err, errlen, "janitor process: %s", strerror(-rc));
			return rc;
		}
	}
	if (privileged && keep)
		cthd_log(&d->log, LOG_WARNING, "%s: verdicts unrestricted, CAP_NET_ADMIN kept",
			 privileged);
	rc = cthd_drop_privileges(d->cfg->user, keep, err, errlen);
	if (rc < 0)
		return rc;
	rc = close_unneeded_sockets(d, err, errlen);
	if (rc < 0)
		return rc;
	d->caps_kept = keep;
	cthd_log(&d->log, LOG_INFO, "running as %s with %s", d->cfg->user,
		 keep ? "CAP_NET_ADMIN only (this kernel checks the sender of verdicts)" :
			"no capabilities");
	if (!d->cfg->seccomp)
		return 0;
	rc = cthd_install_seccomp(err, errlen);
	if (rc == 0)
		cthd_log(&d->log, LOG_INFO, "seccomp filter installed");
	return rc;
}

static void count_lost_verdicts(struct cthd_daemon *d, struct cthd_served *s, int rc,
				unsigned int lost)
{
	if (rc >= 0)
		return;
	s->counters.kernel_errors += lost;
	cthd_log_limited(&d->log, &s->kernel_ratelimit, LOG_ERR, "helper %s: %u verdict(s): %s",
			 s->helper->name, lost, strerror(-rc));
}

/*
 * Send what d->tx holds for s. state_updates counts the verdicts that
 * carried the private data when they were built: those a later verdict of
 * the send superseded (see cthd_queue_flush) went without it.
 */
static int flush_verdicts(struct cthd_daemon *d, struct cthd_served *s)
{
	unsigned long superseded = d->tx.superseded;
	unsigned int lost;
	int rc = cthd_queue_flush(&s->queue, &d->tx, &lost);

	s->counters.state_updates -= d->tx.superseded - superseded;
	count_lost_verdicts(d, s, rc, lost);
	return rc;
}

static void handle_packet(struct cthd_daemon *d, struct cthd_served *s,
			  const struct nlmsghdr *nlh)
{
	struct cthd_outcome out;
	unsigned int lost;
	int rc;

	uint64_t flushes_lost = s->counters.flushes_lost;

	cthd_process_packet(nlh, s->helper, s->options, d->exp_per_verdict, d->scratch, &s->counters,
			    &out);
	if (!flushes_lost && s->counters.flushes_lost)
		cthd_log(&d->log, LOG_WARNING, "helper %s: this kernel cannot remove expectations "
			 "(no NFQA_EXP_FLUSH): those it should have removed stay until they time "
			 "out; counted as flushes_lost", s->helper->name);
	if (out.error < 0)
		cthd_log_limited(&d->log, &s->ratelimit, LOG_WARNING,
				 "helper %s: %s: %s; packet accepted", s->helper->name,
				 out.error_what, strerror(-out.error));
	if (!out.verdict)
		return;
	rc = cthd_queue_add_noted(&s->queue, &d->tx, out.verdict, &out.note, &lost);
	count_lost_verdicts(d, s, rc, lost);
	if (!out.n_extra)
		return;

	/* only a sent verdict confirms the master: then the kernel can find it */
	rc = flush_verdicts(d, s);
	if (rc < 0)
		return;
	for (unsigned int i = 0; i < out.n_extra; i++) {
		rc = cthd_ctnl_add_expect(&d->ctnl, &out.extra[i], &out.master);
		if (rc < 0) {
			s->counters.kernel_errors++;
			cthd_log_limited(&d->log, &s->kernel_ratelimit, LOG_WARNING,
					 "helper %s: extra expectation: %s", s->helper->name,
					 strerror(-rc));
		}
	}
}

static void handle_message(struct cthd_daemon *d, struct cthd_served *s, const void *buf,
			   size_t size)
{
	const struct nlmsghdr *nlh = buf;
	int len = (int)size;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			/* a verdict the kernel refused (unknown id, bad attribute) */
			if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*e)) && e->error) {
				s->counters.kernel_errors++;
				cthd_log_limited(&d->log, &s->kernel_ratelimit, LOG_WARNING,
						 "helper %s: kernel refused a verdict: %s",
						 s->helper->name, strerror(-e->error));
			}
			continue;
		}
		if (nlh->nlmsg_type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
			handle_packet(d, s, nlh);
	}
}

/*
 * Read and answer what is queued, a batch at a time: the verdicts on a
 * batch go out together, before the next receive. Returns the number of
 * messages seen.
 */
static unsigned int handle_queue(struct cthd_daemon *d, struct cthd_served *s)
{
	unsigned int messages = 0;

	for (int burst = 0; burst < RECV_BURST; burst++) {
		int n = cthd_queue_recv(&s->queue, &d->rx);

		if (n < 0)
			cthd_log_limited(&d->log, &s->ratelimit, LOG_ERR, "queue %u: receive: %s",
					 s->cfg->queue, strerror(-n));
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			handle_message(d, s, d->rx.buf[i], d->rx.msgs[i].msg_len);
		flush_verdicts(d, s);
		messages += (unsigned int)n;
		if (n < CTHD_RX_BATCH)
			break;	/* drained: back to epoll rather than an empty receive */
	}
	return messages;
}

static int stats_entries(const struct cthd_daemon *d, struct cthd_stats_entry *e)
{
	for (unsigned int i = 0; i < d->n_served; i++) {
		e[i].name = d->served[i].helper->name;
		e[i].queue = d->served[i].cfg->queue;
		e[i].c = &d->served[i].counters;
	}
	return (int)d->n_served;
}

static int control_answer(const char *request, char *buf, size_t size, void *data)
{
	const struct cthd_daemon *d = data;
	struct cthd_stats_entry e[CTHD_SERVED_MAX];
	int n = stats_entries(d, e);

	if (!strcmp(request, "stats"))
		return cthd_stats_format_text(e, (size_t)n, buf, size);
	if (!strcmp(request, "stats json"))
		return cthd_stats_format_json(e, (size_t)n, buf, size);
	return snprintf(buf, size, "error: unknown request '%.40s' (stats, stats json)\n",
			request);
}

static void handle_signals(struct cthd_daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			cthd_log(&d->log, LOG_INFO, "signal %u: draining and stopping", si.ssi_signo);
			d->stopping = true;
			break;
		case SIGUSR1: {
			char buf[4096];
			struct cthd_stats_entry e[CTHD_SERVED_MAX];
			int n = stats_entries(d, e);

			if (cthd_stats_format_json(e, (size_t)n, buf, sizeof(buf)) > 0) {
				buf[strcspn(buf, "\n")] = '\0';
				cthd_log(&d->log, LOG_INFO, "stats %s", buf);
			}
			break;
		}
		default:
			cthd_log(&d->log, LOG_INFO, "signal %u ignored (no reload: restart "
				 "instead, connections keep their state)", si.ssi_signo);
		}
	}
}

static void read_ifaddrs(struct cthd_daemon *d)
{
	unsigned int resyncs = d->ifaddr_nl.resyncs, forged = d->ifaddr_nl.forged;
	unsigned int overflows = d->ifaddr_nl.table.overflows;
	int rc = cthd_ifaddr_nl_read(&d->ifaddr_nl);

	if (rc < 0)
		cthd_log(&d->log, LOG_ERR, "reading the interface addresses: %s", strerror(-rc));
	if (d->ifaddr_nl.resyncs != resyncs)
		cthd_log(&d->log, LOG_WARNING, "address notifications lost: dumping them again");
	if (d->ifaddr_nl.forged != forged)
		cthd_log(&d->log, LOG_WARNING, "ignored an address message not from the kernel");
	if (d->ifaddr_nl.table.overflows != overflows)
		cthd_log(&d->log, LOG_WARNING, "more than %d interface addresses: queries "
			 "from the others get no expectation", CTHD_IFADDR_MAX);
}

void cthd_daemon_run(struct cthd_daemon *d)
{
	struct epoll_event events[CTHD_SERVED_MAX + 2];

	cthd_log(&d->log, LOG_INFO, "serving %u helper(s)", d->n_served);
	while (!d->stopping) {
		int n = epoll_wait(d->epfd, events, (int)(sizeof(events) / sizeof(events[0])),
				   cthd_notify_watchdog(&d->notify));

		if (n < 0 && errno != EINTR) {
			cthd_log(&d->log, LOG_ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			uint32_t kind = (uint32_t)(events[i].data.u64 >> 32);
			uint32_t index = (uint32_t)events[i].data.u64;

			if (kind == TAG_QUEUE)
				handle_queue(d, &d->served[index]);
			else if (kind == TAG_SIGNAL)
				handle_signals(d);
			else if (kind == TAG_CONTROL)
				cthd_control_serve_one(d->controlfd, control_answer, d);
			else if (kind == TAG_IFADDR)
				read_ifaddrs(d);
		}
	}
}

/*
 * Packets still queued when a queue is unbound would be dropped by the
 * kernel. Shrink the queues to 0 first (new packets overflow: with
 * fail-open they pass unhelped), then answer what is there until the
 * queues stay quiet.
 */
static void drain(struct cthd_daemon *d)
{
	int quiet_ms = 0, total_ms = 0;

	if (d->janitor.fd >= 0)
		cthd_janitor_shrink_queues(&d->janitor);
	else
		for (unsigned int i = 0; i < d->n_served; i++)
			if (d->served[i].queue.nl)
				cthd_queue_set_maxlen(&d->served[i].queue, 0);
	while (quiet_ms < DRAIN_IDLE_MS && total_ms < DRAIN_MAX_MS) {
		struct epoll_event events[CTHD_SERVED_MAX + 2];
		unsigned int packets = 0;
		int n = epoll_wait(d->epfd, events, (int)(sizeof(events) / sizeof(events[0])), 10);

		for (int i = 0; i < n; i++)
			if ((uint32_t)(events[i].data.u64 >> 32) == TAG_QUEUE)
				packets += handle_queue(d, &d->served[(uint32_t)events[i].data.u64]);
		quiet_ms = packets ? 0 : quiet_ms + 10;
		total_ms += 10;
	}
}

void cthd_daemon_teardown(struct cthd_daemon *d)
{
	cthd_notify_send(&d->notify, "STOPPING=1");
	if (d->epfd >= 0)
		drain(d);
	for (unsigned int i = 0; i < d->n_served; i++)
		cthd_queue_close(&d->served[i].queue);
	if (d->janitor.fd >= 0) {
		/* without CAP_NET_ADMIN: the janitor deletes what this run created */
		int rc = cthd_janitor_finish(&d->janitor);
		bool created = false;

		for (unsigned int i = 0; i < d->n_served; i++)
			for (unsigned int k = 0; k < d->served[i].n_kernel; k++)
				created |= d->served[i].kernel[k].created;
		/* with nothing to delete, there is nothing to report */
		if (created && rc < 0)
			cthd_log(&d->log, LOG_WARNING, "cannot delete the helpers this run "
				 "registered: %s%s", strerror(-rc), rc == -EBUSY ?
				 " (a rule still refers to them: delete them with nfct once "
				 "it is gone)" : "");
		else if (created)
			cthd_log(&d->log, LOG_INFO, "the helpers this run registered are deleted");
		for (unsigned int i = 0; i < d->n_served; i++)
			d->served[i].n_kernel = 0;
	}
	for (unsigned int i = 0; i < d->n_served; i++) {
		struct cthd_served *s = &d->served[i];

		for (unsigned int k = 0; k < s->n_kernel; k++) {
			int rc;

			if (!s->kernel[k].created || !d->cthnl)
				continue;
			rc = cthd_unregister(d->cthnl, s->helper, &s->kernel[k]);
			cthd_log(&d->log, rc ? LOG_WARNING : LOG_INFO, "helper %s %s: %s%s",
				 s->helper->name, s->kernel[k].l3num == NFPROTO_IPV4 ? "inet" : "inet6",
				 rc ? "cannot delete: " : "deleted", rc ? strerror(-rc) : "");
		}
		s->n_kernel = 0;
	}
	cthd_ctnl_close(&d->ctnl);
	cthd_ifaddr_nl_close(&d->ifaddr_nl);
	if (d->cthnl)
		cth_nl_close(d->cthnl);
	d->cthnl = NULL;
	if (d->controlfd >= 0) {
		close(d->controlfd);
		/* EACCES after the drop: left for the next run (unlinkat: the filter's) */
		unlinkat(AT_FDCWD, d->cfg->control, 0);
	}
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->epfd >= 0)
		close(d->epfd);
	d->controlfd = d->sigfd = d->epfd = -1;
	free(d->scratch);
	d->scratch = NULL;
	cthd_rx_batch_free(&d->rx);
	cthd_tx_batch_free(&d->tx);
	cthd_notify_close(&d->notify);
}
