/*
 * Host tests for kernel/elf.c against real musl programs (build/userland/
 * auxv, static ET_EXEC, and auxv-pie, static PIE): plans checked against
 * the system's <elf.h> view of the same file, corrupted copies refused with
 * the right error, truncations and byte flips survived, and each program
 * actually run, in a child, from segments mapped per the plan and a stack
 * built by elf_stack_build() — musl's start-up is the judge.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"
#include "elf.h"

#define PIE_BASE	0x10000000ULL	/* ASan leaves low memory alone */
#define STACK_TOP	0x7ff00000ULL
#define STACK_SIZE	(256 * 1024)

struct blob {
	uint8_t *p;
	size_t len;
};

static struct blob load(const char *name)
{
	char path[512];
	struct blob b;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", ELF_FIXTURE_DIR, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	rewind(f);
	b.len = n;
	b.p = malloc(b.len);
	if (fread(b.p, 1, b.len, f) != b.len)
		exit(2);
	fclose(f);
	return b;
}

static Elf64_Phdr *phdr(const struct blob *b, unsigned i)
{
	const Elf64_Ehdr *eh = (const void *)b->p;

	return (Elf64_Phdr *)(b->p + eh->e_phoff + i * eh->e_phentsize);
}

/* Index of the @nth program header of type @type, or -1. */
static int find_ph(const struct blob *b, uint32_t type, int nth)
{
	const Elf64_Ehdr *eh = (const void *)b->p;

	for (int i = 0; i < eh->e_phnum; i++) {
		if (phdr(b, i)->p_type == type && nth-- == 0)
			return i;
	}
	return -1;
}

TEST(structs_match_system_elf_h)
{
	CHECK_EQ(sizeof(struct elf64_ehdr), sizeof(Elf64_Ehdr));
	CHECK_EQ(sizeof(struct elf64_phdr), sizeof(Elf64_Phdr));
	CHECK_EQ(offsetof(struct elf64_ehdr, e_entry), offsetof(Elf64_Ehdr, e_entry));
	CHECK_EQ(offsetof(struct elf64_ehdr, e_phoff), offsetof(Elf64_Ehdr, e_phoff));
	CHECK_EQ(offsetof(struct elf64_ehdr, e_phnum), offsetof(Elf64_Ehdr, e_phnum));
	CHECK_EQ(offsetof(struct elf64_phdr, p_vaddr), offsetof(Elf64_Phdr, p_vaddr));
	CHECK_EQ(offsetof(struct elf64_phdr, p_align), offsetof(Elf64_Phdr, p_align));
	CHECK_EQ(ELF_PT_TLS, PT_TLS);
	CHECK_EQ(ELF_PT_GNU_STACK, PT_GNU_STACK);
	CHECK_EQ(ELF_AT_RANDOM, AT_RANDOM);
	CHECK_EQ(ELF_AT_EXECFN, AT_EXECFN);
	CHECK_EQ(ELF_AT_SYSINFO_EHDR, AT_SYSINFO_EHDR);
	CHECK_EQ(ELF_AT_SECURE, AT_SECURE);
	CHECK_EQ(ELF_AT_HWCAP, AT_HWCAP);
}

/* The plan's segments are the file's PT_LOADs, moved by the bias. */
static bool plan_matches_file(const struct blob *b, const struct elf_image *img)
{
	unsigned n = 0;
	int i;

	while ((i = find_ph(b, PT_LOAD, n)) >= 0) {
		const Elf64_Phdr *ph = phdr(b, i);
		const struct elf_seg *s = &img->seg[n++];

		if (n > img->nseg || s->vaddr != ph->p_vaddr + img->load_bias ||
		    s->memsz != ph->p_memsz || s->filesz != ph->p_filesz ||
		    s->offset != ph->p_offset ||
		    !!(s->prot & ELF_PROT_X) != !!(ph->p_flags & PF_X) ||
		    !!(s->prot & ELF_PROT_W) != !!(ph->p_flags & PF_W))
			return false;
	}
	return n == img->nseg;
}

