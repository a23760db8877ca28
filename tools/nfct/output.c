// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Output of helpers and timeout policies: an aligned table for people,
 * JSON for scripts, and conntrack-tools 1.4.7's exact text (the
 * snprintf formats of libnetfilter_cthelper / libnetfilter_cttimeout) for
 * scripts written against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfct.h"

/* Names from the kernel are arbitrary bytes: keep the JSON valid anyway. */
static void json_string(FILE *out, const char *s)
{
	const unsigned char *c;

	fputc('"', out);
	for (c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(out, "\\u%04x", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

static void family_text(char *buf, size_t len, uint16_t l3num)
{
	const char *name = nfct_family_name(l3num);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", l3num);
}

static void proto_text(char *buf, size_t len, uint8_t l4num)
{
	const char *name = nfct_proto_name(l4num);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", l4num);
}

static void json_family_proto(FILE *out, uint16_t l3num, uint8_t l4num)
{
	const char *family = nfct_family_name(l3num);
	const char *proto = nfct_proto_name(l4num);

	fputs("\"family\": ", out);
	if (family)
		json_string(out, family);
	else
		fputs("null", out);
	fprintf(out, ", \"l3proto\": %u, \"protocol\": ", l3num);
	if (proto)
		json_string(out, proto);
	else
		fputs("null", out);
	fprintf(out, ", \"l4proto\": %u", l4num);
}

/*
 * Aligned columns: @cells holds nrows * ncols strings of @cellsize bytes,
 * row by row. The last column is not padded.
 */
static void print_table(FILE *out, int ncols, const char *const heads[],
			const char *cells, size_t cellsize, size_t nrows)
{
	size_t width[16] = { 0 };
	size_t r;
	int c;

	for (c = 0; c < ncols; c++)
		width[c] = strlen(heads[c]);
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++) {
			size_t len = strlen(cells + (r * ncols + c) * cellsize);

			if (len > width[c])
				width[c] = len;
		}
	for (c = 0; c < ncols; c++) {
		if (c < ncols - 1)
			fprintf(out, "%-*s  ", (int)width[c], heads[c]);
		else
			fprintf(out, "%s\n", heads[c]);
	}
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++) {
			const char *cell = cells + (r * ncols + c) * cellsize;

			if (c < ncols - 1)
				fprintf(out, "%-*s  ", (int)width[c], cell);
			else
				fprintf(out, "%s\n", cell);
		}
}

/* --- helpers ------------------------------------------------------------- */

static const char *helper_status(const struct cth_helper *h)
{
	if (!(h->present & CTH_F_STATUS))
		return "-";
	return h->status == CTH_STATUS_ENABLED ? "enabled" : "disabled";
}

/*
 * The kernel sends FLAGS only when fail-closed is set; without it the
 * packets bypass a queue nobody listens on (upstream does the same).
 */
static bool helper_fail_closed(const struct cth_helper *h)
{
	return (h->present & CTH_F_FLAGS) && (h->flags & NFCTH_F_FAIL_CLOSED);
}

static const char *helper_mode(const struct cth_helper *h)
{
	return helper_fail_closed(h) ? "fail-closed" : "fail-open";
}

static void helper_policies_text(char *buf, size_t len,
				 const struct cth_helper *h)
{
	size_t used = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < h->policy_count && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s max %u timeout %us",
				 i ? ", " : "", h->policy[i].name,
				 h->policy[i].max_expected, h->policy[i].timeout);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

enum { H_NAME, H_FAMILY, H_PROTO, H_QUEUE, H_STATUS, H_MODE, H_PRIV,
       H_POLICIES, H_COLS };

static void helper_row(const struct cth_helper *h, char cells[H_COLS][200])
{
	snprintf(cells[H_NAME], 200, "%s", h->name);
	family_text(cells[H_FAMILY], 200, h->l3num);
	proto_text(cells[H_PROTO], 200, h->l4num);
	snprintf(cells[H_QUEUE], 200, "%u", h->queue_num);
	snprintf(cells[H_STATUS], 200, "%s", helper_status(h));
	snprintf(cells[H_MODE], 200, "%s", helper_mode(h));
	snprintf(cells[H_PRIV], 200, "%u", h->priv_data_len);
	helper_policies_text(cells[H_POLICIES], 200, h);
}

static void print_helper_table(FILE *out, const struct cth_helper *helpers,
			       size_t n)
{
	static const char *const heads[H_COLS] = {
		"NAME", "FAMILY", "PROTO", "QUEUE", "STATUS", "MODE",
		"PRIV", "POLICIES",
	};
	char (*cells)[H_COLS][200];
	size_t i;

	cells = calloc(n ? n : 1, sizeof(*cells));
	if (!cells)
		return;
	for (i = 0; i < n; i++)
		helper_row(&helpers[i], cells[i]);
	print_table(out, H_COLS, heads, &cells[0][0][0], 200, n);
	free(cells);
}

static void print_helper_json(FILE *out, const struct cth_helper *h)
{
	uint32_t i;

	fputs("{\"name\": ", out);
	json_string(out, h->name);
	fputs(", ", out);
	json_family_proto(out, h->l3num, h->l4num);
	fprintf(out, ", \"queue\": %u, \"status\": ", h->queue_num);
	if (h->present & CTH_F_STATUS)
		json_string(out, helper_status(h));
	else
		fputs("null", out);
	fprintf(out, ", \"fail_closed\": %s", helper_fail_closed(h) ? "true" : "false");
	fprintf(out, ", \"priv_data_len\": %u, \"policies\": [", h->priv_data_len);
	for (i = 0; i < h->policy_count; i++) {
		fputs(i ? ", {\"name\": " : "{\"name\": ", out);
		json_string(out, h->policy[i].name);
		fprintf(out, ", \"max_expected\": %u, \"timeout\": %u}",
			h->policy[i].max_expected, h->policy[i].timeout);
	}
	fputs("]}", out);
}

/* libnetfilter_cthelper's nfct_helper_snprintf(), then "\n" as nfct does. */
static void print_helper_compat(FILE *out, const struct cth_helper *h)
{
	fprintf(out, "{\n"
		"\t.name = %s,\n"
		"\t.queuenum = %u,\n"
		"\t.l3protonum = %u,\n"
		"\t.l4protonum = %u,\n"
		"\t.priv_data_len = %u,\n"
		"\t.status = %s,\n};\n",
		h->name, h->queue_num, h->l3num, h->l4num, h->priv_data_len,
		h->status ? "enabled" : "disabled");
}

void nfct_print_helpers(FILE *out, enum nfct_output fmt,
			const struct cth_helper *helpers, size_t n)
{
	size_t i;

	switch (fmt) {
	case NFCT_OUT_TABLE:
		print_helper_table(out, helpers, n);
		break;
	case NFCT_OUT_JSON:
		fputs("[", out);
		for (i = 0; i < n; i++) {
			fputs(i ? ",\n " : "", out);
			print_helper_json(out, &helpers[i]);
		}
		fputs("]\n", out);
		break;
	case NFCT_OUT_COMPAT:
		for (i = 0; i < n; i++)
			print_helper_compat(out, &helpers[i]);
		break;
	}
}

/* --- timeout policies ---------------------------------------------------- */

static void timeout_states_text(char *buf, size_t len,
				const struct ctt_timeout *t)
{
	size_t used = 0;
	unsigned int i;
	const char *name;
	int n;

	buf[0] = '\0';
	for (i = 1; i <= CTT_STATE_MAX && used < len; i++) {
		if (!(t->state_set & (1U << i)))
			continue;
		name = ctt_state_name(t->l4num, i);
		if (name)
			n = snprintf(buf + used, len - used, "%s%s=%u",
				     used ? " " : "", name, t->state[i]);
		else
			n = snprintf(buf + used, len - used, "%sstate_%u=%u",
				     used ? " " : "", i, t->state[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

enum { T_NAME, T_FAMILY, T_PROTO, T_USE, T_TIMEOUTS, T_COLS };

static void timeout_row(const struct ctt_timeout *t, char cells[T_COLS][400])
{
	snprintf(cells[T_NAME], 400, "%s",
		 (t->present & CTT_F_NAME) ? t->name : "(default)");
	family_text(cells[T_FAMILY], 400, t->l3num);
	proto_text(cells[T_PROTO], 400, t->l4num);
	/* The kernel counts its own reference: users are the rest. */
	if ((t->present & CTT_F_USE) && t->use > 0)
		snprintf(cells[T_USE], 400, "%u", t->use - 1);
	else
		snprintf(cells[T_USE], 400, "-");
	timeout_states_text(cells[T_TIMEOUTS], 400, t);
}

static void print_timeout_table(FILE *out, const struct ctt_timeout *timeouts,
				size_t n)
{
	static const char *const heads[T_COLS] = {
		"NAME", "FAMILY", "PROTO", "USERS", "TIMEOUTS (s)",
	};
	char (*cells)[T_COLS][400];
	size_t i;

	cells = calloc(n ? n : 1, sizeof(*cells));
	if (!cells)
		return;
	for (i = 0; i < n; i++)
		timeout_row(&timeouts[i], cells[i]);
	print_table(out, T_COLS, heads, &cells[0][0][0], 400, n);
	free(cells);
}

static void print_timeout_json(FILE *out, const struct ctt_timeout *t)
{
	const char *name;
	unsigned int i;
	bool first = true;

	fputs("{\"name\": ", out);
	if (t->present & CTT_F_NAME)
		json_string(out, t->name);
	else
		fputs("null", out);
	fputs(", ", out);
	json_family_proto(out, t->l3num, t->l4num);
	fputs(", \"use\": ", out);
	if (t->present & CTT_F_USE)
		fprintf(out, "%u", t->use);
	else
		fputs("null", out);
	fputs(", \"timeouts\": {", out);
	for (i = 1; i <= CTT_STATE_MAX; i++) {
		if (!(t->state_set & (1U << i)))
			continue;
		fputs(first ? "" : ", ", out);
		first = false;
		name = ctt_state_name(t->l4num, i);
		if (name)
			json_string(out, name);
		else
			fprintf(out, "\"state_%u\"", i);
		fprintf(out, ": %u", t->state[i]);
	}
	fputs("}}", out);
}

/*
 * libnetfilter_cttimeout's nfct_timeout_snprintf(): the name line only for
 * named policies, and only the states that library knows.
 */
static void print_timeout_compat(FILE *out, const struct ctt_timeout *t)
{
	unsigned int i, known = ctt_state_compat_count(t->l4num);

	if (t->present & CTT_F_NAME)
		fprintf(out, ".%s = {\n", t->name);
	fprintf(out, "\t.l3proto = %u,\n\t.l4proto = %u,\n\t.policy = {\n",
		t->l3num, t->l4num);
	for (i = 1; i <= known; i++)
		if (t->state_set & (1U << i))
			fprintf(out, "\t\t.%s = %u,\n", ctt_state_name(t->l4num, i),
				t->state[i]);
	fputs("\t},\n};\n", out);
}

void nfct_print_timeouts(FILE *out, enum nfct_output fmt,
			 const struct ctt_timeout *timeouts, size_t n)
{
	size_t i;

	switch (fmt) {
	case NFCT_OUT_TABLE:
		print_timeout_table(out, timeouts, n);
		break;
	case NFCT_OUT_JSON:
		fputs("[", out);
		for (i = 0; i < n; i++) {
			fputs(i ? ",\n " : "", out);
			print_timeout_json(out, &timeouts[i]);
		}
		fputs("]\n", out);
		break;
	case NFCT_OUT_COMPAT:
		for (i = 0; i < n; i++)
			print_timeout_compat(out, &timeouts[i]);
		break;
	}
}
