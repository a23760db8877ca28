// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The seccomp filter's system call list must build on arm64 as well as on
 * the host: arm64 numbers its system calls with the generic table
 * (asm-generic/unistd.h), which lacks the old calls x86_64 keeps (unlink,
 * open, epoll_wait, ...). This file compiles the filter's lists against
 * that table with arm64's options, so a name arm64 lacks fails the build
 * of the host tests; at run time it checks a few numbers against arm64's.
 */
#include <stdio.h>
#include <string.h>

/* what arch/arm64/include/uapi/asm/unistd.h sets before the generic table */
#define __ARCH_WANT_RENAMEAT
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SET_GET_RLIMIT
#define __ARCH_WANT_TIME32_SYSCALLS
#define __ARCH_WANT_SYS_CLONE3
#include <asm-generic/unistd.h>

#include "../privdrop.h"
#include "tap.h"

struct nr {
	const char *name;
	int nr;
};

#define ENTRY(name) { #name, __NR_##name },
static const struct nr allowed[] = { CTHD_SECCOMP_ALLOWED(ENTRY) };
static const struct nr checked[] = { CTHD_SECCOMP_CHECKED(ENTRY) };

static int number(const struct nr *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			return list[i].nr;
	return -1;
}

int main(void)
{
	struct tap t = { 0 };
	size_t n_allowed = sizeof(allowed) / sizeof(allowed[0]);
	size_t n_checked = sizeof(checked) / sizeof(checked[0]);

	/* reaching here means every name compiled against arm64's table */
	tap_check(&t, n_allowed > 0 && n_checked == 2, "seccomp_names_exist_on_arm64",
		  "%zu allowed, %zu checked", n_allowed, n_checked);
	/* arm64's numbers, from its syscall table (a wrong table would differ) */
	tap_check(&t, number(allowed, n_allowed, "unlinkat") == 35 &&
		  number(allowed, n_allowed, "newfstatat") == 79 &&
		  number(allowed, n_allowed, "epoll_pwait") == 22 &&
		  number(allowed, n_allowed, "sendto") == 206 &&
		  number(checked, n_checked, "mmap") == 222 &&
		  number(checked, n_checked, "socket") == 198, "seccomp_arm64_numbers",
		  "unlinkat %d newfstatat %d epoll_pwait %d sendto %d mmap %d socket %d",
		  number(allowed, n_allowed, "unlinkat"), number(allowed, n_allowed, "newfstatat"),
		  number(allowed, n_allowed, "epoll_pwait"), number(allowed, n_allowed, "sendto"),
		  number(checked, n_checked, "mmap"), number(checked, n_checked, "socket"));
	/* no allowed call may be one the filter means to refuse */
	tap_check(&t, number(allowed, n_allowed, "sendmsg") < 0 &&
		  number(allowed, n_allowed, "sendmmsg") < 0 &&
		  number(allowed, n_allowed, "mprotect") < 0 &&
		  number(allowed, n_allowed, "openat") < 0 &&
		  number(allowed, n_allowed, "execve") < 0, "seccomp_list_refuses_fd_passing_and_code",
		  "sendmsg, sendmmsg, mprotect, openat or execve is in the allowed list");
	return tap_done(&t);
}