TEST(plan_static)
{
	struct blob b = load("auxv");
	const Elf64_Ehdr *eh = (const void *)b.p;
	struct elf_image img;

	CHECK_EQ(elf_plan(b.p, b.len, PIE_BASE, &img), 0);
	CHECK(!img.pie);
	CHECK_EQ(img.load_bias, 0);
	CHECK_EQ(img.entry, eh->e_entry);
	CHECK_EQ(img.phnum, eh->e_phnum);
	CHECK_EQ(img.phent, 56);
	CHECK_EQ(img.lo, 0x400000);
	CHECK_EQ(img.phdr, 0x400000 + eh->e_phoff);
	CHECK(img.has_tls);
	CHECK(!img.exec_stack);
	CHECK(plan_matches_file(&b, &img));
	CHECK_EQ(img.hi % PAGE_SIZE, 0);
	free(b.p);
}

TEST(plan_pie)
{
	struct blob b = load("auxv-pie");
	const Elf64_Ehdr *eh = (const void *)b.p;
	struct elf_image img;

	CHECK_EQ(eh->e_type, ET_DYN);
	CHECK_EQ(find_ph(&b, PT_INTERP, 0), -1);
	CHECK_EQ(elf_plan(b.p, b.len, PIE_BASE, &img), 0);
	CHECK(img.pie);
	CHECK_EQ(img.load_bias, PIE_BASE);
	CHECK_EQ(img.lo, PIE_BASE);
	CHECK_EQ(img.entry, PIE_BASE + eh->e_entry);
	CHECK_EQ(img.phdr, PIE_BASE + eh->e_phoff);
	CHECK(img.has_tls && img.tls.vaddr >= PIE_BASE);
	CHECK(plan_matches_file(&b, &img));
	/* Another base moves everything; unaligned and kernel bases do not. */
	CHECK_EQ(elf_plan(b.p, b.len, 0x555555554000ULL, &img), 0);
	CHECK_EQ(img.lo, 0x555555554000ULL);
	CHECK_EQ(elf_plan(b.p, b.len, PIE_BASE + 1, &img), -ELF_EBASE);
	CHECK_EQ(elf_plan(b.p, b.len, 0xffff800000000000ULL, &img), -ELF_EBASE);
	CHECK_EQ(elf_plan(b.p, b.len, ELF_USER_TOP - PAGE_SIZE, &img),
		 -ELF_EKERNEL);
	CHECK_EQ(elf_plan(b.p, b.len, 0, &img), -ELF_ELOW);
	free(b.p);
}

/* A corruption of the static binary and the error it must produce. */
struct corrupt {
	const char *what;
	void (*fn)(struct blob *b);
	int err;
};

static Elf64_Ehdr *eh_of(struct blob *b)
{
	return (Elf64_Ehdr *)b->p;
}

static Elf64_Phdr *load_n(struct blob *b, int n)
{
	return phdr(b, find_ph(b, PT_LOAD, n));
}

