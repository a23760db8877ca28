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
#include <sys/prctl.h>
#include <sys/socket.h>
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

int cthd_install_seccomp(char *err, size_t errlen)
{
#ifdef CTHD_AUDIT_ARCH
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
		/* the event loop: netlink and unix sockets already open */
		ALLOW(SYS_read), ALLOW(SYS_write), ALLOW(SYS_writev), ALLOW(SYS_close),
		ALLOW(SYS_recvfrom), ALLOW(SYS_recvmsg), ALLOW(SYS_recvmmsg), ALLOW(SYS_sendto), ALLOW(SYS_sendmsg),
		ALLOW(SYS_epoll_pwait), ALLOW(SYS_epoll_ctl),
#ifdef SYS_epoll_wait
		ALLOW(SYS_epoll_wait),
#endif
		ALLOW(SYS_accept4), ALLOW(SYS_setsockopt), ALLOW(SYS_shutdown),
		/* memory, time, signals, exit */
		ALLOW(SYS_brk), ALLOW(SYS_mmap), ALLOW(SYS_munmap), ALLOW(SYS_mremap),
		ALLOW(SYS_madvise), ALLOW(SYS_futex), ALLOW(SYS_clock_gettime),
		ALLOW(SYS_gettimeofday), ALLOW(SYS_clock_nanosleep), ALLOW(SYS_nanosleep),
		ALLOW(SYS_getpid), ALLOW(SYS_gettid), ALLOW(SYS_tgkill), ALLOW(SYS_rt_sigreturn),
		ALLOW(SYS_rt_sigprocmask), ALLOW(SYS_restart_syscall), ALLOW(SYS_exit),
		ALLOW(SYS_exit_group), ALLOW(SYS_fstat), ALLOW(SYS_newfstatat), ALLOW(SYS_lseek),
		ALLOW(SYS_getrandom), ALLOW(SYS_wait4),
		/* removing the pid file and control socket at exit (may fail: EACCES) */
		ALLOW(SYS_unlink),
		/* syslog(3) reconnects a unix socket when syslogd restarted */
		ALLOW(SYS_connect),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
		.filter = filter,
	};

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
