// SPDX-License-Identifier: GPL-2.0
/* Bad input to NFNL_SUBSYS_CTHELPER: each request must fail with the errno of
 * the table in Documentation/networking/nf_conntrack_userspace_helper.rst and
 * leave the helper table as it was; valid requests must still work after.
 * The classes of input are those of upstream's past CVEs and fixes.
 *
 *   cthelper_bad_input                  all cases, in a new network namespace
 *   cthelper_bad_input new NAME L3 L4 ERRNO   NEW|CREATE of a default helper
 *   cthelper_bad_input del NAME ERRNO         DEL of NAME
 *   cthelper_bad_input status NAME L3 L4 0|1 [FLAGS]  update of the status
 *                                             (and flags) only
 *   cthelper_bad_input has-flags              exit 0 if NFCTH_FLAGS exists
 *
 * ERRNO is a name (EBUSY) or 0. Prints TAP; exit 0 all passed, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_cthelper.h>

#include "cthelper_nl.h"

static struct mnl_socket *nl;
static int tap_n, tap_failed;

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "0", 0 }, { "EINVAL", EINVAL }, { "ERANGE", ERANGE },
	{ "EEXIST", EEXIST }, { "EBUSY", EBUSY }, { "ENOENT", ENOENT },
	{ "EPERM", EPERM }, { "EOPNOTSUPP", EOPNOTSUPP },
};

static const char *errno_name(int e)
{
	static char other[32];
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].value == e)
			return errnos[i].name;
	snprintf(other, sizeof(other), "errno %d (%s)", e, strerror(e));
	return other;
}

static int errno_value(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return errnos[i].value;
	fprintf(stderr, "unknown errno name %s\n", name);
	exit(2);
}

static void tap(bool pass, const char *what, const char *detail)
{
	tap_n++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - %s\n", pass ? "" : "not ", tap_n, what);
	if (!pass && detail)
		printf("# %s\n", detail);
	fflush(stdout);
}

/* ret is 0 or -errno as nl_talk returns it. */
static bool expect(const char *what, int want, int ret)
{
	char detail[128];

	snprintf(detail, sizeof(detail), "want %s, got %s",
		 errno_name(want), errno_name(-ret));
	tap(-ret == want, what, detail);
	return -ret == want;
}

/* The valid helper every case starts from. */
static void base(struct cth_helper *h)
{
	cth_default(h, "bi-test", NFPROTO_IPV4, IPPROTO_TCP);
	h->priv_len = 4;
}

static int new_helper(const struct cth_helper *h)
{
	return cth_new(nl, h, NLM_F_CREATE);
}

/* NEW|CREATE: the valid helper plus raw attributes from build(); nla_parse
 * keeps the last of repeated attributes, so build() can override one.
 */
static int new_raw(unsigned int omit, void (*build)(struct nlmsghdr *))
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct cth_helper h;

	base(&h);
	h.attrs &= ~omit;
	nlh = nfnl_msg(buf, NFNL_SUBSYS_CTHELPER, NFNL_MSG_CTHELPER_NEW,
		       NLM_F_CREATE, AF_UNSPEC, 0);
	cth_put(nlh, &h);
	build(nlh);
	return nl_talk(nl, nlh, NULL, NULL);
}

static void name_no_nul(struct nlmsghdr *nlh)
{
	mnl_attr_put(nlh, NFCTH_NAME, 16, "0123456789abcdef");
}

static void name_too_long(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, NFCTH_NAME, "a-name-of-20-chars!");
}

static void queue_short(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, NFCTH_QUEUE_NUM, htons(1));
}

static void priv_short(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, NFCTH_PRIV_DATA_LEN, 4);
}

static void status_short(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, NFCTH_STATUS, htons(1));
}

static void flags_short(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, NFCTH_FLAGS, 1);
}

static void tuple_l3_short(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFCTH_TUPLE);

	mnl_attr_put_u8(nlh, NFCTH_TUPLE_L3PROTONUM, NFPROTO_IPV4);
	mnl_attr_put_u8(nlh, NFCTH_TUPLE_L4PROTONUM, IPPROTO_TCP);
	mnl_attr_nest_end(nlh, nest);
}

static void tuple_l4_empty(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFCTH_TUPLE);

	mnl_attr_put_u16(nlh, NFCTH_TUPLE_L3PROTONUM, htons(NFPROTO_IPV4));
	mnl_attr_put(nlh, NFCTH_TUPLE_L4PROTONUM, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
}

/* Set attributes by type, and SET_NUM (type 1 too, one level up). */
#define BAD_SET_NUM 100

