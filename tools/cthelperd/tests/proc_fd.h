/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a process holds, from outside: /proc/PID/fd (root may read any). */
#ifndef CTHELPERD_TESTS_PROC_FD_H
#define CTHELPERD_TESTS_PROC_FD_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

struct proc_fd {
	int fd;
	char target[128];	/* "socket:[123]", "pipe:[45]", "/dev/null" */
};

static inline bool fd_target(pid_t pid, int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/*
 * The descriptors pid holds, up to max, with a readable list of them in
 * text (for the failure message). Returns how many, or -1.
 */
static inline int proc_fds(pid_t pid, struct proc_fd *out, int max, char *text, size_t size)
{
	char path[64];
	struct dirent *e;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	text[0] = '\0';
	while (n < max && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		out[n].fd = atoi(e->d_name);
		if (!fd_target(pid, out[n].fd, out[n].target, sizeof(out[n].target)))
			continue;
		snprintf(text + strlen(text), size - strlen(text), " %d=%s", out[n].fd,
			 out[n].target);
		n++;
	}
	closedir(dir);
	return n;
}

#endif
