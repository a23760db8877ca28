/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least privilege: once the netlink sockets are open the daemon becomes an
 * unprivileged user and confines itself with a seccomp filter.
 *
 * Capabilities: nfnetlink checks CAP_NET_ADMIN of the socket's opener AND
 * of the process sending each message (netlink_net_capable(), which every
 * nfnetlink message goes through, verdicts included). So on Linux 6.12 the
 * daemon keeps exactly CAP_NET_ADMIN, in the effective and permitted sets
 * only, and nothing else; a kernel that checks only the opener for queue
 * verdicts would let it keep none.
 */
#ifndef CTHELPERD_PRIVDROP_H
#define CTHELPERD_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

/*
 * Switch to user (name or numeric uid), its primary group and no
 * supplementary groups; keep only the capabilities in keep (a mask of
 * 1 << CAP_*) in the effective, permitted and bounding sets, none
 * inheritable or ambient; set no_new_privs. Verifies the result. Returns 0
 * or -errno with a message in err.
 */
int cthd_drop_privileges(const char *user, uint64_t keep, char *err, size_t errlen);

/*
 * Install the seccomp filter: the system calls the event loop needs, and
 * EPERM for everything else (opening files, exec, new non-unix sockets,
 * code mappings, sendmsg and with it passing descriptors).
 */
int cthd_install_seccomp(char *err, size_t errlen);

/*
 * The system calls the filter allows whatever their arguments, by name,
 * one list for every architecture (tests/test_seccomp_arches.c compiles it
 * against the generic numbering arm64 uses, so a name that exists on
 * x86_64 only, like unlink, fails the build there). Not in it, on
 * purpose: sendmsg/sendmmsg (see privdrop.c), mprotect, open/openat,
 * execve, clone/fork, bind, ioctl.
 */
#define CTHD_SECCOMP_ALLOWED(X) \
	/* the event loop: netlink and unix sockets already open */ \
	X(read) X(write) X(writev) X(close) X(recvfrom) X(recvmsg) X(recvmmsg) X(sendto) \
	X(epoll_pwait) X(epoll_ctl) X(accept4) X(setsockopt) X(shutdown) \
	/* memory (mmap: see CTHD_SECCOMP_CHECKED), time, signals, exit */ \
	X(brk) X(munmap) X(mremap) X(madvise) X(futex) X(clock_gettime) X(gettimeofday) \
	X(clock_nanosleep) X(nanosleep) X(getpid) X(gettid) X(tgkill) X(rt_sigreturn) \
	X(rt_sigprocmask) X(restart_syscall) X(exit) X(exit_group) X(fstat) X(newfstatat) \
	X(lseek) X(getrandom) X(wait4) \
	/* removing the pid file and control socket at exit (may fail: EACCES) */ \
	X(unlinkat) \
	/* syslog(3) reconnects a unix socket when syslogd restarted */ \
	X(connect)

/* Allowed depending on their arguments: mmap without PROT_EXEC, socket(AF_UNIX). */
#define CTHD_SECCOMP_CHECKED(X) X(mmap) X(socket)

/*
 * Close every descriptor but the n in keep (the janitor, which uses only
 * those). Returns 0 or -errno.
 */
int cthd_close_fds_except(const int *keep, size_t n);

/*
 * Close every socket but the n in keep; other descriptors stay. For after
 * the drop: what the set-up opened (and getpwnam(3), and whoever started
 * us) must not stay at hand. Returns how many were closed, or -errno.
 */
int cthd_close_sockets_except(const int *keep, size_t n);

/* true when effective and permitted are exactly keep, inheritable empty. */
bool cthd_capabilities_are(uint64_t keep);

#endif