/* A one-class POLICY nest in which attribute "bad" is malformed: SET_NUM
 * and the numbers too short, the name without its NUL.
 */
static void policy_bad(struct nlmsghdr *nlh, int bad)
{
	struct nlattr *pol = mnl_attr_nest_start(nlh, NFCTH_POLICY), *set;

	if (bad == BAD_SET_NUM)
		mnl_attr_put_u16(nlh, NFCTH_POLICY_SET_NUM, htons(1));
	else
		mnl_attr_put_u32(nlh, NFCTH_POLICY_SET_NUM, htonl(1));
	set = mnl_attr_nest_start(nlh, NFCTH_POLICY_SET1);
	if (bad == NFCTH_POLICY_NAME)
		mnl_attr_put(nlh, NFCTH_POLICY_NAME, 16, "0123456789abcdef");
	else
		mnl_attr_put_strz(nlh, NFCTH_POLICY_NAME, "bi-test");
	if (bad == NFCTH_POLICY_EXPECT_MAX)
		mnl_attr_put_u8(nlh, NFCTH_POLICY_EXPECT_MAX, 1);
	else
		mnl_attr_put_u32(nlh, NFCTH_POLICY_EXPECT_MAX, htonl(1));
	if (bad == NFCTH_POLICY_EXPECT_TIMEOUT)
		mnl_attr_put_u16(nlh, NFCTH_POLICY_EXPECT_TIMEOUT, htons(300));
	else
		mnl_attr_put_u32(nlh, NFCTH_POLICY_EXPECT_TIMEOUT, htonl(300));
	mnl_attr_nest_end(nlh, set);
	mnl_attr_nest_end(nlh, pol);
}

static void policy_name_no_nul(struct nlmsghdr *nlh)
{
	policy_bad(nlh, NFCTH_POLICY_NAME);
}

static void policy_max_short(struct nlmsghdr *nlh)
{
	policy_bad(nlh, NFCTH_POLICY_EXPECT_MAX);
}

static void policy_timeout_short(struct nlmsghdr *nlh)
{
	policy_bad(nlh, NFCTH_POLICY_EXPECT_TIMEOUT);
}

static void policy_set_num_short(struct nlmsghdr *nlh)
{
	policy_bad(nlh, BAD_SET_NUM);
}

/* Requests with one attribute malformed at the byte level. */
static const struct {
	const char *what;
	int err;
	unsigned int omit;	/* the valid attribute that build() replaces */
	void (*build)(struct nlmsghdr *nlh);
} raw_cases[] = {
	{ "NAME without NUL: EINVAL", EINVAL, CTH_A_NAME, name_no_nul },
	{ "NAME longer than 15: EINVAL", EINVAL, CTH_A_NAME, name_too_long },
	{ "POLICY_NAME without NUL: EINVAL", EINVAL, CTH_A_POLICY,
	  policy_name_no_nul },
	{ "short QUEUE_NUM (u16): ERANGE", ERANGE, 0, queue_short },
	{ "short PRIV_DATA_LEN (u8): ERANGE", ERANGE, CTH_A_PRIV, priv_short },
	{ "short STATUS (u16): ERANGE", ERANGE, 0, status_short },
	{ "short L3PROTONUM (u8): ERANGE", ERANGE, CTH_A_TUPLE, tuple_l3_short },
	{ "empty L4PROTONUM: ERANGE", ERANGE, CTH_A_TUPLE, tuple_l4_empty },
	{ "short POLICY_SET_NUM (u16): ERANGE", ERANGE, CTH_A_POLICY,
	  policy_set_num_short },
	{ "short POLICY_EXPECT_MAX (u8): ERANGE", ERANGE, CTH_A_POLICY,
	  policy_max_short },
	{ "short POLICY_EXPECT_TIMEOUT (u16): ERANGE", ERANGE, CTH_A_POLICY,
	  policy_timeout_short },
};

/* A helper that the bad request must have left alone (or never created). */
static void expect_table(const char *what, const struct cth_helper *want)
{
	struct cth_helper got;
	int ret = cth_get(nl, "bi-test", &got);
	bool same;

	if (!want) {
		expect(what, ENOENT, ret);
		return;
	}
	same = !ret && got.queue == want->queue &&
	       got.set_num == want->set_num &&
	       got.priv_len == want->priv_len &&
	       got.status == want->status;
	for (int i = 0; i < (int)want->set_num && same; i++)
		same = !strcmp(got.policy[i].name, want->policy[i].name) &&
		       got.policy[i].expect_max == want->policy[i].expect_max &&
		       got.policy[i].expect_timeout ==
				want->policy[i].expect_timeout;
	tap(same, what, ret ? strerror(-ret) : "helper differs");
}

