/*
 * Memory access that cannot crash the kernel: each faulting instruction is
 * listed in the exception table (.ex_table), so a #PF or #GP resumes at the
 * fixup instead of panicking. Used by the panic backtrace and, later, the
 * debugger and user-pointer copies.
 *
 * size_t safe_memcpy(void *dst, const void *src, size_t n)
 *	%rdi dst, %rsi src, %rdx n. Returns the number of bytes NOT copied.
 */
	.text
	.globl safe_memcpy
safe_memcpy:
	movq %rdx, %rcx
1:	rep movsb
2:	movq %rcx, %rax
	ret

	.section .ex_table, "a"
	.quad 1b, 2b
