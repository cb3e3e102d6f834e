/*
 * The register table: the single source of truth for the target
 * description (target_xml.c), the `g` packet layout and the `p` numbers.
 * The arch part fills a struct gdbreg_image by GDBREG_* index and never
 * needs to know offsets or wire order.
 */
#ifndef GDBSTUB_GDBREG_H
#define GDBSTUB_GDBREG_H

#include "types.h"

enum gdbreg_feature {
	GDBREG_F_CORE,		/* org.gnu.gdb.i386.core */
	GDBREG_F_SSE,		/* org.gnu.gdb.i386.sse */
	GDBREG_F_SEGMENTS,	/* org.gnu.gdb.i386.segments */
	GDBREG_F_SYSTEM,	/* org.loupe.system */
	GDBREG_F_COUNT,
};

/* X(ID, name, bits, type, group, feature), in wire (regnum) order. */
#define GDBREG_LIST(X) \
	X(RAX, "rax", 64, "int64", "general", CORE) \
	X(RBX, "rbx", 64, "int64", "general", CORE) \
	X(RCX, "rcx", 64, "int64", "general", CORE) \
	X(RDX, "rdx", 64, "int64", "general", CORE) \
	X(RSI, "rsi", 64, "int64", "general", CORE) \
	X(RDI, "rdi", 64, "int64", "general", CORE) \
	X(RBP, "rbp", 64, "data_ptr", "general", CORE) \
	X(RSP, "rsp", 64, "data_ptr", "general", CORE) \
	X(R8, "r8", 64, "int64", "general", CORE) \
	X(R9, "r9", 64, "int64", "general", CORE) \
	X(R10, "r10", 64, "int64", "general", CORE) \
	X(R11, "r11", 64, "int64", "general", CORE) \
	X(R12, "r12", 64, "int64", "general", CORE) \
	X(R13, "r13", 64, "int64", "general", CORE) \
	X(R14, "r14", 64, "int64", "general", CORE) \
	X(R15, "r15", 64, "int64", "general", CORE) \
	X(RIP, "rip", 64, "code_ptr", "general", CORE) \
	X(EFLAGS, "eflags", 32, "i386_eflags", "general", CORE) \
	X(CS, "cs", 32, "int32", "general", CORE) \
	X(SS, "ss", 32, "int32", "general", CORE) \
	X(DS, "ds", 32, "int32", "general", CORE) \
	X(ES, "es", 32, "int32", "general", CORE) \
	X(FS, "fs", 32, "int32", "general", CORE) \
	X(GS, "gs", 32, "int32", "general", CORE) \
	X(ST0, "st0", 80, "i387_ext", "float", CORE) \
	X(ST1, "st1", 80, "i387_ext", "float", CORE) \
	X(ST2, "st2", 80, "i387_ext", "float", CORE) \
	X(ST3, "st3", 80, "i387_ext", "float", CORE) \
	X(ST4, "st4", 80, "i387_ext", "float", CORE) \
	X(ST5, "st5", 80, "i387_ext", "float", CORE) \
	X(ST6, "st6", 80, "i387_ext", "float", CORE) \
	X(ST7, "st7", 80, "i387_ext", "float", CORE) \
	X(FCTRL, "fctrl", 32, "int", "float", CORE) \
	X(FSTAT, "fstat", 32, "int", "float", CORE) \
	X(FTAG, "ftag", 32, "int", "float", CORE) \
	X(FISEG, "fiseg", 32, "int", "float", CORE) \
	X(FIOFF, "fioff", 32, "int", "float", CORE) \
	X(FOSEG, "foseg", 32, "int", "float", CORE) \
	X(FOOFF, "fooff", 32, "int", "float", CORE) \
	X(FOP, "fop", 32, "int", "float", CORE) \
	X(XMM0, "xmm0", 128, "vec128", "vector", SSE) \
	X(XMM1, "xmm1", 128, "vec128", "vector", SSE) \
	X(XMM2, "xmm2", 128, "vec128", "vector", SSE) \
	X(XMM3, "xmm3", 128, "vec128", "vector", SSE) \
	X(XMM4, "xmm4", 128, "vec128", "vector", SSE) \
	X(XMM5, "xmm5", 128, "vec128", "vector", SSE) \
	X(XMM6, "xmm6", 128, "vec128", "vector", SSE) \
	X(XMM7, "xmm7", 128, "vec128", "vector", SSE) \
	X(XMM8, "xmm8", 128, "vec128", "vector", SSE) \
	X(XMM9, "xmm9", 128, "vec128", "vector", SSE) \
	X(XMM10, "xmm10", 128, "vec128", "vector", SSE) \
	X(XMM11, "xmm11", 128, "vec128", "vector", SSE) \
	X(XMM12, "xmm12", 128, "vec128", "vector", SSE) \
	X(XMM13, "xmm13", 128, "vec128", "vector", SSE) \
	X(XMM14, "xmm14", 128, "vec128", "vector", SSE) \
	X(XMM15, "xmm15", 128, "vec128", "vector", SSE) \
	X(MXCSR, "mxcsr", 32, "i386_mxcsr", "vector", SSE) \
	X(FS_BASE, "fs_base", 64, "int", "general", SEGMENTS) \
	X(GS_BASE, "gs_base", 64, "int", "general", SEGMENTS) \
	X(CR0, "cr0", 64, "int64", "system", SYSTEM) \
	X(CR2, "cr2", 64, "data_ptr", "system", SYSTEM) \
	X(CR3, "cr3", 64, "int64", "system", SYSTEM) \
	X(CR4, "cr4", 64, "int64", "system", SYSTEM) \
	X(CR8, "cr8", 64, "int64", "system", SYSTEM) \
	X(EFER, "efer", 64, "int64", "system", SYSTEM) \
	X(KERNEL_GS_BASE, "kernel_gs_base", 64, "int64", "system", SYSTEM) \
	X(DR0, "dr0", 64, "int64", "system", SYSTEM) \
	X(DR1, "dr1", 64, "int64", "system", SYSTEM) \
	X(DR2, "dr2", 64, "int64", "system", SYSTEM) \
	X(DR3, "dr3", 64, "int64", "system", SYSTEM) \
	X(DR4, "dr4", 64, "int64", "system", SYSTEM) \
	X(DR5, "dr5", 64, "int64", "system", SYSTEM) \
	X(DR6, "dr6", 64, "int64", "system", SYSTEM) \
	X(DR7, "dr7", 64, "int64", "system", SYSTEM)

