/*
 * The vDSO image (build/kernel/vdso/vdso.so, kernel/vdso/build.mk), bytes
 * in the kernel's read-only data for kernel/vdso.c to copy into the pages
 * it maps into every process.
 */
	.section .rodata
	.balign 16
	.globl vdso_image, vdso_image_end
vdso_image:
	.incbin VDSO_SO
vdso_image_end:
	.section .note.GNU-stack, "", @progbits
