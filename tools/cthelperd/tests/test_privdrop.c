// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Privilege drop and seccomp filter, in a child process: what the daemon can
 * still do (its event loop's system calls, unix sockets, netlink sockets
 * opened before) and what it no longer can (files, exec, new network
 * sockets, getting root back, capabilities beyond CAP_NET_ADMIN).
 * Needs root; skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../privdrop.h"
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
	int nl, fd, rc;

	status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	/* opened while privileged, like the daemon's sockets */
	nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
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
	return t.failed ? 1 : 0;
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
	run_child(1ULL << CAP_NET_ADMIN, true, t.count, 11, &t);
	run_child(0, false, t.count, 3, &t);
	return tap_done(&t);
}