/* NFCTH_FLAGS is new in our series: a kernel without it ignores it. */
static bool flags_supported(void)
{
	struct cth_helper h, got = {};

	base(&h);
	strcpy(h.name, "bi-probe");
	h.attrs |= CTH_A_FLAGS;
	h.flags = NFCTH_F_FAIL_CLOSED;
	if (new_helper(&h) < 0)
		return false;
	cth_get(nl, "bi-probe", &got);
	cth_del(nl, "bi-probe");
	return (got.attrs & CTH_A_FLAGS) && got.flags == NFCTH_F_FAIL_CLOSED;
}

static void bad_new(void)
{
	struct cth_helper h;

	base(&h); h.attrs &= ~CTH_A_NAME;
	expect("NEW without NAME: EINVAL", EINVAL, new_helper(&h));
	base(&h); h.attrs &= ~CTH_A_TUPLE;
	expect("NEW without TUPLE: EINVAL", EINVAL, new_helper(&h));
	base(&h); h.attrs &= ~CTH_A_POLICY;
	expect("NEW without POLICY: EINVAL", EINVAL, new_helper(&h));
	base(&h); h.attrs &= ~CTH_A_PRIV;
	expect("NEW without PRIV_DATA_LEN: EINVAL", EINVAL, new_helper(&h));

	base(&h); strcpy(h.policy[0].name, "a-name-of-20-chars!");
	expect("POLICY_NAME longer than 15: EINVAL", EINVAL, new_helper(&h));
	for (size_t i = 0; i < sizeof(raw_cases) / sizeof(raw_cases[0]); i++)
		expect(raw_cases[i].what, raw_cases[i].err,
		       new_raw(raw_cases[i].omit, raw_cases[i].build));

	base(&h); h.set_num = 0;
	expect("policy SET_NUM 0: ERANGE", ERANGE, new_helper(&h));
	base(&h); h.set_num = 5; h.sets = 0x1f;
	for (int i = 1; i < CTH_MAX_CLASSES; i++)
		h.policy[i] = h.policy[0];
	expect("policy SET_NUM 5: ERANGE", ERANGE, new_helper(&h));
	h.set_num = 0xffffffff;
	expect("policy SET_NUM 0xffffffff: ERANGE", ERANGE, new_helper(&h));
	base(&h); h.set_num = 2;
	expect("policy SET_NUM 2 without SET2: EINVAL", EINVAL, new_helper(&h));
	h.sets = 0x5; h.policy[2] = h.policy[0];
	strcpy(h.policy[2].name, "other");
	expect("policy SET_NUM 2 with SET1, SET3: EINVAL", EINVAL,
	       new_helper(&h));

	/* Upstream took 0: no limit per connection. */
	base(&h); h.policy[0].expect_max = 0;
	if (expect("max expected 0: accepted, as upstream", 0, new_helper(&h))) {
		struct cth_helper got = {};

		tap(cth_get(nl, h.name, &got) == 0 && got.policy[0].expect_max == 0,
		    "max expected 0 reads back as 0", "GET failed or another value");
		cth_del(nl, h.name);
	}
	h.policy[0].expect_max = 256;
	expect("max expected 256: ERANGE", ERANGE, new_helper(&h));
	base(&h); h.priv_len = 33;
	expect("PRIV_DATA_LEN 33: ERANGE", ERANGE, new_helper(&h));
	base(&h); h.priv_len = 0xffffffff;
	expect("PRIV_DATA_LEN 0xffffffff: ERANGE", ERANGE, new_helper(&h));
	base(&h); h.attrs |= CTH_A_QUEUE; h.queue = 65536;
	expect("QUEUE_NUM 65536: ERANGE", ERANGE, new_helper(&h));
	base(&h); h.attrs |= CTH_A_STATUS; h.status = 2;
	expect("STATUS 2: ERANGE", ERANGE, new_helper(&h));
	if (flags_supported()) {
		expect("short FLAGS (u8): ERANGE", ERANGE,
		       new_raw(0, flags_short));
		base(&h); h.attrs |= CTH_A_FLAGS; h.flags = 1U << 2;
		expect("unknown FLAGS bit: EINVAL", EINVAL, new_helper(&h));
	} else {
		printf("ok %d - FLAGS cases # SKIP NFCTH_FLAGS not in this kernel\n",
		       ++tap_n);
	}
	base(&h); h.l3num = 0;
	expect("L3PROTONUM 0: EINVAL", EINVAL, new_helper(&h));
	base(&h); h.l3num = NFPROTO_BRIDGE;
	expect("L3PROTONUM NFPROTO_BRIDGE: EINVAL", EINVAL, new_helper(&h));
	base(&h); h.l4num = 0;
	expect("L4PROTONUM 0: ERANGE", ERANGE, new_helper(&h));

	expect_table("no helper left behind by the bad requests", NULL);
}

