// SPDX-License-Identifier: GPL-2.0-or-later
/* Control socket server and client. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"

static int make_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

int cthd_control_listen(const char *path)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, rc;

	rc = make_addr(path, &sun);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* a stale socket of an earlier run (kill -9) */
	unlink(path);
	old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || listen(fd, 8) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int cthd_control_serve_one(int listen_fd, cthd_control_answer_fn answer, void *data)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	char req[128], buf[8192];
	ssize_t n, got = 0;
	int fd, len;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (got < (ssize_t)sizeof(req) - 1) {
		n = read(fd, req + got, sizeof(req) - 1 - (size_t)got);
		if (n <= 0)
			break;
		got += n;
		if (memchr(req, '\n', (size_t)got))
			break;
	}
	req[got] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	len = answer(req, buf, sizeof(buf), data);
	if (len > 0)
		n = write(fd, buf, (size_t)len);
	close(fd);
	return len < 0 ? len : 0;
}

int cthd_control_query(const char *path, const char *request, FILE *out)
{
	struct sockaddr_un sun;
	char buf[4096];
	ssize_t n;
	int fd, rc;

	rc = make_addr(path, &sun);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    write(fd, request, strlen(request)) < 0 || write(fd, "\n", 1) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	rc = n < 0 ? -errno : 0;
	close(fd);
	return rc;
}
