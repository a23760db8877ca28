// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helper plugins: every *.so of the plugin directory, loaded at start-up
 * before the daemon opens a socket, drops its privileges or installs
 * seccomp. Each plugin is first loaded in a child process, so that one
 * that crashes (in an ELF constructor or its init) is reported by name
 * instead of taking the daemon down half set up; only then in the daemon.
 * One bad plugin stops the start: no daemon serves half its configuration.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plugin.h"

/*
 * Code loaded into a root process: the file and its directory must be
 * root's (or ours) and writable by nobody else.
 */
static int check_owner(const char *path, const struct stat *st, const char *what,
		       char *err, size_t errlen)
{
	if ((st->st_uid != 0 && st->st_uid != geteuid()) || (st->st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen, "%s %s: owned by uid %u with mode %04o: a plugin %s must "
			 "be root's and writable by nobody else", what, path, (unsigned int)st->st_uid,
			 (unsigned int)(st->st_mode & 07777), what);
		return -EPERM;
	}
	return 0;
}

/* dlopen, check, init: the same steps in the probe child and in the daemon. */
static int load_one(const char *path, const struct cthd_helper **out, char *err, size_t errlen)
{
	const struct cthd_plugin *p;
	const struct cthd_helper *h, *other;
	const char *why;
	void *handle;
	int rc;

	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		/* "undefined symbol: x", "invalid ELF header", ... */
		snprintf(err, errlen, "%s", dlerror());
		return -ENOEXEC;
	}
	p = dlsym(handle, "cthd_plugin");
	if (!p) {
		snprintf(err, errlen, "%s: no symbol cthd_plugin: not a cthelperd helper plugin "
			 "(CTHD_PLUGIN() in helper.h)", path);
		return -ENOEXEC;
	}
	/* abi first: the rest of the record may be laid out differently */
	if (p->abi != CTHD_HELPER_ABI) {
		snprintf(err, errlen, "%s: built for helper ABI %u, this cthelperd has ABI %u: "
			 "rebuild it against this cthelperd's helper.h (pkg-config cthelperd)",
			 path, p->abi, CTHD_HELPER_ABI);
		return -ENOEXEC;
	}
	if (p->helper_size != sizeof(struct cthd_helper) ||
	    p->packet_size != sizeof(struct cthd_packet) ||
	    p->conntrack_size != sizeof(struct cthd_conntrack) ||
	    p->result_size != sizeof(struct cthd_result)) {
		snprintf(err, errlen, "%s: its helper.h lays out the structures differently from "
			 "this cthelperd's (same ABI %u: a header changed without a bump): rebuild it",
			 path, p->abi);
		return -ENOEXEC;
	}
	h = p->helper;
	if (!h) {
		snprintf(err, errlen, "%s: cthd_plugin names no helper", path);
		return -EINVAL;
	}
	rc = cthd_helper_validate(h, &why);
	if (rc < 0) {
		snprintf(err, errlen, "%s: helper %.15s: %s", path, h->name ? h->name : "(null)", why);
		return rc;
	}
	other = cthd_helper_find(h->name);
	if (other) {
		const char *from = cthd_helper_plugin_path(other);

		snprintf(err, errlen, "%s: helper %s exists already (%s%s)", path, h->name,
			 from ? "from " : "built in", from ? from : "");
		return -EEXIST;
	}
	if (p->init) {
		rc = p->init();
		if (rc < 0) {
			snprintf(err, errlen, "%s: init failed: %s", path, strerror(-rc));
			return rc;
		}
	}
	*out = h;
	return 0;
}

/*
 * load_one() in a child: 0 when it worked there, else the error it gave,
 * or the signal that ended it.
 */
static int probe(const char *path, char *err, size_t errlen)
{
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "%s: pipe: %s", path, strerror(errno));
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "%s: fork: %s", path, strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -EAGAIN;
	}
	if (pid == 0) {
		const struct cthd_helper *h;
		char msg[512];
		int rc;

		close(pipefd[0]);
		/* a crash must end the child, whatever handlers the daemon set */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		rc = load_one(path, &h, msg, sizeof(msg));
		if (rc < 0 && write(pipefd[1], msg, strlen(msg)) < 0)
			_exit(2);
		_exit(rc < 0 ? 1 : 0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: waitpid: %s", path, strerror(errno));
			return -ECHILD;
		}
	if (WIFSIGNALED(status)) {
		snprintf(err, errlen, "%s: crashed while loading or in its init (%s): not loaded",
			 path, strsignal(WTERMSIG(status)));
		return -EFAULT;
	}
	if (WEXITSTATUS(status) != 0) {
		if (!err[0])
			snprintf(err, errlen, "%s: failed to load (exit %d)", path,
				 WEXITSTATUS(status));
		return -ENOEXEC;
	}
	return 0;
}

static int is_plugin(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 3 && !strcmp(d->d_name + len - 3, ".so");
}

int cthd_plugins_load(const char *dir, bool must_exist, char *err, size_t errlen)
{
	struct dirent **names = NULL;
	struct stat st;
	int n, rc = 0;

	if (stat(dir, &st) < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "plugin directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "plugin directory %s: not a directory", dir);
		return -ENOTDIR;
	}
	rc = check_owner(dir, &st, "directory", err, errlen);
	if (rc < 0)
		return rc;
	n = scandir(dir, &names, is_plugin, alphasort);
	if (n < 0) {
		snprintf(err, errlen, "plugin directory %s: %s", dir, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n && rc == 0; i++) {
		char path[CTHD_PLUGIN_PATH_MAX];
		const struct cthd_helper *h;
		int fd;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) >= sizeof(path)) {
			snprintf(err, errlen, "%s/%s: path too long", dir, names[i]->d_name);
			rc = -ENAMETOOLONG;
			break;
		}
		/* what dlopen would say least clearly: unreadable, not a file */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -errno;
		} else if (!S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s: not a regular file", path);
			rc = -EINVAL;
		} else {
			rc = check_owner(path, &st, "file", err, errlen);
		}
		if (fd >= 0)
			close(fd);
		if (rc == 0)
			rc = probe(path, err, errlen);
		if (rc == 0)
			rc = load_one(path, &h, err, errlen);
		if (rc == 0)
			rc = cthd_registry_add(h, path);
		if (rc == -ENOSPC)
			snprintf(err, errlen, "%s: more than %d plugins", path, CTHD_PLUGIN_MAX);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
