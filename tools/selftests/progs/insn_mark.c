// SPDX-License-Identifier: GPL-2.0
/*
 * Executes the marker instruction once: under tools/selftests/vm/run.sh
 * with VM_INSN_COUNT=1, the insn_count plugin then appends the guest's
 * instruction counts so far to /run/results/insn_count.log. Elsewhere it
 * is a no-op.
 */
int main(void)
{
	/* nopl 0xfeedface(%rax,%rax,1) */
	__asm__ volatile(".byte 0x0f, 0x1f, 0x84, 0x00, 0xce, 0xfa, 0xed, 0xfe" ::: "memory");
	return 0;
}
