// SPDX-License-Identifier: GPL-2.0-or-later
/* The janitor child: queue configuration and helper deletion at shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cthelper_nl.h"
#include "janitor.h"
#include "privdrop.h"

enum { CMD_SHRINK = 'S', CMD_DELETE = 'D' };

static void janitor_run(int cmdfd, struct cth_nl *nl, const struct cthd_helper *const *helpers,
			const struct cthd_kernel_helper *kh, size_t n_helpers,
			struct cthd_queue *queues, size_t n_queues)
{
	int status = 0;
	char cmd;

	for (;;) {
		if (read(cmdfd, &cmd, 1) != 1)
			cmd = 0;	/* the daemon died: leave the helpers */
		if (cmd != CMD_SHRINK)
			break;
		for (size_t i = 0; i < n_queues; i++)
			cthd_queue_set_maxlen(&queues[i], 0);
	}
	/* our copies keep the queues bound: close them whatever happens */
	for (size_t i = 0; i < n_queues; i++)
		mnl_socket_close(queues[i].nl);
	if (cmd != CMD_DELETE)
		_exit(0);
	for (size_t i = 0; i < n_helpers; i++) {
		int rc = kh[i].created && nl ? cthd_unregister(nl, helpers[i], &kh[i]) : 0;

		if (rc < 0 && !status)
			status = -rc & 0xff;
	}
	_exit(status);
}

/*
 * In the child: hold only what the janitor uses. It inherits everything
 * the daemon had open (ctnetlink, the control socket, epoll, the signalfd,
 * syslog's socket, the terminal or the start-up pipe of a daemonising
 * parent, ...), and it keeps CAP_NET_ADMIN for the whole run. Standard
 * streams go to /dev/null (it logs nothing), the rest is closed but the
 * command pipe and the queue sockets; the helper socket is its own,
 * opened afterwards, and only when there are helpers to delete.
 */
static struct cth_nl *janitor_confine(int cmdfd, const struct cthd_queue *queues,
				      size_t n_queues, size_t n_helpers, const char *user)
{
	int keep[CTHD_JANITOR_QUEUES_MAX + 4] = { 0, 1, 2, cmdfd };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct cth_nl *nl = NULL;
	char err[256];

	for (size_t i = 0; i < n_queues; i++)
		keep[4 + i] = mnl_socket_get_fd(queues[i].nl);
	if (null < 0)
		_exit(1);
	/* a daemon started with stdin closed has a socket or the pipe there */
	for (int fd = 0; fd <= 2; fd++) {
		bool used = false;

		for (size_t i = 3; i < 4 + n_queues; i++)
			used |= keep[i] == fd;
		if (!used && fd != null && dup2(null, fd) < 0)
			_exit(1);
	}
	if (null > 2)
		close(null);
	/* after the drop: getpwnam(3) may leave a descriptor of its own */
	if (cthd_drop_privileges(user, 1ULL << CAP_NET_ADMIN, err, sizeof(err)) < 0 ||
	    cthd_close_fds_except(keep, 4 + n_queues) < 0)
		_exit(1);
	if (n_helpers && !(nl = cth_nl_open()))
		_exit(1);
	if (cthd_install_seccomp(err, sizeof(err)) < 0)
		_exit(1);
	return nl;
}

int cthd_janitor_start(struct cthd_janitor *j, const struct cthd_helper *const *helpers,
		       const struct cthd_kernel_helper *kh, size_t n_helpers,
		       const struct cthd_queue *queues, size_t n_queues, const char *user)
{
	struct cthd_queue copies[CTHD_JANITOR_QUEUES_MAX];
	struct cth_nl *nl;
	int pipefd[2];

	j->fd = -1;
	if (n_queues > CTHD_JANITOR_QUEUES_MAX)
		return -E2BIG;
	for (size_t i = 0; i < n_queues; i++)
		copies[i] = queues[i];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	j->pid = fork();
	if (j->pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (j->pid > 0) {
		close(pipefd[0]);
		j->fd = pipefd[1];
		return 0;
	}
	/* systemd's SIGTERM to the group must not end it early */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	close(pipefd[1]);
	nl = janitor_confine(pipefd[0], copies, n_queues, n_helpers, user);
	janitor_run(pipefd[0], nl, helpers, kh, n_helpers, copies, n_queues);
	_exit(0);
}

void cthd_janitor_shrink_queues(struct cthd_janitor *j)
{
	char cmd = CMD_SHRINK;

	if (j->fd >= 0 && write(j->fd, &cmd, 1) < 0) {
		/* the janitor is gone: nothing can shrink them */
	}
}

int cthd_janitor_finish(struct cthd_janitor *j)
{
	char cmd = CMD_DELETE;
	int status = 0;

	if (j->fd < 0)
		return 0;
	if (write(j->fd, &cmd, 1) < 0) {
		/* the janitor is gone: nothing will delete them */
	}
	close(j->fd);
	j->fd = -1;
	if (waitpid(j->pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}