#define GDBREG_ENUM(id, name, bits, type, group, feat) GDBREG_##id,
enum gdbreg_id { GDBREG_LIST(GDBREG_ENUM) GDBREG_COUNT };
#undef GDBREG_ENUM

/* The `g` image: every register, in order, little-endian, no padding. */
#define GDBREG_FIELD(id, name, bits, type, group, feat) uint8_t id[(bits) / 8];
struct gdbreg_layout { GDBREG_LIST(GDBREG_FIELD) };
#undef GDBREG_FIELD
#define GDBREG_IMAGE_SIZE	sizeof(struct gdbreg_layout)
/* Largest single register, in bytes (xmm). */
#define GDBREG_MAX_BYTES	16

struct gdbreg_desc {
	const char *name;
	const char *type;
	const char *group;
	uint16_t bits;
	uint16_t offset;	/* in the image */
	uint8_t feature;	/* enum gdbreg_feature */
};

/* The registers of one thread as the engine sends them. */
struct gdbreg_image {
	uint8_t bytes[GDBREG_IMAGE_SIZE];
	bool avail[GDBREG_COUNT];
};

extern const struct gdbreg_desc gdbreg_table[GDBREG_COUNT];

size_t gdbreg_size(int regno);
void gdbreg_clear(struct gdbreg_image *img);
void gdbreg_set(struct gdbreg_image *img, int regno, const void *val);
void gdbreg_set_u64(struct gdbreg_image *img, int regno, uint64_t val);
bool gdbreg_get_u64(const struct gdbreg_image *img, int regno,
		    uint64_t *val);

#endif
