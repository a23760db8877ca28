// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Privilege drop and seccomp filter, in a child process: what the daemon can
 * still do (its event loop's system calls, unix sockets, netlink sockets
 * opened before) and what it no longer can (files, exec, new network
 * sockets, getting root back, capabilities beyond CAP_NET_ADMIN, code
 * mappings, handing descriptors to another process); and the sweep of the
 * sockets the unprivileged process does not need, checked from outside by
 * listing /proc/PID/fd. Needs root; skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../privdrop.h"
#include "proc_fd.h"
#include "tap.h"

/*
 * One line of /proc/self/status, e.g. "CapEff:\t0000000000001000", read
 * through an fd opened before seccomp forbids open().
 */
static int status_fd = -1;

static bool status_is(const char *key, const char *value)
{
	char text[8192], want[128];
	ssize_t n;

	if (lseek(status_fd, 0, SEEK_SET) < 0)
		return false;
	n = read(status_fd, text, sizeof(text) - 1);
	if (n <= 0)
		return false;
	text[n] = '\0';
	snprintf(want, sizeof(want), "\n%s:\t%s\n", key, value);
	return strstr(text, want) != NULL;
}

/* Runs in the child; its TAP lines go to the shared stdout. */
static int child(uint64_t keep, bool seccomp, int first)
{
	struct tap t = { .count = first };
	char err[256] = "";
	char *const argv[] = { "/bin/true", NULL };
	int nl, fd, rc, pair[2] = { -1, -1 };

	status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	/* opened while privileged, like the daemon's sockets */
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	/* a unix socket the daemon could hold (a control client, syslog) */
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair);
	rc = cthd_drop_privileges("nobody", keep, err, sizeof(err));
	tap_check(&t, rc == 0, keep ? "privdrop_keep_net_admin_succeeds" : "privdrop_none_succeeds",
		  "%s", err);
	tap_check(&t, cthd_capabilities_are(keep) &&
		  status_is("CapEff", keep ? "0000000000001000" : "0000000000000000") &&
		  status_is("CapBnd", keep ? "0000000000001000" : "0000000000000000") &&
		  status_is("CapAmb", "0000000000000000") && status_is("CapInh", "0000000000000000") &&
		  status_is("NoNewPrivs", "1"),
		  keep ? "privdrop_only_net_admin_left" : "privdrop_no_capabilities_left",
		  "capability sets not as expected");
	tap_check(&t, getuid() == 65534 && geteuid() == 65534 && setuid(0) < 0 &&
		  setgid(0) < 0, keep ? "privdrop_root_not_regained" : "privdrop_none_root_not_regained",
		  "uid %d", (int)getuid());
	if (!seccomp)
		return t.failed ? 1 : 0;

	rc = cthd_install_seccomp(err, sizeof(err));
	tap_check(&t, rc == 0, "seccomp_installed", "%s", err);
	tap_check(&t, status_is("Seccomp", "2"), "seccomp_mode_filter", "Seccomp not 2");
	errno = 0;
	fd = open("/etc/hostname", O_RDONLY);
	tap_check(&t, fd < 0 && errno == EPERM, "seccomp_blocks_open", "open: fd %d errno %d", fd, errno);
	errno = 0;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	tap_check(&t, fd < 0 && errno == EPERM, "seccomp_blocks_inet_socket", "errno %d", errno);
	errno = 0;
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
	tap_check(&t, fd < 0 && errno == EPERM, "seccomp_blocks_new_netlink_socket", "errno %d", errno);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	tap_check(&t, fd >= 0, "seccomp_allows_unix_socket_for_syslog", "errno %d", errno);
	if (fd >= 0)
		close(fd);
	errno = 0;
	execve(argv[0], argv, NULL);
	tap_check(&t, errno == EPERM, "seccomp_blocks_exec", "errno %d", errno);
	{
		/* the event loop's calls: send/receive on the old socket, memory */
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
		char *p = malloc(1 << 20);

		tap_check(&t, nl >= 0 && bind(nl, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
			  errno == EPERM && p != NULL,
			  "seccomp_allows_malloc_refuses_bind", "nl %d errno %d", nl, errno);
		free(p);
	}
	{
		/* no code mapping: a hijacked daemon cannot load code of its own */
		void *data, *code;

		errno = 0;
		code = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		tap_check(&t, code == MAP_FAILED && errno == EPERM, "seccomp_blocks_exec_mapping",
			  "mmap(PROT_EXEC): %p errno %d", code, errno);
		data = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		tap_check(&t, data != MAP_FAILED, "seccomp_allows_data_mapping", "errno %d", errno);
		errno = 0;
		rc = data != MAP_FAILED ? mprotect(data, 4096, PROT_READ | PROT_EXEC) : 0;
		tap_check(&t, rc < 0 && errno == EPERM, "seccomp_blocks_exec_mprotect",
			  "mprotect(PROT_EXEC): %d errno %d", rc, errno);
	}
	{
		/* no descriptor leaves: SCM_RIGHTS needs sendmsg() */
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} ctl = { 0 };
		struct iovec iov = { .iov_base = "x", .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		char got[8];
		ssize_t n;

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &status_fd, sizeof(int));
		errno = 0;
		n = sendmsg(pair[0], &msg, 0);
		tap_check(&t, pair[0] >= 0 && n < 0 && errno == EPERM &&
			  recv(pair[1], got, sizeof(got), MSG_DONTWAIT) < 0,
			  "seccomp_blocks_fd_passing", "sendmsg(SCM_RIGHTS): %zd errno %d", n, errno);
		/* what syslog(3) and the control socket use */
		n = send(pair[0], "y", 1, 0);
		tap_check(&t, n == 1 && recv(pair[1], got, sizeof(got), MSG_DONTWAIT) == 1,
			  "seccomp_allows_send_for_syslog", "send: %zd errno %d", n, errno);
	}
	errno = 0;
	rc = unlinkat(AT_FDCWD, "/nonexistent/cthelperd.sock", 0);
	tap_check(&t, rc < 0 && errno == ENOENT, "seccomp_allows_unlinkat_for_the_control_socket",
		  "unlinkat: errno %d", errno);
	return t.failed ? 1 : 0;
}