static void c_magic(struct blob *b) { b->p[1] = 'X'; }
static void c_class(struct blob *b) { b->p[EI_CLASS] = ELFCLASS32; }
static void c_endian(struct blob *b) { b->p[EI_DATA] = ELFDATA2MSB; }
static void c_machine(struct blob *b) { eh_of(b)->e_machine = EM_386; }
static void c_type(struct blob *b) { eh_of(b)->e_type = ET_REL; }
static void c_phentsize(struct blob *b) { eh_of(b)->e_phentsize = 32; }
static void c_phnum0(struct blob *b) { eh_of(b)->e_phnum = 0; }
static void c_phnum_huge(struct blob *b) { eh_of(b)->e_phnum = 0xffff; }
static void c_phoff(struct blob *b) { eh_of(b)->e_phoff = b->len - 8; }
static void c_short(struct blob *b) { b->len = 63; }
static void c_interp(struct blob *b)
{
	phdr(b, find_ph(b, PT_GNU_STACK, 0))->p_type = PT_INTERP;
}
static void c_noload(struct blob *b)
{
	int i;

	while ((i = find_ph(b, PT_LOAD, 0)) >= 0)
		phdr(b, i)->p_type = PT_NULL;
}
static void c_filesz(struct blob *b)
{
	load_n(b, 0)->p_filesz = load_n(b, 0)->p_memsz + 1;
}
static void c_offset(struct blob *b) { load_n(b, 1)->p_offset = b->len; }
static void c_offset_wrap(struct blob *b) { load_n(b, 1)->p_offset = -4096; }
static void c_misalign(struct blob *b) { load_n(b, 1)->p_vaddr += 8; }
static void c_align3(struct blob *b) { load_n(b, 1)->p_align = 3; }
static void c_align_huge(struct blob *b) { load_n(b, 1)->p_align = 1ULL << 40; }
static void c_wrap(struct blob *b)
{
	load_n(b, 3)->p_vaddr = 0xfffffffffffff000ULL +
				(load_n(b, 3)->p_vaddr & 0xfff);
	load_n(b, 3)->p_memsz = 0x2000;
}
static void c_kernel(struct blob *b)
{
	load_n(b, 3)->p_vaddr += 0xffff800000000000ULL;
}
static void c_noncanon(struct blob *b)
{
	load_n(b, 3)->p_vaddr += 0x0000800000000000ULL;
}
static void c_straddle(struct blob *b)
{
	load_n(b, 3)->p_vaddr = ELF_USER_TOP - 0x1000 +
				(load_n(b, 3)->p_vaddr & 0xfff);
	load_n(b, 3)->p_memsz = 0x2000;
}
static void c_low(struct blob *b) { load_n(b, 0)->p_vaddr = 0; }
static void c_overlap(struct blob *b)
{
	load_n(b, 1)->p_vaddr = load_n(b, 0)->p_vaddr;
}
static void c_same_page(struct blob *b)
{
	/* Segment 2 slid back into the last page of segment 1. */
	load_n(b, 2)->p_vaddr = load_n(b, 1)->p_vaddr +
				(load_n(b, 1)->p_memsz & ~0xfffULL);
}
static void c_huge(struct blob *b) { load_n(b, 3)->p_memsz = 8ULL << 30; }
static void c_span(struct blob *b) { load_n(b, 3)->p_vaddr += 5ULL << 30; }
static void c_entry_ro(struct blob *b)
{
	eh_of(b)->e_entry = load_n(b, 0)->p_vaddr;
}
static void c_entry_out(struct blob *b) { eh_of(b)->e_entry = 0x10; }
static void c_tls_align(struct blob *b)
{
	phdr(b, find_ph(b, PT_TLS, 0))->p_align = 3;
}
static void c_tls_twice(struct blob *b)
{
	*phdr(b, find_ph(b, PT_GNU_STACK, 0)) = *phdr(b, find_ph(b, PT_TLS, 0));
}
static void c_tls_outside(struct blob *b)
{
	phdr(b, find_ph(b, PT_TLS, 0))->p_vaddr = 0x7000000000ULL;
}
static void c_phdr_unloaded(struct blob *b)
{
	/* Pretend the table lives past the first segment's file bytes. */
	load_n(b, 0)->p_filesz = 0x10;
}
static void c_pt_phdr_wrong(struct blob *b)
{
	Elf64_Phdr *ph = phdr(b, find_ph(b, PT_GNU_STACK, 0));

	ph->p_type = PT_PHDR;
	ph->p_vaddr = load_n(b, 0)->p_vaddr + 0x100;
}

static const struct corrupt corrupts[] = {
	{ "magic", c_magic, ELF_EMAGIC },
	{ "class", c_class, ELF_ECLASS },
	{ "endian", c_endian, ELF_ECLASS },
	{ "machine", c_machine, ELF_EMACHINE },
	{ "type", c_type, ELF_ETYPE },
	{ "phentsize", c_phentsize, ELF_EPHDR },
	{ "phnum0", c_phnum0, ELF_EPHDR },
	{ "phnum_huge", c_phnum_huge, ELF_EPHDR },
	{ "phoff", c_phoff, ELF_ESHORT },
	{ "short", c_short, ELF_ESHORT },
	{ "interp", c_interp, ELF_EINTERP },
	{ "noload", c_noload, ELF_ENOLOAD },
	{ "filesz", c_filesz, ELF_EFILESZ },
	{ "offset", c_offset, ELF_EOFFSET },
	{ "offset_wrap", c_offset_wrap, ELF_EOFFSET },
	{ "misalign", c_misalign, ELF_EALIGN },
	{ "align3", c_align3, ELF_EALIGN },
	{ "align_huge", c_align_huge, ELF_EALIGN },
	{ "wrap", c_wrap, ELF_EOVERFLOW },
	{ "kernel", c_kernel, ELF_EKERNEL },
	{ "noncanon", c_noncanon, ELF_EKERNEL },
	{ "straddle", c_straddle, ELF_EKERNEL },
	{ "low", c_low, ELF_ELOW },
	{ "overlap", c_overlap, ELF_EOVERLAP },
	{ "same_page", c_same_page, ELF_EOVERLAP },
	{ "huge", c_huge, ELF_EHUGE },
	{ "span", c_span, ELF_EHUGE },
	{ "entry_ro", c_entry_ro, ELF_EENTRY },
	{ "entry_out", c_entry_out, ELF_EENTRY },
	{ "tls_align", c_tls_align, ELF_ETLS },
	{ "tls_twice", c_tls_twice, ELF_ETLS },
	{ "tls_outside", c_tls_outside, ELF_ETLS },
	{ "phdr_unloaded", c_phdr_unloaded, ELF_ENOPHDR },
	{ "pt_phdr_wrong", c_pt_phdr_wrong, ELF_ENOPHDR },
};