static void bad_update(void)
{
	struct cth_helper h, cur, upd;

	/* Two classes with different values: each must keep its own. */
	base(&h);
	h.set_num = 2; h.sets = 3;
	h.policy[1] = (struct cth_policy){ "second", 7, 60 };
	h.policy[0].expect_max = 3;
	if (!expect("valid NEW of a 2-class helper", 0, new_helper(&h)))
		return;
	expect("NEW|EXCL on the existing helper: EEXIST", EEXIST,
	       cth_new(nl, &h, NLM_F_CREATE | NLM_F_EXCL));
	cur = h;
	expect_table("each class keeps its own policy values", &cur);

	upd = h; upd.set_num = 1; upd.sets = 1;
	expect("update changing the class count: EBUSY", EBUSY,
	       cth_new(nl, &upd, 0));
	upd = h; strcpy(upd.policy[1].name, "renamed");
	expect("update changing a policy name: EBUSY", EBUSY,
	       cth_new(nl, &upd, 0));
	upd = h; upd.priv_len = 8;
	expect("update changing PRIV_DATA_LEN: EBUSY", EBUSY,
	       cth_new(nl, &upd, 0));

	/* The queue is valid but the second class is not: nothing applies. */
	upd = h; upd.attrs |= CTH_A_QUEUE; upd.queue = 7;
	upd.policy[0].expect_max = 9; upd.policy[1].expect_max = 256;
	expect("update with one bad class: ERANGE", ERANGE,
	       cth_new(nl, &upd, 0));
	expect_table("failed update left the helper unchanged", &cur);

	upd = h; upd.attrs |= CTH_A_QUEUE | CTH_A_STATUS;
	upd.queue = 7; upd.status = 1;
	upd.policy[0].expect_max = 9; upd.policy[1].expect_timeout = 30;
	if (expect("valid update of queue, status, limits", 0,
		   cth_new(nl, &upd, 0))) {
		cur = upd;
		expect_table("update applied to the right classes only", &cur);
	}

	/* Status only: everything else stays as it is. */
	upd = cur; upd.attrs = CTH_A_NAME | CTH_A_TUPLE | CTH_A_STATUS;
	upd.status = 0;
	expect("disable by a status-only update", 0, cth_new(nl, &upd, 0));
	cur.status = 0;
	expect_table("helper disabled", &cur);
}

static void unknown_helper(void)
{
	struct cth_helper h;

	expect("GET of an unknown helper: ENOENT", ENOENT,
	       cth_get(nl, "bi-nothing", &h));
	expect("DEL of an unknown helper: ENOENT", ENOENT,
	       cth_del(nl, "bi-nothing"));
	base(&h);
	strcpy(h.name, "bi-nothing");
	/* Upstream creates without NLM_F_CREATE; clients rely on it. */
	expect("NEW without CREATE of an unknown helper creates it", 0,
	       cth_new(nl, &h, 0));
	cth_del(nl, "bi-nothing");
}

static int dump_count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

static int dump_count(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int n = 0;

	nlh = nfnl_msg(buf, NFNL_SUBSYS_CTHELPER, NFNL_MSG_CTHELPER_GET,
		       NLM_F_DUMP, AF_UNSPEC, 0);
	if (nl_talk(nl, nlh, dump_count_cb, &n) < 0)
		return -1;
	return n;
}

