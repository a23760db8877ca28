/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon: sockets, registration, the event loop, shutdown. */
#ifndef CTHELPERD_DAEMON_H
#define CTHELPERD_DAEMON_H

#include <stdbool.h>

#include "config.h"
#include "ctnl.h"
#include "ifaddr_nl.h"
#include "janitor.h"
#include "log.h"
#include "notify.h"
#include "process.h"
#include "queue.h"
#include "register.h"
#include "stats.h"

struct cth_nl;

/* A helper being served on its queue. */
struct cthd_served {
	const struct cthd_helper *helper;
	const struct cthd_served_config *cfg;
	uint32_t options[CTHD_OPTION_MAX];	/* the helper's, configured or default */
	struct cthd_queue queue;
	struct cthd_counters counters;
	unsigned int n_kernel;
	struct cthd_kernel_helper kernel[4];	/* per family and L4 protocol */
	struct cthd_ratelimit ratelimit;	/* packets accepted on error */
	struct cthd_ratelimit kernel_ratelimit;	/* what the kernel refused */
};

struct cthd_daemon {
	const struct cthd_config *cfg;
	struct cthd_log log;
	unsigned int n_served;
	struct cthd_served served[CTHD_SERVED_MAX];
	struct cth_nl *cthnl;		/* helper registration (libcthelper) */
	struct cthd_ctnl ctnl;		/* expectations past the first */
	/* the firewall's addresses, when a served helper answers queries */
	struct cthd_ifaddr_nl ifaddr_nl;
	int epfd, sigfd, controlfd;
	struct cthd_scratch *scratch;
	struct cthd_rx_batch rx;	/* queued packets, read in batches */
	struct cthd_tx_batch tx;	/* verdicts, sent in batches */
	bool stopping;
	uint64_t caps_kept;		/* capability mask after the drop */
	unsigned int exp_per_verdict;	/* NFQA_EXP the kernel takes per verdict */
	struct cthd_janitor janitor;	/* when no capability is kept */
	struct cthd_notify notify;	/* systemd: READY=1, the watchdog */
};

/*
 * Everything that needs privileges: register/enable the helpers, bind the
 * queues, open ctnetlink, the control socket, signals and epoll. On error,
 * what was set up is undone. Returns 0 or -errno with a message in err.
 */
int cthd_daemon_setup(struct cthd_daemon *d, const struct cthd_config *cfg,
		      char *err, size_t errlen);

/*
 * Drop to cfg->user with no capability when the kernel takes verdicts from
 * an unprivileged sender (a janitor child then shrinks the queues and
 * deletes created helpers at exit), else with CAP_NET_ADMIN only (cfg->caps
 * decides); then seccomp.
 */
int cthd_daemon_harden(struct cthd_daemon *d, char *err, size_t errlen);

/* Serve until SIGTERM/SIGINT; WATCHDOG=1 to systemd while the loop turns. */
void cthd_daemon_run(struct cthd_daemon *d);

/* Drain the queues, delete the helpers this run created, close all. */
void cthd_daemon_teardown(struct cthd_daemon *d);

#endif