TEST(corrupted_copies)
{
	struct blob orig = load("auxv");

	CHECK(find_ph(&orig, PT_LOAD, 3) >= 0 && find_ph(&orig, PT_TLS, 0) >= 0);
	CHECK(find_ph(&orig, PT_GNU_STACK, 0) >= 0);
	for (size_t i = 0; i < ARRAY_SIZE(corrupts); i++) {
		struct blob b = { malloc(orig.len), orig.len };
		struct elf_image img;
		int r;

		memcpy(b.p, orig.p, orig.len);
		corrupts[i].fn(&b);
		r = elf_plan(b.p, b.len, PIE_BASE, &img);
		free(b.p);
		if (r != -corrupts[i].err) {
			fprintf(stderr, "%s: got %d (%s), want %s\n",
				corrupts[i].what, r, elf_strerror(r),
				elf_strerror(corrupts[i].err));
			harness_failed_now = 1;
		}
	}
	free(orig.p);
}

/* Invariants of any accepted plan. */
static bool plan_sane(const struct elf_image *img, size_t len)
{
	bool entry_ok = false;

	if (img->nseg == 0 || img->nseg > ELF_MAX_LOADS || img->lo >= img->hi ||
	    img->hi > ELF_USER_TOP || img->lo < ELF_MIN_VADDR)
		return false;
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		if (s->filesz > s->memsz || s->offset + s->filesz > len ||
		    s->vaddr < img->lo || s->vaddr + s->memsz > img->hi ||
		    (i && s->vaddr < img->seg[i - 1].vaddr + img->seg[i - 1].memsz))
			return false;
		if ((s->prot & ELF_PROT_X) && img->entry >= s->vaddr &&
		    img->entry < s->vaddr + s->memsz)
			entry_ok = true;
	}
	return entry_ok;
}

/* Every prefix, from an exact-size copy: refused or sane, never overread. */
TEST(truncate_every_length)
{
	static const char *const files[] = { "auxv", "auxv-pie" };

	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		struct blob b = load(files[f]);
		size_t step = 1;

		for (size_t len = 0; len <= b.len; len += step) {
			uint8_t *p = malloc(len ? len : 1);
			struct elf_image img;
			int r;

			memcpy(p, b.p, len);
			r = elf_plan(p, len, PIE_BASE, &img);
			free(p);
			CHECK(r == 0 ? plan_sane(&img, len) : r < 0);
			/* Byte by byte through the headers, then coarser. */
			step = len < 4096 ? 1 : 61;
		}
		free(b.p);
	}
}

/* Random bytes in the ELF and program headers: refused or sane. */
TEST(fuzz_headers)
{
	struct blob orig = load("auxv-pie");
	const Elf64_Ehdr *eh = (const void *)orig.p;
	size_t hdr = eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr);
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	unsigned accepted = 0;

	for (int iter = 0; iter < 20000; iter++) {
		uint8_t *p = malloc(orig.len);
		struct elf_image img;
		int r;

		memcpy(p, orig.p, orig.len);
		for (int k = 0; k < 1 + iter % 4; k++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			p[(rng >> 33) % hdr] = rng >> 13;
		}
		r = elf_plan(p, orig.len, PIE_BASE, &img);
		free(p);
		CHECK(r == 0 ? plan_sane(&img, orig.len) :
		      r < 0 && r > -ELF_NR_ERRS);
		accepted += r == 0;
	}
	CHECK(accepted > 0);	/* flips in unused fields are harmless */
	free(orig.p);
}