static void still_works(void)
{
	struct cth_helper h;
	char name[16];
	int i, n;

	expect("DEL of the test helper", 0, cth_del(nl, "bi-test"));
	base(&h);
	h.attrs |= CTH_A_STATUS | CTH_A_QUEUE;
	h.status = 1; h.queue = 65535; h.priv_len = 32;
	h.set_num = 4; h.sets = 0xf;
	for (i = 1; i < CTH_MAX_CLASSES; i++) {
		h.policy[i] = h.policy[0];
		snprintf(h.policy[i].name, sizeof(h.policy[i].name), "c%d", i);
		h.policy[i].expect_max = 255;
	}
	expect("valid NEW at every limit (4 classes, max 255, 32 bytes, queue 65535)",
	       0, new_helper(&h));
	expect_table("GET returns it as sent", &h);
	h.l3num = NFPROTO_IPV6;
	expect("same name for IPv6", 0, new_helper(&h));
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "bi-flush%d", i);
		base(&h);
		strcpy(h.name, name);
		new_helper(&h);
	}
	n = dump_count();
	tap(n == 10, "dump lists the 10 helpers", "wrong count");
	expect("DEL without NAME flushes", 0, cth_del(nl, NULL));
	n = dump_count();
	tap(n == 0, "dump is empty after the flush", "helpers left");
}

/* CAP_NET_ADMIN must be over the network namespace (CVE-2017-17448): root of
 * a new user namespace cannot touch the initial netns' table, but owns the
 * table of a netns it creates.
 */
static void userns(void)
{
	/* unshare's errno, then the two requests' results */
	int status, ret[3] = { 0, 1, 1 };
	pid_t pid;
	int fds[2];

	if (pipe(fds) < 0)
		exit(2);
	pid = fork();
	if (pid == 0) {
		struct mnl_socket *unl;
		struct cth_helper h;

		close(fds[0]);
		base(&h);
		if (unshare(CLONE_NEWUSER) < 0) {
			ret[0] = errno;
		} else {
			unl = nl_open();
			ret[1] = cth_new(unl, &h, NLM_F_CREATE);
			mnl_socket_close(unl);
			if (unshare(CLONE_NEWNET) == 0) {
				unl = nl_open();
				ret[2] = cth_new(unl, &h, NLM_F_CREATE);
			}
		}
		if (write(fds[1], ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], ret, sizeof(ret)) != sizeof(ret))
		ret[0] = EIO;
	waitpid(pid, &status, 0);
	if (ret[0]) {
		printf("ok %d - userns root: EPERM on the parent netns # SKIP unshare(CLONE_NEWUSER): %s\n",
		       ++tap_n, strerror(ret[0]));
		return;
	}
	expect("userns root: EPERM on the parent netns", EPERM, ret[1]);
	expect("userns root: NEW in its own netns", 0, ret[2]);
	expect_table("parent netns unchanged", NULL);
}

int main(int argc, char *argv[])
{
	struct cth_helper h;
	int ret;

	if (argc == 6 && !strcmp(argv[1], "new")) {
		nl = nl_open();
		cth_default(&h, argv[2], atoi(argv[3]), atoi(argv[4]));
		ret = cth_new(nl, &h, NLM_F_CREATE);
		if (-ret == errno_value(argv[5]))
			return 0;
		fprintf(stderr, "NEW %s: got %s\n", argv[2], errno_name(-ret));
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "del")) {
		nl = nl_open();
		ret = cth_del(nl, argv[2]);
		if (-ret == errno_value(argv[3]))
			return 0;
		fprintf(stderr, "DEL %s: got %s\n", argv[2], errno_name(-ret));
		return 1;
	}
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "status")) {
		nl = nl_open();
		cth_default(&h, argv[2], atoi(argv[3]), atoi(argv[4]));
		h.attrs = CTH_A_NAME | CTH_A_TUPLE | CTH_A_STATUS;
		h.status = atoi(argv[5]);
		if (argc == 7) {
			h.attrs |= CTH_A_FLAGS;
			h.flags = atoi(argv[6]);
		}
		ret = cth_new(nl, &h, 0);
		if (ret)
			fprintf(stderr, "status %s: %s\n", argv[2], strerror(-ret));
		return !!ret;
	}
	if (argc == 2 && !strcmp(argv[1], "has-flags")) {
		if (unshare(CLONE_NEWNET) < 0)
			return 2;
		nl = nl_open();
		return flags_supported() ? 0 : 1;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [new NAME L3 L4 ERRNO | del NAME ERRNO | status NAME L3 L4 0|1 [FLAGS] | has-flags]\n",
			argv[0]);
		return 2;
	}

	/* A fresh netns: no helper of anyone else, nothing left behind. */
	if (unshare(CLONE_NEWNET) < 0) {
		perror("unshare");
		return 2;
	}
	nl = nl_open();
	/* nfnetlink answers EINVAL for a subsystem it does not have. */
	if (dump_count() < 0) {
		printf("1..0 # SKIP no NFNL_SUBSYS_CTHELPER in this kernel\n");
		return 4;
	}
	bad_new();
	bad_update();
	unknown_helper();
	still_works();
	userns();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
