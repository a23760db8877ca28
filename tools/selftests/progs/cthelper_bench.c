// SPDX-License-Identifier: GPL-2.0
/*
 * Control-plane cost of user-space helpers: how long registering, flushing
 * and deleting helpers take, and how much a stream of deletions in one
 * network namespace slows requests in another one.
 *
 * usage: cthelper_bench add-flush N        (in a fresh namespace)
 *        cthelper_bench delete ROUNDS
 *        cthelper_bench get-latency SECONDS (prints median and max)
 *        cthelper_bench churn SECONDS       (adds and deletes in a loop)
 *
 * Prints "name value unit" lines; comparing them is the caller's job.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>

#include "../../lib/cthelper_nl.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void helper_init(struct cth_helper *h, const char *name)
{
	memset(h, 0, sizeof(*h));
	cth_helper_set_name(h, name);
	cth_helper_set_tuple(h, NFPROTO_IPV4, IPPROTO_TCP);
	cth_helper_set_priv_data_len(h, 0);
	cth_helper_add_policy(h, name, 1, 300);
}

static int add(struct cth_nl *nl, const char *name)
{
	char buf[CTH_MSG_BUFSZ];
	struct cth_helper h;

	helper_init(&h, name);
	return cth_nl_request(nl, cth_helper_build_new(buf, sizeof(buf),
						       NLM_F_CREATE, &h),
			      NULL, NULL);
}

/* NULL name: flush. */
static int del(struct cth_nl *nl, const char *name)
{
	char buf[CTH_MSG_BUFSZ];
	struct cth_helper h;

	memset(&h, 0, sizeof(h));
	if (name)
		cth_helper_set_name(&h, name);
	return cth_nl_request(nl, cth_helper_build_del(buf, sizeof(buf),
						       name ? &h : NULL),
			      NULL, NULL);
}

static int get(struct cth_nl *nl, const char *name)
{
	char buf[CTH_MSG_BUFSZ];
	struct cth_helper h;

	memset(&h, 0, sizeof(h));
	cth_helper_set_name(&h, name);
	return cth_nl_request(nl, cth_helper_build_get(buf, sizeof(buf), &h),
			      NULL, NULL);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "cthelper_bench: %s: %s\n", what, strerror(-err));
	return 1;
}

static int add_flush(struct cth_nl *nl, int n)
{
	char name[16];
	double t0, t1;
	int i, err;

	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "bench%d", i);
		err = add(nl, name);
		if (err)
			return fail("add", err);
	}
	t1 = now();
	err = del(nl, NULL);
	if (err)
		return fail("flush", err);
	printf("add_%d %.3f s\n", n, t1 - t0);
	printf("flush_%d %.3f s\n", n, now() - t1);
	return 0;
}

static int delete_rounds(struct cth_nl *nl, int rounds)
{
	double *lat = calloc(rounds, sizeof(*lat));
	int i, err;

	if (!lat)
		return fail("calloc", -ENOMEM);
	for (i = 0; i < rounds; i++) {
		double t0;

		err = add(nl, "bench-del");
		if (err)
			return fail("add", err);
		t0 = now();
		err = del(nl, "bench-del");
		if (err)
			return fail("delete", err);
		lat[i] = now() - t0;
	}
	qsort(lat, rounds, sizeof(*lat), cmp_double);
	printf("delete_median %.3f ms\n", lat[rounds / 2] * 1e3);
	printf("delete_max %.3f ms\n", lat[rounds - 1] * 1e3);
	free(lat);
	return 0;
}

static int get_latency(struct cth_nl *nl, double seconds)
{
	size_t n = 0, cap = 1024;
	double *lat = malloc(cap * sizeof(*lat));
	double end = now() + seconds;
	int err;

	err = add(nl, "bench-get");
	if (err)
		return fail("add", err);
	while (lat && now() < end) {
		double t0 = now();

		err = get(nl, "bench-get");
		if (err)
			return fail("get", err);
		if (n == cap)
			lat = realloc(lat, (cap *= 2) * sizeof(*lat));
		if (lat)
			lat[n++] = now() - t0;
	}
	if (!lat || !n)
		return fail("get-latency", -ENOMEM);
	del(nl, "bench-get");
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("get_requests %zu\n", n);
	printf("get_median %.3f ms\n", lat[n / 2] * 1e3);
	printf("get_p99 %.3f ms\n", lat[n * 99 / 100] * 1e3);
	printf("get_max %.3f ms\n", lat[n - 1] * 1e3);
	free(lat);
	return 0;
}

static int churn(struct cth_nl *nl, double seconds)
{
	double end = now() + seconds;
	unsigned long rounds = 0;
	int err;

	while (now() < end) {
		err = add(nl, "bench-churn");
		if (!err)
			err = del(nl, "bench-churn");
		if (err)
			return fail("churn", err);
		rounds++;
	}
	printf("churn_rounds %lu\n", rounds);
	return 0;
}

int main(int argc, char *argv[])
{
	struct cth_nl *nl;
	int ret = 2;

	if (argc != 3) {
		fprintf(stderr,
			"usage: %s add-flush N | delete ROUNDS | get-latency SECONDS | churn SECONDS\n",
			argv[0]);
		return 2;
	}
	if (atof(argv[2]) <= 0) {
		fprintf(stderr, "cthelper_bench: %s: want a positive number\n",
			argv[2]);
		return 2;
	}
	nl = cth_nl_open();
	if (!nl) {
		fprintf(stderr, "cthelper_bench: netlink socket: %s\n",
			strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "add-flush"))
		ret = add_flush(nl, atoi(argv[2]));
	else if (!strcmp(argv[1], "delete"))
		ret = delete_rounds(nl, atoi(argv[2]));
	else if (!strcmp(argv[1], "get-latency"))
		ret = get_latency(nl, atof(argv[2]));
	else if (!strcmp(argv[1], "churn"))
		ret = churn(nl, atof(argv[2]));
	else
		fprintf(stderr, "cthelper_bench: unknown mode %s\n", argv[1]);
	cth_nl_close(nl);
	return ret;
}