/* Read the stack image back as musl's _start would. */
TEST(stack_layout)
{
	static const char *const argv[] = { "prog", "a b", NULL };
	static const char *const envp[] = { "X=1", NULL };
	static const uint8_t rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
					 12, 13, 14, 15, 16 };
	struct elf_stack_args a = { argv, envp, "/bin/prog", rnd,
				    1, 2, 3, 4, 0, 0x7f0000001000 };
	struct elf_image img = { .phdr = 0x400040, .phent = 56, .phnum = 7,
				 .entry = 0x401000 };
	const uint64_t top = 0x7fff0000, size = 4096;
	uint8_t *buf = calloc(1, size);
	uint64_t sp, w[64] = { 0 }, aux[64] = { 0 };
	unsigned i;

#define AT(va) (buf + ((va) - (top - size)))
	CHECK_EQ(elf_stack_build(&img, &a, buf, size, top, &sp), 0);
	CHECK_EQ(sp % 16, 0);
	CHECK(sp > top - size && sp < top);
	memcpy(w, AT(sp), MIN(sizeof(w), top - sp));
	CHECK_EQ(w[0], 2);
	CHECK(!strcmp((char *)AT(w[1]), "prog"));
	CHECK(!strcmp((char *)AT(w[2]), "a b"));
	CHECK_EQ(w[3], 0);
	CHECK(!strcmp((char *)AT(w[4]), "X=1"));
	CHECK_EQ(w[5], 0);
	for (i = 6; w[i] != ELF_AT_NULL; i += 2) {
		CHECK(w[i] < 64);
		aux[w[i]] = w[i + 1];
	}
	CHECK_EQ(aux[ELF_AT_PHDR], 0x400040);
	CHECK_EQ(aux[ELF_AT_PHENT], 56);
	CHECK_EQ(aux[ELF_AT_PHNUM], 7);
	CHECK_EQ(aux[ELF_AT_PAGESZ], 4096);
	CHECK_EQ(aux[ELF_AT_ENTRY], 0x401000);
	CHECK_EQ(aux[ELF_AT_UID], 1);
	CHECK_EQ(aux[ELF_AT_EGID], 4);
	CHECK_EQ(aux[ELF_AT_SECURE], 0);
	CHECK(!memcmp(AT(aux[ELF_AT_RANDOM]), rnd, 16));
	CHECK(!strcmp((char *)AT(aux[ELF_AT_EXECFN]), "/bin/prog"));
	CHECK_EQ(aux[ELF_AT_SYSINFO_EHDR], 0x7f0000001000);
	CHECK(*(uint64_t *)AT(top - 8) == 0);
	/* Too small a stack, and an unaligned top, are refused. */
	CHECK_EQ(elf_stack_build(&img, &a, buf, 128, top, &sp), -ELF_E2BIG);
	CHECK_EQ(elf_stack_build(&img, &a, buf, size, top - 8, &sp),
		 -ELF_EINVAL);
	CHECK_EQ(elf_errno(-ELF_E2BIG), -E2BIG);
	CHECK_EQ(elf_errno(-ELF_EINTERP), -ENOEXEC);
#undef AT
	free(buf);
}

/* Empty argv and envp still give a well-formed vector. */
TEST(stack_empty_vectors)
{
	static const char *const none[] = { NULL };
	static const uint8_t rnd[16];
	struct elf_stack_args a = { none, none, "x", rnd, 0, 0, 0, 0, 0, 0 };
	struct elf_image img = { .phent = 56 };
	uint8_t buf[1024];
	uint64_t sp, w[3];

	CHECK_EQ(elf_stack_build(&img, &a, buf, sizeof(buf), 0x10000, &sp), 0);
	memcpy(w, buf + (sp - (0x10000 - sizeof(buf))), sizeof(w));
	CHECK_EQ(w[0], 0);
	CHECK_EQ(w[1], 0);
	CHECK_EQ(w[2], 0);
}

