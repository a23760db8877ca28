// SPDX-License-Identifier: GPL-2.0-or-later
/* Privilege drop with raw prctl/capset and a classic-BPF seccomp filter. */
#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privdrop.h"

#if defined(__x86_64__)
#define CTHD_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CTHD_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define CTHD_AUDIT_ARCH AUDIT_ARCH_I386
#endif

static int capget_sets(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return (int)syscall(SYS_capget, &hdr, data);
}

bool cthd_capabilities_are(uint64_t keep)
{
	struct __user_cap_data_struct data[2];

	if (capget_sets(data) < 0)
		return false;
	for (int i = 0; i < 2; i++)
		if (data[i].effective != (uint32_t)(keep >> (32 * i)) ||
		    data[i].permitted != (uint32_t)(keep >> (32 * i)) || data[i].inheritable)
			return false;
	return true;
}

static int resolve_user(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long n;

	if (pw) {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	n = strtoul(user, &end, 10);
	if (!user[0] || *end || n == 0 || n > 0xfffffffeUL)
		return -ENOENT;
	*uid = (uid_t)n;
	*gid = (gid_t)n;
	return 0;
}

int cthd_drop_privileges(const char *user, uint64_t keep, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct kept[2] = { { 0 } };
	uid_t uid;
	gid_t gid;

	if (resolve_user(user, &uid, &gid) < 0) {
		snprintf(err, errlen, "user '%s': no such user", user);
		return -ENOENT;
	}
	if (uid == 0) {
		snprintf(err, errlen, "user '%s' is root: refusing to run privileged", user);
		return -EINVAL;
	}
	/* the bounding set first: it needs CAP_SETPCAP, which goes last */
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    errno != EINVAL) {
			snprintf(err, errlen, "dropping capability %d from the bounding set: %s",
				 cap, strerror(errno));
			return -errno;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "clearing ambient capabilities: %s", strerror(errno));
		return -errno;
	}
	/* keep the permitted set across the uid change, then trim it */
	if (prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "switching to user '%s' (%u:%u): %s", user, (unsigned)uid,
			 (unsigned)gid, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < 2; i++)
		kept[i].effective = kept[i].permitted = (uint32_t)(keep >> (32 * i));
	if (syscall(SYS_capset, &hdr, kept) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "setting capabilities: %s", strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -errno;
	}
	if (!cthd_capabilities_are(keep) || setuid(0) == 0 || getuid() != uid) {
		snprintf(err, errlen, "privileges still present after the drop");
		return -EPERM;
	}
	return 0;
}

#define ALLOW(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define ALLOW_NAMED(name) ALLOW(__NR_##name),

/* The low 32 bits of a system call argument (an int: prot, family). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]))
#else
#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]) + sizeof(uint32_t))
#endif

int cthd_install_seccomp(char *err, size_t errlen)
{
#ifdef CTHD_AUDIT_ARCH
	/*
	 * No descriptor may leave this process: SCM_RIGHTS goes only with
	 * sendmsg() (or sendmmsg()), and the filter cannot read the control
	 * message it carries, nor tell a netlink socket from a unix one. So
	 * sendmsg is refused altogether: nothing here needs it (libmnl sends
	 * with sendto(), syslog(3) with send(), the control socket with
	 * write()). New unix sockets stay allowed, for syslog(3) to reconnect
	 * after a syslogd restart; without sendmsg they cannot carry a
	 * descriptor either.
	 */
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CTHD_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
		/* x32 system calls share the arch value: refuse them */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
		CTHD_SECCOMP_ALLOWED(ALLOW_NAMED)
#ifdef __NR_epoll_wait
		/* older than epoll_pwait, which is all arm64 has */
		ALLOW(__NR_epoll_wait),
#endif
		/*
		 * Data mappings only: a hijacked daemon must not map code of
		 * its own (mprotect is not allowed at all).
		 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
		.filter = filter,
	};
	int persona = personality(0xffffffff);

	/* with READ_IMPLIES_EXEC every PROT_READ mapping would be code */
	if (persona != -1 && (persona & READ_IMPLIES_EXEC) &&
	    personality((unsigned long)persona & ~(unsigned long)READ_IMPLIES_EXEC) == -1) {
		snprintf(err, errlen, "clearing READ_IMPLIES_EXEC: %s", strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		snprintf(err, errlen, "installing the seccomp filter: %s%s", strerror(errno),
			 errno == EINVAL ? " (kernel without CONFIG_SECCOMP_FILTER?)" : "");
		return -errno;
	}
	return 0;
#else
	snprintf(err, errlen, "seccomp filter not built for this architecture");
	return -ENOTSUP;
#endif
}

static int compare_fds(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close lo..hi (inclusive). */
static int close_between(unsigned int lo, unsigned int hi)
{
	long max;

	if (close_range(lo, hi, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	/* before Linux 5.9: one by one, up to the limit */
	max = sysconf(_SC_OPEN_MAX);
	for (unsigned int fd = lo; fd <= hi && (long)fd < max; fd++)
		close((int)fd);
	return 0;
}

int cthd_close_fds_except(const int *keep, size_t n)
{
	int sorted[64];
	unsigned int from = 0;
	int rc;

	if (n > sizeof(sorted) / sizeof(sorted[0]))
		return -E2BIG;
	memcpy(sorted, keep, n * sizeof(*keep));
	qsort(sorted, n, sizeof(*sorted), compare_fds);
	for (size_t i = 0; i < n; i++) {
		if (sorted[i] < (int)from)
			continue;	/* negative, or kept twice */
		if ((unsigned int)sorted[i] > from) {
			rc = close_between(from, (unsigned int)sorted[i] - 1);
			if (rc < 0)
				return rc;
		}
		from = (unsigned int)sorted[i] + 1;
	}
	return close_between(from, ~0U);
}

static bool kept(const int *keep, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

int cthd_close_sockets_except(const int *keep, size_t n)
{
	struct rlimit lim;
	int closed = 0, max = 1024;
	struct stat st;

	/* /proc/self/fd is out of reach once the uid changed: look at each */
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
		max = lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > (1 << 20) ? 1 << 20 :
		      (int)lim.rlim_cur;
	for (int fd = 0; fd < max; fd++)
		if (!kept(keep, n, fd) && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
			if (close(fd) < 0)
				return -errno;
			closed++;
		}
	return closed;
}
