/*
 * Copies between kernel and user memory that survive bad user pointers:
 * each access that may fault is in the exception table, so a fault the
 * page-fault handler cannot satisfy (by demand paging) resumes at the
 * fixup and the copy returns -EFAULT instead of crashing the kernel.
 * With SMAP on, user pages are reachable only between stac and clac.
 *
 * The C wrappers (uaccess.h) check the range first: a user pointer must
 * lie entirely below USER_TOP, so no copy can reach kernel memory.
 *
 * long uaccess_copy(void *dst, const void *src, size_t n)
 *	%rdi dst, %rsi src, %rdx n. Returns 0 or -EFAULT. Eight bytes a
 *	step, then the rest (as memcpy, kernel/string.c: under TCG each
 *	step of a rep is an instruction); a fault in either rep ends the
 *	copy, and a page the fault handler maps in resumes it where it was.
 * long uaccess_strncpy(char *dst, const char *src, size_t max)
 *	Copies up to max bytes, stopping after a NUL. Returns the string's
 *	length, max if no NUL was found, or -EFAULT.
 */
#define EFAULT 14

	.text
	.globl uaccess_copy
uaccess_copy:
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
	call uaccess_open		/* flags only */
1:	rep movsq
	movq %rdx, %rcx
9:	rep movsb
	call uaccess_close
	xorl %eax, %eax
	ret
2:	call uaccess_close
	movq $-EFAULT, %rax
	ret

	.globl uaccess_strncpy
uaccess_strncpy:
	xorl %eax, %eax
	call uaccess_open
3:	cmpq %rdx, %rax
	je 5f
4:	movb (%rsi, %rax), %cl
	movb %cl, (%rdi, %rax)
	testb %cl, %cl
	jz 5f
	incq %rax
	jmp 3b
5:	call uaccess_close
	ret
6:	call uaccess_close
	movq $-EFAULT, %rax
	ret

/* stac/clac only where the CPU has SMAP (uaccess_smap, set at boot). */
uaccess_open:
	cmpb $0, uaccess_smap(%rip)
	je 7f
	stac
7:	ret

uaccess_close:
	cmpb $0, uaccess_smap(%rip)
	je 8f
	clac
8:	ret

	.section .ex_table, "a"
	.quad 1b, 2b
	.quad 9b, 2b
	.quad 4b, 6b