/* In the child: map @img like the kernel will, then jump to its entry. */
__attribute__((no_sanitize("address", "undefined"), noreturn))
static void child_exec(const struct blob *b, const struct elf_image *img,
		       int out_fd)
{
	static const char *const argv[] = { "auxv", "one", "two words", NULL };
	static const char *const envp[] = { "LOUPE=1", "TERM=dumb", NULL };
	static const uint8_t rnd[16] = { 0xde, 0xad, 0xbe, 0xef, [15] = 0x42 };
	/* uid != euid would make musl report AT_SECURE as 1 whatever we say. */
	struct elf_stack_args a = { argv, envp, "/bin/auxv", rnd,
				    1000, 1000, 1002, 1002, 0, 0 };
	void *stack;
	uint64_t sp;

	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		uint64_t lo = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		uint64_t hi = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		int prot = (s->prot & ELF_PROT_R ? PROT_READ : 0) |
			   (s->prot & ELF_PROT_W ? PROT_WRITE : 0) |
			   (s->prot & ELF_PROT_X ? PROT_EXEC : 0);

		if (mmap((void *)lo, hi - lo, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0) != (void *)lo)
			_exit(90);
		memcpy((void *)s->vaddr, b->p + s->offset, s->filesz);
		if (mprotect((void *)lo, hi - lo, prot))
			_exit(91);
	}
	stack = mmap((void *)(STACK_TOP - STACK_SIZE), STACK_SIZE,
		     PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (stack != (void *)(STACK_TOP - STACK_SIZE) ||
	    elf_stack_build(img, &a, stack, STACK_SIZE, STACK_TOP, &sp))
		_exit(92);
	if (dup2(out_fd, 1) < 0)
		_exit(93);
	__asm__ __volatile__("mov %0, %%rsp\n\txor %%edx, %%edx\n\tjmp *%1"
			     : : "D"(sp), "a"(img->entry) : "memory");
	__builtin_unreachable();
}

/* Run @file per its plan; its output (at most @cap - 1 bytes) into @out. */
static int run_planned(const char *file, char *out, size_t cap)
{
	struct blob b = load(file);
	struct elf_image img;
	size_t n = 0;
	ssize_t r;
	int fds[2], status;
	pid_t pid;

	if (elf_plan(b.p, b.len, PIE_BASE, &img) || pipe(fds))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_exec(&b, &img, fds[1]);
	}
	close(fds[1]);
	while (n < cap - 1 && (r = read(fds[0], out + n, cap - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	free(b.p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static bool run_ok(const char *file)
{
	static const char *const want[] = {
		"auxv: argc=3\n", "auxv: argv[0]=auxv\n",
		"auxv: argv[2]=two words\n", "auxv: envp[0]=LOUPE=1\n",
		"auxv: envp[1]=TERM=dumb\n",
		"auxv: pagesz=4096 phent=56 phnum=",
		"auxv: uid=1000 euid=1000 gid=1002 egid=1002 secure=0\n",
		"auxv: random=deadbe42 execfn=/bin/auxv\n",
		"auxv: tls ok\n", "auxv: done\n",
	};
	char out[4096];
	int st = run_planned(file, out, sizeof(out));
	bool ok = st == 0;

	for (size_t i = 0; i < ARRAY_SIZE(want) && ok; i++)
		ok = strstr(out, want[i]) != NULL;
	if (!ok)
		fprintf(stderr, "%s: status %d, output:\n%s", file, st, out);
	return ok;
}

TEST(run_static_from_plan)
{
	CHECK(run_ok("auxv"));
}

TEST(run_pie_from_plan)
{
	CHECK(run_ok("auxv-pie"));
}

TEST(strerror_names_all)
{
	for (int i = 0; i < ELF_NR_ERRS; i++) {
		CHECK(elf_strerror(-i) != NULL);
		CHECK(strcmp(elf_strerror(-i), "unknown ELF error"));
	}
	CHECK(!strcmp(elf_strerror(-ELF_NR_ERRS), "unknown ELF error"));
}

static const struct harness_test tests[] = {
	T(structs_match_system_elf_h),
	T(plan_static),
	T(plan_pie),
	T(corrupted_copies),
	T(truncate_every_length),
	T(fuzz_headers),
	T(stack_layout),
	T(stack_empty_vectors),
	T(run_static_from_plan),
	T(run_pie_from_plan),
	T(strerror_names_all),
};

HARNESS_MAIN("elf", tests)
