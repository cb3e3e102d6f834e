/*
 * ELF64 loader planning (see elf.h): header checks, then one pass over the
 * program headers collecting PT_LOADs, PT_TLS and PT_PHDR, then checks on
 * the whole (bias, order and overlap, span, entry, where AT_PHDR points).
 * Headers are copied out with memcpy, so the file needs no alignment. Then
 * the initial stack builder, which needs the plan for its auxv.
 */
#include "elf.h"
#include "string.h"

static const char *const elf_errs[ELF_NR_ERRS] = {
	[ELF_OK] = "ok",
	[ELF_ESHORT] = "file too short for its headers",
	[ELF_EMAGIC] = "not an ELF file",
	[ELF_ECLASS] = "not ELF64 little-endian version 1 (SysV/Linux ABI)",
	[ELF_EMACHINE] = "not an x86_64 executable",
	[ELF_ETYPE] = "not an executable (ET_EXEC or ET_DYN)",
	[ELF_EINTERP] = "dynamically linked (has PT_INTERP)",
	[ELF_EPHDR] = "bad program header table",
	[ELF_ENOLOAD] = "no loadable segment",
	[ELF_ETOOMANY] = "too many loadable segments",
	[ELF_EFILESZ] = "segment file size exceeds its memory size",
	[ELF_EOFFSET] = "segment data lies outside the file",
	[ELF_EALIGN] = "segment misaligned (vaddr/offset/p_align)",
	[ELF_EOVERFLOW] = "segment address range wraps around",
	[ELF_EKERNEL] = "segment reaches the kernel half",
	[ELF_ELOW] = "segment below the lowest mappable address",
	[ELF_EOVERLAP] = "segments overlap or are out of order",
	[ELF_EHUGE] = "image too large",
	[ELF_EENTRY] = "entry point not in an executable segment",
	[ELF_ENOPHDR] = "program headers not in a loaded segment",
	[ELF_ETLS] = "bad TLS segment",
	[ELF_EBASE] = "bad PIE load base",
	[ELF_E2BIG] = "arguments and environment too large for the stack",
	[ELF_EINVAL] = "stack top not 16-byte aligned",
};

/* Accepts a negated or plain code. */
const char *elf_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= ELF_NR_ERRS)
		return "unknown ELF error";
	return elf_errs[err];
}

/* The errno execve() returns for @err: -ENOEXEC unless said otherwise. */
int elf_errno(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ELF_OK:
		return 0;
	case ELF_EHUGE:
		return -ENOMEM;
	case ELF_E2BIG:
		return -E2BIG;
	case ELF_EINVAL:
		return -EINVAL;
	default:
		return -ENOEXEC;
	}
}

static bool elf_pow2(uint64_t x)
{
	return (x & (x - 1)) == 0;
}

static int elf_check_ehdr(const struct elf64_ehdr *eh, size_t len)
{
	const uint8_t *id = eh->e_ident;

	if (memcmp(id, "\177ELF", 4) != 0)
		return -ELF_EMAGIC;
	/* EI_CLASS 2 = 64-bit, EI_DATA 1 = LSB, EI_OSABI 0 SysV or 3 Linux */
	if (id[4] != 2 || id[5] != 1 || id[6] != 1 || eh->e_version != 1 ||
	    (id[7] != 0 && id[7] != 3))
		return -ELF_ECLASS;
	if (eh->e_machine != ELF_EM_X86_64)
		return -ELF_EMACHINE;
	if (eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN)
		return -ELF_ETYPE;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHNUM)
		return -ELF_EPHDR;
	if (eh->e_phoff > len ||
	    len - eh->e_phoff < (uint64_t)eh->e_phnum * eh->e_phentsize)
		return -ELF_ESHORT;
	return 0;
}

/* Checks on one PT_LOAD that need neither the bias nor its neighbours. */
static int elf_check_load(const struct elf64_phdr *ph, size_t len)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return -ELF_EFILESZ;
	if (ph->p_offset > len || len - ph->p_offset < ph->p_filesz)
		return -ELF_EOFFSET;
	if (!elf_pow2(ph->p_align) || ph->p_align > ELF_MAX_ALIGN ||
	    (ph->p_vaddr - ph->p_offset) % PAGE_SIZE != 0)
		return -ELF_EALIGN;
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end))
		return -ELF_EOVERFLOW;
	if (ph->p_memsz > ELF_MAX_SPAN)
		return -ELF_EHUGE;
	return 0;
}

