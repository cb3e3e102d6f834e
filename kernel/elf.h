/*
 * ELF64 loader planning for static x86_64 executables (ET_EXEC, and static
 * PIE: ET_DYN without PT_INTERP). elf_plan() checks an image held in memory
 * and says what to map where; elf_stack_build() lays out the initial user
 * stack musl's _start expects. Pure logic: no mapping, no allocation, no
 * user access; the exec code does those from the plan.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include "types.h"

/* The on-disk structures (the System V gABI's Elf64_Ehdr, Elf64_Phdr). */
struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr is 56 bytes");

#define ELF_ET_EXEC	2
#define ELF_ET_DYN	3
#define ELF_EM_X86_64	62
#define ELF_PT_LOAD	1
#define ELF_PT_DYNAMIC	2
#define ELF_PT_INTERP	3
#define ELF_PT_PHDR	6
#define ELF_PT_TLS	7
#define ELF_PT_GNU_STACK 0x6474e551
#define ELF_PF_X	1
#define ELF_PF_W	2
#define ELF_PF_R	4

/* Auxiliary vector keys (Linux's AT_*) the stack carries. */
#define ELF_AT_NULL	0
#define ELF_AT_PHDR	3
#define ELF_AT_PHENT	4
#define ELF_AT_PHNUM	5
#define ELF_AT_PAGESZ	6
#define ELF_AT_BASE	7
#define ELF_AT_FLAGS	8
#define ELF_AT_ENTRY	9
#define ELF_AT_UID	11
#define ELF_AT_EUID	12
#define ELF_AT_GID	13
#define ELF_AT_EGID	14
#define ELF_AT_HWCAP	16
#define ELF_AT_CLKTCK	17
#define ELF_AT_SECURE	23
#define ELF_AT_RANDOM	25
#define ELF_AT_EXECFN	31
#define ELF_AT_SYSINFO_EHDR 33

/* Limits: what user space may hold, and what one image may ask for. */
#define ELF_USER_TOP	0x00007ffffffff000ULL	/* as Linux's TASK_SIZE */
#define ELF_MIN_VADDR	0x10000ULL		/* as vm.mmap_min_addr */
#define ELF_MAX_SPAN	(1ULL << 32)		/* 4 GiB of address space */
#define ELF_MAX_ALIGN	(1ULL << 30)		/* largest p_align honoured */
#define ELF_MAX_PHNUM	64
#define ELF_MAX_LOADS	16

/* Segment permissions in a plan. */
#define ELF_PROT_R	1
#define ELF_PROT_W	2
#define ELF_PROT_X	4

/* Errors, returned negated; elf_strerror() names them. */
enum elf_err {
	ELF_OK = 0,
	ELF_ESHORT,	/* file shorter than its header says */
	ELF_EMAGIC,	/* not an ELF file */
	ELF_ECLASS,	/* not ELF64, little-endian, version 1, SysV/Linux ABI */
	ELF_EMACHINE,	/* not x86_64 */
	ELF_ETYPE,	/* neither ET_EXEC nor ET_DYN */
	ELF_EINTERP,	/* has PT_INTERP: dynamically linked */
	ELF_EPHDR,	/* bad e_phentsize, e_phnum or e_phoff */
	ELF_ENOLOAD,	/* no PT_LOAD with memory */
	ELF_ETOOMANY,	/* more than ELF_MAX_LOADS PT_LOADs */
	ELF_EFILESZ,	/* p_filesz > p_memsz */
	ELF_EOFFSET,	/* p_offset + p_filesz outside the file */
	ELF_EALIGN,	/* vaddr and offset disagree mod page, bad p_align */
	ELF_EOVERFLOW,	/* vaddr + memsz wraps around */
	ELF_EKERNEL,	/* segment reaches ELF_USER_TOP (kernel half) */
	ELF_ELOW,	/* segment below ELF_MIN_VADDR */
	ELF_EOVERLAP,	/* PT_LOADs share a page or are out of order */
	ELF_EHUGE,	/* image spans more than ELF_MAX_SPAN */
	ELF_EENTRY,	/* entry point not in an executable segment */
	ELF_ENOPHDR,	/* program headers not inside a loaded segment */
	ELF_ETLS,	/* bad or duplicate PT_TLS */
	ELF_EBASE,	/* PIE base not page-aligned or past user space */
	ELF_E2BIG,	/* elf_stack_build(): strings do not fit */
	ELF_EINVAL,	/* elf_stack_build(): stack top not 16-byte aligned */
	ELF_NR_ERRS
};

/*
 * One PT_LOAD, load bias applied. Map the pages covering
 * [vaddr, vaddr + memsz) with @prot; copy @filesz bytes from file offset
 * @offset to @vaddr; zero the rest of those pages (bss and the partial
 * page after the file bytes). vaddr and offset are congruent mod PAGE_SIZE.
 */
struct elf_seg {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset;
	uint32_t prot;		/* ELF_PROT_* */
};

/* The PT_TLS template (bias applied); musl sets up TLS from it itself. */
struct elf_tls {
	uint64_t vaddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

struct elf_image {
	uint64_t entry;		/* AT_ENTRY, where the thread starts */
	uint64_t load_bias;	/* 0 for ET_EXEC */
	uint64_t phdr;		/* AT_PHDR: user address of the phdrs */
	uint16_t phent;		/* AT_PHENT (56) */
	uint16_t phnum;		/* AT_PHNUM */
	bool pie;
	bool exec_stack;	/* PT_GNU_STACK asked for PF_X */
	bool has_tls;
	uint64_t lo;		/* page-aligned span of all segments: */
	uint64_t hi;		/* [lo, hi); the brk area starts at hi */
	unsigned nseg;
	struct elf_seg seg[ELF_MAX_LOADS];	/* ascending vaddr */
	struct elf_tls tls;
};

/* What goes on the initial stack besides the image's own facts. */
struct elf_stack_args {
	const char *const *argv;	/* NULL-terminated; may be empty */
	const char *const *envp;	/* NULL-terminated; may be empty */
	const char *execfn;		/* AT_EXECFN: the path execve got */
	const uint8_t *random;		/* 16 bytes for AT_RANDOM */
	uint32_t uid, euid, gid, egid;
	uint64_t hwcap;			/* AT_HWCAP (CPUID.1:EDX) */
	uint64_t vdso;			/* AT_SYSINFO_EHDR: the vDSO image */
};

int elf_plan(const void *file, size_t len, uint64_t pie_base,
	     struct elf_image *img);
int elf_stack_build(const struct elf_image *img,
		    const struct elf_stack_args *args, void *buf, size_t size,
		    uint64_t top, uint64_t *sp);
const char *elf_strerror(int err);
int elf_errno(int err);

#endif
