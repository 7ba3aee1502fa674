/*
 * stats.c - connection statistics: bytes on the wire and before
 * (de)compression each way, messages by type, round-trip time from our
 * PING/PONG. Counters of successive connections are summed.
 */
#include <inttypes.h>

#include "thin_int.h"

void tc_stats_add(struct xp_conn_stats *total, const struct xp_conn_stats *s)
{
	total->wire_in += s->wire_in;
	total->wire_out += s->wire_out;
	total->plain_in += s->plain_in;
	total->plain_out += s->plain_out;
	total->msgs_in += s->msgs_in;
	total->msgs_out += s->msgs_out;
	for (int i = 0; i < XP_OP_MAX; i++) {
		total->ops_in[i] += s->ops_in[i];
		total->ops_out[i] += s->ops_out[i];
		total->bytes_out_by_op[i] += s->bytes_out_by_op[i];
	}
}

void tc_rtt_add(struct tc_rtt *r, uint64_t us)
{
	r->last = us;
	if (r->n == 0 || us < r->min)
		r->min = us;
	if (us > r->max)
		r->max = us;
	r->sum += us;
	r->n++;
}

static void print_ops(FILE *out, const struct xp_conn_stats *s)
{
	fprintf(out, "  %-14s %10s %10s\n", "message", "in", "out");
	for (int i = 0; i < XP_OP_MAX; i++) {
		if (!s->ops_in[i] && !s->ops_out[i])
			continue;
		fprintf(out, "  %-14s %10" PRIu64 " %10" PRIu64 "\n", xp_op_name((unsigned)i),
		        s->ops_in[i], s->ops_out[i]);
	}
}

void tc_stats_print(FILE *out, const struct xp_conn_stats *s, const struct tc_rtt *r)
{
	fprintf(out, "thin-client statistics:\n");
	fprintf(out, "  wire bytes      in %" PRIu64 "  out %" PRIu64 "\n", s->wire_in,
	        s->wire_out);
	fprintf(out, "  plain bytes     in %" PRIu64 "  out %" PRIu64 " (before compression)\n",
	        s->plain_in, s->plain_out);
	fprintf(out, "  messages        in %" PRIu64 "  out %" PRIu64 "\n", s->msgs_in,
	        s->msgs_out);
	if (r->n)
		fprintf(out,
		        "  rtt (us)        last %" PRIu64 "  min %" PRIu64 "  avg %" PRIu64
		        "  max %" PRIu64 "  (%" PRIu64 " pings)\n",
		        r->last, r->min, r->sum / r->n, r->max, r->n);
	else
		fprintf(out, "  rtt             no pong yet\n");
	print_ops(out, s);
}