static int elf_add_load(struct elf_image *img, const struct elf64_phdr *ph)
{
	struct elf_seg *s;

	if (img->nseg == ELF_MAX_LOADS)
		return -ELF_ETOOMANY;
	s = &img->seg[img->nseg++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->filesz = ph->p_filesz;
	s->offset = ph->p_offset;
	s->prot = (ph->p_flags & ELF_PF_R ? ELF_PROT_R : 0) |
		  (ph->p_flags & ELF_PF_W ? ELF_PROT_W : 0) |
		  (ph->p_flags & ELF_PF_X ? ELF_PROT_X : 0);
	return 0;
}

static int elf_add_tls(struct elf_image *img, const struct elf64_phdr *ph)
{
	uint64_t end;

	if (img->has_tls || ph->p_filesz > ph->p_memsz ||
	    !elf_pow2(ph->p_align) || ph->p_align > PAGE_SIZE ||
	    __builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end))
		return -ELF_ETLS;
	img->has_tls = true;
	img->tls.vaddr = ph->p_vaddr;
	img->tls.filesz = ph->p_filesz;
	img->tls.memsz = ph->p_memsz;
	img->tls.align = ph->p_align;
	return 0;
}

/* Sort the program headers' contents into @img, biases not yet applied. */
static int elf_scan_phdrs(const uint8_t *file, size_t len,
			  const struct elf64_ehdr *eh, struct elf_image *img,
			  uint64_t *pt_phdr, uint64_t *max_align)
{
	struct elf64_phdr ph;
	int err = 0;

	for (unsigned i = 0; i < eh->e_phnum && !err; i++) {
		memcpy(&ph, file + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case ELF_PT_INTERP:
			return -ELF_EINTERP;
		case ELF_PT_LOAD:
			if (ph.p_memsz == 0)
				break;
			err = elf_check_load(&ph, len);
			if (!err)
				err = elf_add_load(img, &ph);
			*max_align = MAX(*max_align, ph.p_align);
			break;
		case ELF_PT_TLS:
			err = elf_add_tls(img, &ph);
			break;
		case ELF_PT_PHDR:
			*pt_phdr = ph.p_vaddr;
			break;
		case ELF_PT_GNU_STACK:
			img->exec_stack = ph.p_flags & ELF_PF_X;
			break;
		}
	}
	if (!err && img->nseg == 0)
		err = -ELF_ENOLOAD;
	return err;
}

/*
 * The bias that moves a PIE's lowest page to @pie_base (rounded up to the
 * largest p_align, so every segment keeps its alignment); 0 for ET_EXEC.
 */
static int elf_bias(struct elf_image *img, uint64_t pie_base,
		    uint64_t max_align)
{
	uint64_t lo;

	if (!img->pie)
		return 0;
	max_align = MAX(max_align, PAGE_SIZE);
	if (pie_base % PAGE_SIZE || pie_base >= ELF_USER_TOP)
		return -ELF_EBASE;
	lo = ALIGN_DOWN(img->seg[0].vaddr, max_align);
	img->load_bias = ALIGN_UP(pie_base, max_align) - lo;
	return 0;
}

/* Apply the bias; check each segment's range, order and overlap. */
static int elf_place(struct elf_image *img)
{
	uint64_t prev_end = 0;

	for (unsigned i = 0; i < img->nseg; i++) {
		struct elf_seg *s = &img->seg[i];
		uint64_t end;

		if (__builtin_add_overflow(s->vaddr, img->load_bias, &s->vaddr))
			return -ELF_EKERNEL;
		if (s->vaddr >= ELF_USER_TOP ||
		    ELF_USER_TOP - s->vaddr < s->memsz)
			return -ELF_EKERNEL;
		if (s->vaddr < ELF_MIN_VADDR)
			return -ELF_ELOW;
		if (ALIGN_DOWN(s->vaddr, PAGE_SIZE) < prev_end)
			return -ELF_EOVERLAP;
		end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		prev_end = end;
	}
	img->lo = ALIGN_DOWN(img->seg[0].vaddr, PAGE_SIZE);
	img->hi = prev_end;
	if (img->hi - img->lo > ELF_MAX_SPAN)
		return -ELF_EHUGE;
	return 0;
}

