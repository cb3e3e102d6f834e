/*
 * The contracts between the portable RSP engine (rsp*.c) and the two layers
 * below it: the debugger core plus arch part (struct gdbstub_target_ops) and
 * the byte transport (struct gdbstub_io_ops). Types only; the engine's own
 * API is in rsp.h. See gdbstub/README.md for who calls what, and when.
 */
#ifndef GDBSTUB_GDBSTUB_H
#define GDBSTUB_GDBSTUB_H

#include "types.h"
#include "gdbstub/gdbreg.h"

/* Largest packet payload we accept and send (advertised as PacketSize). */
#define GDBSTUB_PACKET_SIZE	0x4000

/* Thread ids on the wire: positive hex; these two are the special ones. */
#define GDBSTUB_TID_ALL		(-1)
#define GDBSTUB_TID_ANY		0

/* GDB's signal numbers (not the host's). */
enum gdbstub_signal {
	GDBSTUB_SIGINT = 0x02,	/* break-in (0x03 or `$` while running) */
	GDBSTUB_SIGILL = 0x04,	/* #UD */
	GDBSTUB_SIGTRAP = 0x05,	/* breakpoint, step, watchpoint */
	GDBSTUB_SIGABRT = 0x06,	/* panic */
	GDBSTUB_SIGFPE = 0x08,	/* #DE, #MF, #XM */
	GDBSTUB_SIGSEGV = 0x0b,	/* #PF, #GP */
};

/* Z/z packet types, numbered as on the wire. */
enum gdbstub_bp_type {
	GDBSTUB_BP_SW = 0,
	GDBSTUB_BP_HW = 1,
	GDBSTUB_WP_WRITE = 2,
	GDBSTUB_WP_READ = 3,
	GDBSTUB_WP_ACCESS = 4,
};

/* Why the target stopped; the extra field of a T stop reply. */
enum gdbstub_stop_kind {
	GDBSTUB_STOP_NONE,	/* step, break-in, fault, panic */
	GDBSTUB_STOP_SWBREAK,	/* an int3 the stub planted (RIP rewound) */
	GDBSTUB_STOP_HWBREAK,	/* a debug-register execute breakpoint */
	GDBSTUB_STOP_WATCH,	/* write watchpoint at @addr */
	GDBSTUB_STOP_RWATCH,	/* read watchpoint at @addr */
	GDBSTUB_STOP_AWATCH,	/* access watchpoint at @addr */
};

struct gdbstub_stop {
	int signal;		/* enum gdbstub_signal */
	int64_t tid;		/* the thread that stopped, > 0 */
	int cpu;		/* its CPU, or -1 to leave out core: */
	enum gdbstub_stop_kind kind;
	uint64_t addr;		/* data address for the watch kinds */
};

/* One thread as `info threads` shows it. Strings stay valid until resume. */
struct gdbstub_thread {
	int64_t tid;		/* > 0 */
	const char *name;
	int cpu;		/* CPU it runs (ran) on, or -1 */
	const char *state;	/* "running", "sleeping", ... */
};

/* One vCont action; c/s/C/S packets are turned into these too. */
struct gdbstub_action {
	char op;		/* 'c', 's' or 't' (C and S become c/s + signal) */
	int signal;		/* 0 unless C or S */
	int64_t tid;		/* GDBSTUB_TID_ALL or a thread */
};

#define GDBSTUB_MAX_ACTIONS	16

/*
 * What the engine asks of the debugger core. All calls happen on the CPU
 * that drives the engine, with every other CPU parked, except where noted.
 * Functions returning int return 0 or -Exxx; -ENOSYS means "not supported"
 * and becomes an empty reply. @ctx is the pointer given to rsp_init().
 */
struct gdbstub_target_ops {
	/* A new debugger session began (qSupported): drop every breakpoint
	 * and watchpoint left from an old one. May be NULL. */
	void (*reset)(void *ctx);

	/* Fill @img for @tid with gdbreg_set*(); registers not set stay
	 * unavailable and go out as "xx". Never invent values. */
	int (*read_regs)(void *ctx, int64_t tid, struct gdbreg_image *img);
	/* Write the registers of @tid that are marked available in @img. */
	int (*write_regs)(void *ctx, int64_t tid,
			  const struct gdbreg_image *img);

	/* Copy up to @len bytes; stop at the first unreadable (unwritable)
	 * byte without faulting. Return the number of bytes done. */
	size_t (*read_mem)(void *ctx, uint64_t addr, void *buf, size_t len);
	size_t (*write_mem)(void *ctx, uint64_t addr, const void *buf,
			    size_t len);

	/* @kind is the Z packet's third field (length for x86). Inserting
	 * an existing breakpoint again must succeed (idempotent). */
	int (*insert_bp)(void *ctx, enum gdbstub_bp_type type, uint64_t addr,
			 uint64_t kind);
	int (*remove_bp)(void *ctx, enum gdbstub_bp_type type, uint64_t addr,
			 uint64_t kind);

	/* Let the target run per @acts (in the order given: the first action
	 * that names a thread wins for it). The stop that follows is
	 * reported with rsp_stopped(). */
	int (*resume)(void *ctx, const struct gdbstub_action *acts, int n);

	/* Threads: iterate with *@cursor starting at 0 (its meaning is the
	 * target's); return true and fill @t, or false at the end. */
	bool (*thread_next)(void *ctx, uint64_t *cursor,
			    struct gdbstub_thread *t);
	/* Look up one thread; 0 or -ESRCH. */
	int (*thread_find)(void *ctx, int64_t tid, struct gdbstub_thread *t);

	/* The last stop: its thread is the current thread. */
	void (*stop_reason)(void *ctx, struct gdbstub_stop *stop);

	/* `monitor <cmd>`: print with rsp_console_write(); return 0 (also
	 * after printing an error for an unknown command). May be NULL. */
	int (*monitor)(void *ctx, const char *cmd);

	/* GDB detached (D, k, vKill): remove breakpoints, let everything run
	 * on. The engine returns RSP_EV_DETACH right after. */
	void (*detach)(void *ctx);
};

/*
 * The byte transport (COM2 in the kernel, a socket on the host).
 * putc may buffer; flush is called at the end of every packet.
 * getc returns a byte, GDBSTUB_IO_NONE when nothing is waiting, or
 * GDBSTUB_IO_RESET when the peer went away; it is used only by rsp_poll().
 */
#define GDBSTUB_IO_NONE		(-1)
#define GDBSTUB_IO_RESET	(-2)

struct gdbstub_io_ops {
	void (*putc)(void *ctx, uint8_t c);
	void (*flush)(void *ctx);
	int (*getc)(void *ctx);
	void *ctx;
};

#endif