/*
 * The sweep after the drop: the child opens sockets while privileged (one
 * it keeps, three it does not need) and a pipe, drops, sweeps; the parent
 * lists /proc/PID/fd. Only the kept socket may remain; the pipe stays
 * (only sockets are swept: the daemon's other descriptors are its own).
 */
static void socket_sweep(struct tap *t)
{
	struct {
		int keep, leaked[3], pipe_end;
	} fds;
	int report[2], go[2], status;
	char target[128];
	pid_t pid;

	if (pipe(report) < 0 || pipe(go) < 0) {
		tap_check(t, false, "sweep_leaves_only_needed_sockets", "pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char err[256];
		int pipefd[2];

		fds.keep = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
		fds.leaked[0] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
		fds.leaked[1] = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		fds.leaked[2] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (pipe(pipefd) < 0 || cthd_drop_privileges("nobody", 0, err, sizeof(err)) < 0)
			_exit(2);
		fds.pipe_end = pipefd[0];
		{
			const int keep[] = { 0, 1, 2, fds.keep, report[1], go[0] };

			if (cthd_close_sockets_except(keep, sizeof(keep) / sizeof(keep[0])) < 0)
				_exit(3);
		}
		if (write(report[1], &fds, sizeof(fds)) != (ssize_t)sizeof(fds) ||
		    read(go[0], err, 1) != 1)
			_exit(4);
		_exit(0);
	}
	close(report[1]);
	close(go[0]);
	if (pid < 0 || read(report[0], &fds, sizeof(fds)) != (ssize_t)sizeof(fds)) {
		tap_check(t, false, "sweep_leaves_only_needed_sockets", "the child failed");
		waitpid(pid, &status, 0);
		return;
	}
	{
		struct proc_fd open_fds[64];
		char list[1024];
		int n = proc_fds(pid, open_fds, 64, list, sizeof(list));
		unsigned int sockets = 0;
		bool kept = false;

		for (int i = 0; i < n; i++)
			if (!strncmp(open_fds[i].target, "socket:", 7)) {
				sockets++;
				kept |= open_fds[i].fd == fds.keep;
			}
		tap_check(t, sockets == 1 && kept, "sweep_leaves_only_needed_sockets",
			  "after the drop:%s (kept socket: fd %d)", list, fds.keep);
		tap_check(t, fd_target(pid, fds.pipe_end, target, sizeof(target)) &&
			  !strncmp(target, "pipe:", 5), "sweep_leaves_other_descriptors",
			  "fd %d: %s", fds.pipe_end, target);
	}
	if (write(go[1], "", 1) < 0 || waitpid(pid, &status, 0) < 0) {
		/* the checks above are what counts */
	}
	close(go[1]);
	close(report[0]);
}

static int run_child(uint64_t keep, bool seccomp, int first, int n_checks, struct tap *t)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(child(keep, seccomp, first));
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	t->count += n_checks;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		t->failed++;
	return 0;
}

int main(void)
{
	struct tap t = { 0 };

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 4;
	}
	run_child(1ULL << CAP_NET_ADMIN, true, t.count, 17, &t);
	run_child(0, false, t.count, 3, &t);
	socket_sweep(&t);
	return tap_done(&t);
}
