// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The janitor keeps CAP_NET_ADMIN for the whole run: it must hold nothing
 * it does not use. Start it the way the daemon does, with descriptors the
 * daemon had at that point (its other sockets, a pipe, a file), and list
 * /proc/PID/fd once it is confined: only its standard streams on
 * /dev/null, its command pipe, the queue sockets and a helper socket of
 * its own may be there. Needs root; skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../janitor.c"
#include "../nl_request.c"
#include "../privdrop.c"
#include "../queue.c"
#include "proc_fd.h"
#include "tap.h"

/* Helper deletion is register.c's and the library's: not under test here. */
struct cth_nl {
	int fd;
};

struct cth_nl *cth_nl_open(void)
{
	static struct cth_nl nl;

	nl.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	return nl.fd < 0 ? NULL : &nl;
}

void cth_nl_close(struct cth_nl *nl)
{
	close(nl->fd);
}

int cthd_unregister(struct cth_nl *nl, const struct cthd_helper *h,
		    const struct cthd_kernel_helper *kh)
{
	(void)nl;
	(void)h;
	(void)kh;
	return 0;
}

/* The janitor is set up once its seccomp filter is in. */
static bool wait_confined(pid_t pid)
{
	char path[64], text[4096];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (int i = 0; i < 200; i++) {
		struct timespec pause = { 0, 10 * 1000 * 1000 };
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;

		if (f)
			fclose(f);
		text[n] = '\0';
		if (strstr(text, "\nSeccomp:\t2\n"))
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

#define N_LEAKED 5

/*
 * One janitor, started as the daemon starts it. With stdin closed (as
 * under a supervisor that closes it), the first queue socket lands on
 * descriptor 0: the janitor must keep it there, not put /dev/null over it.
 */
static void run(struct tap *t, bool stdin_closed)
{
	static const struct cthd_helper helper = { .name = "test" };
	const struct cthd_helper *helpers[] = { &helper };
	const struct cthd_kernel_helper kh[] = { { .l3num = 2, .created = true } };
	struct cthd_queue queues[2] = { 0 };
	struct cthd_janitor j;
	char leaked[N_LEAKED][128], queue_target[2][128], list[1024] = "", name[80];
	struct proc_fd open_fds[64];
	int fds[N_LEAKED], pipefd[2], rc, n_open, low_queues = 0;
	unsigned int n_leaked = 0, n_queues = 0, n_stdio = 0;
	const char *how = stdin_closed ? "_stdin_closed" : "";

	if (stdin_closed)
		close(0);
	/* what the daemon holds when it starts the janitor */
	for (int i = 0; i < 2; i++) {
		queues[i].nl = mnl_socket_open(NETLINK_NETFILTER);
		queues[i].num = (uint16_t)(10 + i);
		if (!queues[i].nl || !fd_target(getpid(), mnl_socket_get_fd(queues[i].nl),
						 queue_target[i], sizeof(queue_target[i]))) {
			tap_check(t, false, "janitor_rig", "netlink: %s", strerror(errno));
			return;
		}
		low_queues += mnl_socket_get_fd(queues[i].nl) <= 2;
	}
	if (pipe(pipefd) < 0) {
		tap_check(t, false, "janitor_rig", "pipe: %s", strerror(errno));
		return;
	}
	fds[0] = pipefd[0];
	fds[1] = pipefd[1];
	fds[2] = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);	/* ctnetlink */
	fds[3] = socket(AF_UNIX, SOCK_STREAM, 0);			/* control socket */
	fds[4] = open("/etc/hostname", O_RDONLY);
	for (int i = 0; i < N_LEAKED; i++)
		if (fds[i] < 0 || !fd_target(getpid(), fds[i], leaked[i], sizeof(leaked[i]))) {
			tap_check(t, false, "janitor_rig", "fd %d: %s", i, strerror(errno));
			return;
		}

	rc = cthd_janitor_start(&j, helpers, kh, 1, queues, 2, "nobody");
	snprintf(name, sizeof(name), "janitor_starts_confined%s", how);
	tap_check(t, rc == 0 && wait_confined(j.pid), name, "rc %d", rc);

	n_open = proc_fds(j.pid, open_fds, 64, list, sizeof(list));
	for (int k = 0; k < n_open; k++) {
		for (int i = 0; i < N_LEAKED; i++)
			n_leaked += !strcmp(open_fds[k].target, leaked[i]);
		for (int i = 0; i < 2; i++)
			n_queues += !strcmp(open_fds[k].target, queue_target[i]);
		n_stdio += open_fds[k].fd <= 2 && !strcmp(open_fds[k].target, "/dev/null");
	}
	snprintf(name, sizeof(name), "janitor_closes_inherited_descriptors%s", how);
	tap_check(t, n_leaked == 0, name, "%u descriptor(s) it does not use:%s", n_leaked, list);
	snprintf(name, sizeof(name), "janitor_keeps_the_queue_sockets%s", how);
	tap_check(t, n_queues == 2, name, "open:%s", list);
	snprintf(name, sizeof(name), "janitor_stdio_on_dev_null%s", how);
	tap_check(t, n_stdio == 3u - (unsigned int)low_queues, name, "open:%s", list);
	/* stdio, the command pipe, two queue sockets, its own helper socket */
	snprintf(name, sizeof(name), "janitor_holds_only_what_it_uses%s", how);
	tap_check(t, n_open == 7 - low_queues, name, "%d open:%s", n_open, list);
	rc = cthd_janitor_finish(&j);
	snprintf(name, sizeof(name), "janitor_finishes%s", how);
	tap_check(t, rc == 0, name, "rc %d", rc);
	for (int i = 0; i < 2; i++)
		mnl_socket_close(queues[i].nl);
	for (int i = 0; i < N_LEAKED; i++)
		close(fds[i]);
}

int main(void)
{
	struct tap t = { 0 };

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	run(&t, false);
	run(&t, true);
	return tap_done(&t);
}