/* The segment whose file-backed bytes hold [@va, @va + @n), or NULL. */
static const struct elf_seg *elf_seg_of(const struct elf_image *img,
					uint64_t va, uint64_t n)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		if (va >= s->vaddr && va - s->vaddr <= s->filesz &&
		    s->filesz - (va - s->vaddr) >= n)
			return s;
	}
	return NULL;
}

static int elf_check_entry(struct elf_image *img, uint64_t entry)
{
	if (__builtin_add_overflow(entry, img->load_bias, &img->entry))
		return -ELF_EENTRY;
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		if ((s->prot & ELF_PROT_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return 0;
	}
	return -ELF_EENTRY;
}

/*
 * AT_PHDR: PT_PHDR's address if there is one, else where the PT_LOAD that
 * holds e_phoff puts the table (static PIEs from musl have no PT_PHDR).
 * Either way the table must be file-backed, or musl would read garbage.
 */
static int elf_find_phdr(struct elf_image *img, const struct elf64_ehdr *eh,
			 uint64_t pt_phdr)
{
	uint64_t n = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	const struct elf_seg *s;

	if (pt_phdr != (uint64_t)-1) {
		img->phdr = pt_phdr + img->load_bias;
		s = elf_seg_of(img, img->phdr, n);
		if (!s || s->offset + (img->phdr - s->vaddr) != eh->e_phoff)
			return -ELF_ENOPHDR;
		return 0;
	}
	for (unsigned i = 0; i < img->nseg; i++) {
		s = &img->seg[i];
		if (eh->e_phoff >= s->offset &&
		    eh->e_phoff - s->offset <= s->filesz &&
		    s->filesz - (eh->e_phoff - s->offset) >= n) {
			img->phdr = s->vaddr + (eh->e_phoff - s->offset);
			return 0;
		}
	}
	return -ELF_ENOPHDR;
}

static int elf_place_tls(struct elf_image *img)
{
	if (!img->has_tls)
		return 0;
	img->tls.vaddr += img->load_bias;
	if (!elf_seg_of(img, img->tls.vaddr, img->tls.filesz))
		return -ELF_ETLS;
	return 0;
}

/*
 * Check the static executable in @file[0..@len) and fill @img with what to
 * map. A PIE is placed at @pie_base or just above it (page-aligned, below
 * ELF_USER_TOP); ET_EXEC ignores @pie_base.
 * Returns 0, or a negated enum elf_err saying what is wrong (elf_errno()
 * turns it into execve's errno). @img is undefined after an error.
 */
int elf_plan(const void *file, size_t len, uint64_t pie_base,
	     struct elf_image *img)
{
	struct elf64_ehdr eh;
	uint64_t pt_phdr = (uint64_t)-1, max_align = 0;
	int err;

	if (len < sizeof(eh))
		return -ELF_ESHORT;
	memcpy(&eh, file, sizeof(eh));
	err = elf_check_ehdr(&eh, len);
	if (err)
		return err;
	memset(img, 0, sizeof(*img));
	img->pie = eh.e_type == ELF_ET_DYN;
	img->phent = eh.e_phentsize;
	img->phnum = eh.e_phnum;
	err = elf_scan_phdrs(file, len, &eh, img, &pt_phdr, &max_align);
	if (!err)
		err = elf_bias(img, pie_base, max_align);
	if (!err)
		err = elf_place(img);
	if (!err)
		err = elf_check_entry(img, eh.e_entry);
	if (!err)
		err = elf_find_phdr(img, &eh, pt_phdr);
	if (!err)
		err = elf_place_tls(img);
	return err;
}

/* A cursor writing user-stack words into the buffer that backs it. */
struct elf_stack {
	uint8_t *buf;
	uint64_t base;		/* user address of buf[0] */
};

static void elf_put(const struct elf_stack *st, uint64_t va, const void *p,
		    size_t n)
{
	memcpy(st->buf + (va - st->base), p, n);
}

static void elf_put64(const struct elf_stack *st, uint64_t va, uint64_t v)
{
	elf_put(st, va, &v, sizeof(v));
}

/* Bytes of a NULL-terminated string vector's strings, NULs included. */
static size_t elf_strings(const char *const *v, size_t *count)
{
	size_t n = 0, bytes = 0;

	for (; v && v[n]; n++)
		bytes += strlen(v[n]) + 1;
	*count = n;
	return bytes;
}

/* Copy @v's strings up from @va, storing each one's address in @ptrs_va. */
static uint64_t elf_put_vec(const struct elf_stack *st, const char *const *v,
			    size_t n, uint64_t va, uint64_t ptrs_va)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]) + 1;

		elf_put(st, va, v[i], len);
		elf_put64(st, ptrs_va + 8 * i, va);
		va += len;
	}
	elf_put64(st, ptrs_va + 8 * n, 0);
	return va;
}

#define ELF_NAUXV	18	/* pairs written by elf_put_auxv(), AT_NULL too */

static void elf_put_auxv(const struct elf_stack *st, uint64_t va,
			 const struct elf_image *img,
			 const struct elf_stack_args *a, uint64_t random_va,
			 uint64_t execfn_va)
{
	const uint64_t aux[ELF_NAUXV][2] = {
		{ ELF_AT_PHDR, img->phdr },
		{ ELF_AT_PHENT, img->phent },
		{ ELF_AT_PHNUM, img->phnum },
		{ ELF_AT_PAGESZ, PAGE_SIZE },
		{ ELF_AT_BASE, 0 },
		{ ELF_AT_FLAGS, 0 },
		{ ELF_AT_ENTRY, img->entry },
		{ ELF_AT_UID, a->uid },
		{ ELF_AT_EUID, a->euid },
		{ ELF_AT_GID, a->gid },
		{ ELF_AT_EGID, a->egid },
		{ ELF_AT_SECURE, 0 },
		{ ELF_AT_HWCAP, a->hwcap },
		{ ELF_AT_CLKTCK, 100 },
		{ ELF_AT_RANDOM, random_va },
		{ ELF_AT_EXECFN, execfn_va },
		{ ELF_AT_SYSINFO_EHDR, a->vdso },
		{ ELF_AT_NULL, 0 },
	};

	elf_put(st, va, aux, sizeof(aux));
}

/*
 * Lay out the initial stack of a new process in @buf, which backs the user
 * addresses [@top - @size, @top). From @top down: an 8-byte zero, the
 * argv, envp and execfn strings, 16 random bytes (AT_RANDOM), then at a
 * 16-byte aligned *@sp: argc, argv[], NULL, envp[], NULL, auxv pairs
 * ending in AT_NULL. This is the System V x86_64 ABI's layout (and
 * Linux's); musl's _start reads argc at %rsp and ignores %rdx.
 * Returns 0 with *@sp set, -ELF_EINVAL if @top is not 16-byte aligned, or
 * -ELF_E2BIG if it does not fit in @size bytes.
 */
int elf_stack_build(const struct elf_image *img,
		    const struct elf_stack_args *args, void *buf, size_t size,
		    uint64_t top, uint64_t *sp)
{
	struct elf_stack st = { .buf = buf, .base = top - size };
	size_t argc, envc, fnlen = strlen(args->execfn) + 1;
	size_t strs = elf_strings(args->argv, &argc) +
		      elf_strings(args->envp, &envc) + fnlen;
	uint64_t str_va, rnd_va, vec_va, env_va, aux_va, need;

	if (top % 16 || top < size)
		return -ELF_EINVAL;
	need = 8 + strs + 16 + 15 + 8 * (argc + envc + 3) +
	       16 * ELF_NAUXV + 15;
	if (need > size || strs > size)
		return -ELF_E2BIG;
	str_va = top - 8 - strs;
	rnd_va = ALIGN_DOWN(str_va - 16, 16);
	aux_va = rnd_va - 16 * ELF_NAUXV;
	vec_va = ALIGN_DOWN(aux_va - 8 * (argc + envc + 3), 16);
	/* The padding lands between envp's NULL and auxv: move auxv down. */
	env_va = vec_va + 8 * (1 + argc + 1);
	aux_va = env_va + 8 * (envc + 1);

	elf_put64(&st, top - 8, 0);
	elf_put64(&st, vec_va, argc);
	str_va = elf_put_vec(&st, args->argv, argc, str_va, vec_va + 8);
	str_va = elf_put_vec(&st, args->envp, envc, str_va, env_va);
	elf_put(&st, str_va, args->execfn, fnlen);
	elf_put(&st, rnd_va, args->random, 16);
	elf_put_auxv(&st, aux_va, img, args, rnd_va, str_va);
	*sp = vec_va;
	return 0;
}
