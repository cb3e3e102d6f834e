/*
 * The trace record format: the one header shared by the kernel's trace
 * rings (trace/ring.h) and the host tools (tools/trace2perfetto, capture).
 * Fixed-width little-endian fields only, every size and offset checked at
 * compile time, so the two sides cannot drift. Design: docs/tracing.md.
 *
 * Change log (additive changes only once tools depend on a field):
 *   v1  first version.
 *   v1  trace_ring_hdr.wlimit taken from reserved2 (writer's cached bound).
 *   v1  struct trace_ctl: where the rings are, for readers of guest RAM.
 *   v1  trace_ring_hdr.wbase taken from reserved2 (writer's record address
 *       base; a writer-side kernel address, readers ignore it).
 */
#ifndef TRACE_RECORD_H
#define TRACE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_VERSION		2

/*
 * Ring geometry. A ring's data area is a power of two bytes, a multiple of
 * TRACE_BLOCK_SIZE. A record never crosses a block boundary (the writer
 * pads the end of a block with a TRACE_PAD record), so every block starts
 * with a record: a reader that lost its place resumes at a block start.
 */
#define TRACE_BLOCK_SIZE	4096u
#define TRACE_ALIGN		8u	/* every record starts and ends 8-aligned */
#define TRACE_REC_MAX		64u	/* largest record, header included */

/* Ring modes (struct trace_ring_hdr.mode, struct trace_file_hdr.mode). */
#define TRACE_MODE_OVERWRITE	0	/* flight recorder: oldest records go */
#define TRACE_MODE_STREAM	1	/* drop newest when full, count them */

/*
 * The common record header, 16 bytes. The first 8 bytes are the commit
 * word. The writer stores its first half (type, size, flags) with the
 * payload and seq last, in one 4-byte store: seq is what commits. A
 * record at ring byte position pos is whole only if flags has
 * TRACE_F_COMMIT and seq == (uint32_t)pos; anything else at that position
 * is stale (an older lap), not yet committed, or from a newer lap. Readers
 * load the commit word in one 8-byte load. TRACE_PAD records may be 8
 * bytes long (commit word only, no tsc).
 */
struct trace_hdr {
	uint16_t type;		/* TRACE_* record type */
	uint8_t size;		/* bytes, header included; multiple of 8 */
	uint8_t flags;		/* TRACE_F_* */
	uint32_t seq;		/* low 32 bits of the ring position */
	uint64_t tsc;		/* time stamp counter when the record was made */
};

#define TRACE_F_COMMIT		0x01	/* record is whole */
#define TRACE_F_NESTED		0x02	/* reserved: made while another was open */

/* The commit word as one integer (little-endian view of the first 8 bytes). */
#define TRACE_COMMIT_WORD(type, size, flags, seq) \
	((uint64_t)(type) | (uint64_t)(size) << 16 | \
	 (uint64_t)(flags) << 24 | (uint64_t)(uint32_t)(seq) << 32)
#define TRACE_SEQ(pos)		((uint32_t)(pos))

/*
 * Record types. Numbers are ABI: never renumber, only add. Sizes in the
 * table below and in trace_rec_size[] (host tools) include the header.
 */
enum trace_type {
	TRACE_PAD = 0,		/* filler to the end of a block; skip */
	TRACE_LOST = 1,		/* struct trace_lost */
	TRACE_SCHED_SWITCH = 2,	/* struct trace_sched_switch */
	TRACE_SCHED_WAKEUP = 3,	/* struct trace_sched_wakeup */
	TRACE_TASK_NEW = 4,	/* struct trace_task_new */
	TRACE_TASK_EXIT = 5,	/* struct trace_task_exit */
	TRACE_TASK_RENAME = 6,	/* struct trace_task_rename */
	TRACE_IRQ_ENTRY = 7,	/* struct trace_irq_entry */
	TRACE_IRQ_EXIT = 8,	/* struct trace_irq_exit */
	TRACE_EXCEPTION = 9,	/* struct trace_exception */
	TRACE_IPI_SEND = 10,	/* struct trace_ipi (cpu = target) */
	TRACE_IPI_RECV = 11,	/* struct trace_ipi (cpu = source) */
	TRACE_BOOT_STAGE = 12,	/* struct trace_boot_stage */
	TRACE_COUNTER = 13,	/* struct trace_counter */
	TRACE_TIMER_TICK = 14,	/* struct trace_timer_tick */
	TRACE_SYSCALL_ENTER = 15, /* struct trace_syscall_enter */
	TRACE_SYSCALL_EXIT = 16, /* struct trace_syscall_exit */
	TRACE_IPC_CALL = 17,	/* struct trace_ipc: caller sends, waits */
	TRACE_IPC_RECV = 18,	/* struct trace_ipc: server receives */
	TRACE_IPC_REPLY = 19,	/* struct trace_ipc: server replies */
	TRACE_PAGE_FAULT = 20,	/* struct trace_page_fault */
	TRACE_MARKER = 21,	/* struct trace_marker: tests, benchmarks */
	TRACE_IPC_CALL_SWITCH = 22,  /* struct trace_ipc_switch: CALL + switch */
	TRACE_IPC_REPLY_SWITCH = 23, /* struct trace_ipc_switch: REPLY + switch */
	TRACE_IPC_CALL_WAKE = 24,  /* struct trace_ipc: CALL + partner's wakeup */
	TRACE_IPC_REPLY_WAKE = 25, /* struct trace_ipc: REPLY + partner's wakeup */
	TRACE_IPC_REPLY_RECV = 26, /* struct trace_ipc_reply_recv: REPLY + RECV */
	TRACE_IPC_REPLY_WAKE_RECV = 27, /* the same, its REPLY a _REPLY_WAKE */
	TRACE_TYPE_COUNT	/* first unused number */
};

/*
 * Task states for trace_sched_switch.prev_state: the Linux 4.4 encoding
 * Perfetto decodes for a non-Linux kernel, so converters pass it through.
 */
#define TRACE_STATE_RUNNABLE	0x000	/* R: still runnable (yield) */
#define TRACE_STATE_SLEEPING	0x001	/* S: blocked, interruptible */
#define TRACE_STATE_BLOCKED	0x002	/* D: blocked, uninterruptible */
#define TRACE_STATE_STOPPED	0x004	/* T */
#define TRACE_STATE_TRACED	0x008	/* t: stopped by the debugger */
#define TRACE_STATE_DEAD	0x010	/* X */
#define TRACE_STATE_ZOMBIE	0x020	/* Z */
#define TRACE_STATE_IDLE	0x402	/* I */
#define TRACE_STATE_PREEMPTED	0x800	/* R+: runnable, preempted */

#define TRACE_TID_IDLE		0	/* every CPU's idle task is tid 0 */
#define TRACE_NAME_LEN		16	/* task names, NUL-padded, maybe unterminated */

/* TRACE_LOST: the writer dropped records (stream mode, ring full). */
struct trace_lost {
	struct trace_hdr h;
	uint64_t lost_total;	/* records dropped on this CPU since init */
};

/* TRACE_SCHED_SWITCH: this CPU stops running prev and runs next. */
struct trace_sched_switch {
	struct trace_hdr h;
	uint32_t prev_tid;	/* 0 = idle */
	uint32_t next_tid;	/* 0 = idle */
	uint32_t prev_state;	/* TRACE_STATE_* */
	int16_t prev_prio;	/* scheduler priority, higher runs first */
	int16_t next_prio;
};

/* TRACE_SCHED_WAKEUP: the running task made wakee runnable on target_cpu. */
struct trace_sched_wakeup {
	struct trace_hdr h;
	uint32_t waker_tid;	/* current task, 0 if from an interrupt */
	uint32_t wakee_tid;
	uint16_t target_cpu;
	int16_t wakee_prio;
	uint32_t reserved;	/* 0 */
};

#define TRACE_TASK_F_THREAD	0x1	/* shares its creator's process */
#define TRACE_TASK_F_KERNEL	0x2	/* kernel task, no user space */

/* TRACE_TASK_NEW: a task was created (not yet run). */
struct trace_task_new {
	struct trace_hdr h;
	uint32_t tid;
	uint32_t pid;		/* process (thread-group) id; == tid for a leader */
	uint32_t parent_tid;	/* creator; 0 for tasks made at boot */
	uint32_t flags;		/* TRACE_TASK_F_* */
	char name[TRACE_NAME_LEN];
};

/* TRACE_TASK_EXIT: a task finished; its tid may be reused afterwards. */
struct trace_task_exit {
	struct trace_hdr h;
	uint32_t tid;
	uint32_t pid;
	int32_t exit_code;
	uint32_t reserved;	/* 0 */
};

/* TRACE_TASK_RENAME: a task changed its name (exec, prctl). */
struct trace_task_rename {
	struct trace_hdr h;
	uint32_t tid;
	uint32_t reserved;	/* 0 */
	char name[TRACE_NAME_LEN];
};

/*
 * TRACE_IRQ_ENTRY: an interrupt handler starts. name holds up to 8 bytes
 * of the handler's name ("timer", "uart0"), NUL-padded; trace_name8()
 * packs one at registration time so the hot path stores one word.
 */
struct trace_irq_entry {
	struct trace_hdr h;
	uint32_t vector;	/* IDT vector */
	uint32_t reserved;	/* 0 */
	char name[8];
};

/* TRACE_IRQ_EXIT: the handler for vector returns. */
struct trace_irq_exit {
	struct trace_hdr h;
	uint32_t vector;
	uint32_t handled;	/* 1 = handled, 0 = spurious */
};

/* TRACE_EXCEPTION: a CPU exception (other than a page fault) was taken. */
struct trace_exception {
	struct trace_hdr h;
	uint32_t vector;	/* 0..31 */
	uint32_t reserved;	/* 0 */
	uint64_t error_code;	/* 0 when the vector has none */
	uint64_t rip;		/* faulting instruction */
};

/* TRACE_IPI_SEND / TRACE_IPI_RECV: an inter-processor interrupt. */
struct trace_ipi {
	struct trace_hdr h;
	uint32_t vector;
	uint32_t cpu;		/* target (send) or source (recv); ~0u unknown */
};

#define TRACE_STAGE_BEGIN	0
#define TRACE_STAGE_END		1

/* TRACE_BOOT_STAGE: boot reached stage index (boot-stages/ catalog). */
struct trace_boot_stage {
	struct trace_hdr h;
	uint32_t stage;		/* catalog index */
	uint32_t what;		/* TRACE_STAGE_BEGIN or TRACE_STAGE_END */
};

/* Counter ids for struct trace_counter. */
#define TRACE_COUNTER_FREE_PAGES	1	/* free physical pages */
#define TRACE_COUNTER_RUNNABLE		2	/* runnable tasks on this CPU */

/* TRACE_COUNTER: a sampled value. */
struct trace_counter {
	struct trace_hdr h;
	uint32_t id;		/* TRACE_COUNTER_* */
	uint32_t reserved;	/* 0 */
	int64_t value;
};

/* TRACE_TIMER_TICK: this CPU's periodic timer fired. */
struct trace_timer_tick {
	struct trace_hdr h;
	uint64_t ticks;		/* this CPU's tick count */
};

/* TRACE_SYSCALL_ENTER: the current task entered system call nr. */
struct trace_syscall_enter {
	struct trace_hdr h;
	uint32_t nr;		/* Linux x86_64 number (kernel/linux table) */
	uint32_t reserved;	/* 0 */
	uint64_t args[3];	/* first three arguments */
};

/* TRACE_SYSCALL_EXIT: system call nr returns ret to the current task. */
struct trace_syscall_exit {
	struct trace_hdr h;
	uint32_t nr;
	uint32_t reserved;	/* 0 */
	int64_t ret;		/* value or -errno */
};

/*
 * TRACE_IPC_CALL / _RECV / _REPLY: a message through endpoint. The current
 * task is the sender for CALL and REPLY and the receiver for RECV; partner
 * is the other side. tag is the message label: a converter matches a CALL
 * to its RECV and REPLY by (endpoint, caller tid) to draw flow arrows.
 * TRACE_IPC_CALL_WAKE / _REPLY_WAKE: a CALL (REPLY) that woke partner
 * onto this CPU; it stands for that record and, at the same time stamp,
 * a TRACE_SCHED_WAKEUP from the current task to partner (target this CPU,
 * priority 0), which the kernel then does not record.
 */
struct trace_ipc {
	struct trace_hdr h;
	uint32_t endpoint;	/* endpoint (capability object) id */
	uint32_t partner_tid;
	uint64_t tag;		/* message label / first word */
};

/*
 * TRACE_IPC_CALL_SWITCH / _REPLY_SWITCH: the IPC fast path's one record per
 * half trip. It stands for a TRACE_IPC_CALL (or _REPLY) record from prev
 * to partner on endpoint with tag, followed at the same time stamp by a
 * TRACE_SCHED_SWITCH from prev (now TRACE_STATE_SLEEPING, priority 0) to
 * partner: converters emit both, so CPU tracks chain as before. prev is
 * the thread this CPU's records last switched to (the sender runs the
 * fast path on its own CPU), so the record does not name it.
 */
struct trace_ipc_switch {
	struct trace_hdr h;
	uint32_t endpoint;	/* endpoint (capability object) id */
	uint32_t partner_tid;	/* the message's receiver, next on this CPU */
	uint64_t tag;		/* message label / first word */
};

/*
 * TRACE_IPC_REPLY_RECV / _REPLY_WAKE_RECV: a server's reply-and-receive
 * that found a call already queued on the endpoint, as one record where
 * a busy server would make two. It stands for a TRACE_IPC_REPLY (or
 * _REPLY_WAKE) on endpoint to partner with tag, then at the same time
 * stamp the TRACE_IPC_RECV of recv_tid's call, with recv_tag, on the same
 * endpoint.
 */
struct trace_ipc_reply_recv {
	struct trace_hdr h;
	uint32_t endpoint;	/* endpoint (capability object) id */
	uint32_t partner_tid;	/* the caller replied to */
	uint64_t tag;		/* the reply's label / first word */
	uint32_t recv_tid;	/* the caller whose call is received */
	uint32_t reserved;	/* 0 */
	uint64_t recv_tag;	/* that call's label / first word */
};

/* TRACE_PAGE_FAULT: a page fault was taken. */
struct trace_page_fault {
	struct trace_hdr h;
	uint64_t addr;		/* CR2 */
	uint64_t rip;
	uint32_t error_code;	/* x86 #PF error code bits */
	uint32_t reserved;	/* 0 */
};

/* TRACE_MARKER: free-form, for tests, benchmarks and ad-hoc debugging. */
struct trace_marker {
	struct trace_hdr h;
	uint64_t a;
	uint64_t b;
};

/*
 * The per-CPU ring as it sits in kernel memory: this header, then
 * data_size bytes of records at data_offset. Host tools read it straight
 * from guest RAM, so it is ABI too. Fields are grouped by who writes them;
 * each group has its own cache line.
 */
struct trace_ring_hdr {
	/* Set once by trace_ring_init(), read-only afterwards. */
	uint32_t magic;		/* TRACE_RING_MAGIC */
	uint16_t version;	/* TRACE_VERSION */
	uint8_t mode;		/* TRACE_MODE_* */
	uint8_t reserved0;
	uint32_t cpu;		/* the CPU that writes this ring */
	uint32_t data_offset;	/* from the start of this header */
	uint64_t data_size;	/* bytes; power of two, >= 2 blocks */
	uint64_t data_mask;	/* data_size - 1 */
	uint64_t reserved1[4];

	/*
	 * Written only by the owning CPU (and its nested interrupts). Bit 63
	 * of head is TRACE_HEAD_LOST: records were dropped and the next
	 * reservation writes a TRACE_LOST record first. Mask it off.
	 */
	uint64_t head;		/* next position to reserve; monotonic */
	uint64_t written;	/* records committed (not PAD/LOST) */
	uint64_t lost;		/* records dropped because the ring was full */
	uint64_t lost_reported;	/* lost as of the last TRACE_LOST record */
	uint64_t wlimit;	/* fast-path bound: min(end of head's block, limit) */
	uint64_t wbase;		/* stored with wlimit, one 16-byte store: the
				 * record at a position p of head's lap is at
				 * kernel address wbase + p; readers ignore it */
	uint64_t reserved2[2];

	/* Written only by the one consuming reader (stream mode). */
	uint64_t limit;		/* head may not pass this; ~0 in overwrite mode */
	uint64_t tail;		/* position the reader has consumed up to */
	uint64_t reserved3[6];
};

#define TRACE_RING_MAGIC	0x474e5254u	/* "TRNG" */
#define TRACE_HEAD_LOST		(1ull << 63)
#define TRACE_HEAD_POS(head)	((head) & ~TRACE_HEAD_LOST)
#define TRACE_RING_HDR_SIZE	192u

/*
 * The kernel's control block, the one symbol (`trace_ctl`) a reader of raw
 * guest memory looks up in kernel.elf: where each CPU's ring is and how to
 * read its time stamps. The kernel fills it at boot and sets magic last;
 * rings appear in ring_phys[] as their CPUs start (0 = not yet). The host
 * writes only snapshot_req (and, through the ring, tail and limit).
 */
#define TRACE_MAX_CPUS		16

struct trace_ctl {
	/* Written by the kernel. */
	uint32_t magic;		/* TRACE_CTL_MAGIC, stored last (release) */
	uint16_t version;	/* TRACE_VERSION */
	uint8_t mode;		/* TRACE_MODE_* of every ring */
	uint8_t enabled;	/* 0 if trace=off */
	uint32_t ncpus;		/* rings that may appear (CPUs to start) */
	uint32_t reserved0;
	uint64_t tsc_hz;	/* TSC ticks per second; 0 until calibrated */
	uint64_t boot_tsc;	/* TSC at kernel entry: time zero */
	uint64_t ring_bytes;	/* bytes per ring, header included */
	uint64_t snapshot_done;	/* last snapshot_req the kernel served */
	uint64_t load_done;	/* trace workload (traceload=) finished */
	uint64_t reserved1[3];
	/* Written by a host consumer: ask the kernel to re-emit task names. */
	uint64_t snapshot_req;
	uint64_t reserved2;
	uint64_t ring_phys[TRACE_MAX_CPUS];	/* physical address, 0 = none */
};

#define TRACE_CTL_MAGIC		0x4c544354u	/* "TCTL" */
#define TRACE_CTL_SIZE		224u

/*
 * Capture file, as written by the host capture tool and read by converters:
 *
 *   struct trace_file_hdr
 *   { struct trace_chunk_hdr, payload[len] } ...   (in capture order)
 *   struct trace_chunk_hdr with kind TRACE_CHUNK_END (len 0)
 *
 * The stream can be read as it is written. A TRACE_CHUNK_DATA payload is
 * whole committed records copied from ring cpu, starting at ring position
 * pos, in ring order (PADs may be kept or dropped). Chunks of one CPU come
 * in increasing pos; chunks of different CPUs interleave freely. A gap
 * between one chunk's end and the next chunk's pos on the same CPU means
 * the reader was overrun (overwrite mode); the written/lost snapshots give
 * exact counts. A file without an END chunk was truncated; a chunk header
 * whose magic is wrong or whose payload runs past the end of the file is
 * reported with its byte offset.
 */
struct trace_file_hdr {
	char magic[8];		/* TRACE_FILE_MAGIC, not NUL-terminated */
	uint16_t version;	/* TRACE_VERSION */
	uint16_t hdr_size;	/* sizeof(struct trace_file_hdr); skip extras */
	uint16_t ncpus;		/* CPUs whose rings are captured */
	uint8_t mode;		/* TRACE_MODE_* of the rings */
	uint8_t reserved0;
	uint64_t tsc_hz;	/* TSC ticks per second; 0 = unknown */
	uint64_t boot_tsc;	/* TSC at kernel entry: time zero */
	uint64_t ring_size;	/* data bytes per CPU ring */
	uint32_t block_size;	/* TRACE_BLOCK_SIZE */
	uint32_t reserved1;
	uint8_t build_id[20];	/* kernel ELF GNU build-id; zeros if none */
	uint32_t reserved2;
	uint64_t reserved3[3];
};

#define TRACE_FILE_MAGIC	"LOUPETRC"
#define TRACE_FILE_HDR_SIZE	96u

#define TRACE_CHUNK_MAGIC	0x4b4e4843u	/* "CHNK" */
#define TRACE_CHUNK_DATA	1	/* records of one CPU */
#define TRACE_CHUNK_STATS	2	/* counters only, len 0 */
#define TRACE_CHUNK_END		3	/* clean end of capture, len 0 */

struct trace_chunk_hdr {
	uint32_t magic;		/* TRACE_CHUNK_MAGIC */
	uint16_t kind;		/* TRACE_CHUNK_* */
	uint16_t cpu;		/* ring the chunk came from; 0 for END */
	uint32_t len;		/* payload bytes after this header; 8-aligned */
	uint32_t reserved;	/* 0 */
	uint64_t pos;		/* ring position of the payload's first byte */
	uint64_t written;	/* ring's written counter when chunk was cut */
	uint64_t lost;		/* ring's lost counter when chunk was cut */
};

#define TRACE_CHUNK_HDR_SIZE	40u

/* Record sizes; every size is a multiple of 8 and at most TRACE_REC_MAX. */
#define TRACE_CHECK_REC(t) \
	_Static_assert(sizeof(struct t) % TRACE_ALIGN == 0 && \
		       sizeof(struct t) <= TRACE_REC_MAX, #t " size")

_Static_assert(sizeof(struct trace_hdr) == 16, "trace_hdr size");
_Static_assert(offsetof(struct trace_hdr, size) == 2, "hdr.size");
_Static_assert(offsetof(struct trace_hdr, flags) == 3, "hdr.flags");
_Static_assert(offsetof(struct trace_hdr, seq) == 4, "hdr.seq");
_Static_assert(offsetof(struct trace_hdr, tsc) == 8, "hdr.tsc");
TRACE_CHECK_REC(trace_lost);
TRACE_CHECK_REC(trace_sched_switch);
TRACE_CHECK_REC(trace_sched_wakeup);
TRACE_CHECK_REC(trace_task_new);
TRACE_CHECK_REC(trace_task_exit);
TRACE_CHECK_REC(trace_task_rename);
TRACE_CHECK_REC(trace_irq_entry);
TRACE_CHECK_REC(trace_irq_exit);
TRACE_CHECK_REC(trace_exception);
TRACE_CHECK_REC(trace_ipi);
TRACE_CHECK_REC(trace_boot_stage);
TRACE_CHECK_REC(trace_counter);
TRACE_CHECK_REC(trace_timer_tick);
TRACE_CHECK_REC(trace_syscall_enter);
TRACE_CHECK_REC(trace_syscall_exit);
TRACE_CHECK_REC(trace_ipc);
TRACE_CHECK_REC(trace_page_fault);
TRACE_CHECK_REC(trace_marker);
TRACE_CHECK_REC(trace_ipc_switch);
TRACE_CHECK_REC(trace_ipc_reply_recv);
_Static_assert(sizeof(struct trace_lost) == 24, "lost");
_Static_assert(sizeof(struct trace_sched_switch) == 32, "sched_switch");
_Static_assert(sizeof(struct trace_sched_wakeup) == 32, "sched_wakeup");
_Static_assert(sizeof(struct trace_task_new) == 48, "task_new");
_Static_assert(sizeof(struct trace_task_exit) == 32, "task_exit");
_Static_assert(sizeof(struct trace_task_rename) == 40, "task_rename");
_Static_assert(sizeof(struct trace_irq_entry) == 32, "irq_entry");
_Static_assert(sizeof(struct trace_irq_exit) == 24, "irq_exit");
_Static_assert(sizeof(struct trace_exception) == 40, "exception");
_Static_assert(sizeof(struct trace_ipi) == 24, "ipi");
_Static_assert(sizeof(struct trace_boot_stage) == 24, "boot_stage");
_Static_assert(sizeof(struct trace_counter) == 32, "counter");
_Static_assert(sizeof(struct trace_timer_tick) == 24, "timer_tick");
_Static_assert(sizeof(struct trace_syscall_enter) == 48, "syscall_enter");
_Static_assert(sizeof(struct trace_syscall_exit) == 32, "syscall_exit");
_Static_assert(sizeof(struct trace_ipc) == 32, "ipc");
_Static_assert(sizeof(struct trace_page_fault) == 40, "page_fault");
_Static_assert(sizeof(struct trace_marker) == 32, "marker");
_Static_assert(sizeof(struct trace_ipc_switch) == 32, "ipc_switch");
_Static_assert(sizeof(struct trace_ipc_reply_recv) == 48, "ipc_reply_recv");
_Static_assert(offsetof(struct trace_ipc_switch, tag) == 24,
	       "ipc_switch.tag");
_Static_assert(offsetof(struct trace_task_new, name) == 32, "task_new.name");
_Static_assert(offsetof(struct trace_task_rename, name) == 24, "rename.name");
_Static_assert(offsetof(struct trace_ring_hdr, head) == 64, "ring.head");
_Static_assert(offsetof(struct trace_ring_hdr, limit) == 128, "ring.limit");
_Static_assert(offsetof(struct trace_ring_hdr, wlimit) % 16 == 0 &&
	       offsetof(struct trace_ring_hdr, wbase) ==
	       offsetof(struct trace_ring_hdr, wlimit) + 8, "ring.wlimit pair");
_Static_assert(sizeof(struct trace_ring_hdr) == TRACE_RING_HDR_SIZE, "ring");
_Static_assert(offsetof(struct trace_ctl, snapshot_req) == 80, "ctl.snapshot");
_Static_assert(offsetof(struct trace_ctl, ring_phys) == 96, "ctl.ring_phys");
_Static_assert(sizeof(struct trace_ctl) == TRACE_CTL_SIZE, "ctl");
_Static_assert(offsetof(struct trace_file_hdr, tsc_hz) == 16, "file.tsc_hz");
_Static_assert(offsetof(struct trace_file_hdr, build_id) == 48, "build_id");
_Static_assert(sizeof(struct trace_file_hdr) == TRACE_FILE_HDR_SIZE, "file");
_Static_assert(offsetof(struct trace_chunk_hdr, pos) == 16, "chunk.pos");
_Static_assert(sizeof(struct trace_chunk_hdr) == TRACE_CHUNK_HDR_SIZE, "chunk");
_Static_assert(TRACE_BLOCK_SIZE % TRACE_REC_MAX == 0, "block size");

/*
 * Size of each record type in bytes, 0 for unknown numbers; TRACE_PAD
 * (variable) is 0 too. Host tools use it to validate a record's size.
 */
static const uint8_t trace_rec_size[TRACE_TYPE_COUNT] __attribute__((unused)) = {
	[TRACE_LOST] = sizeof(struct trace_lost),
	[TRACE_SCHED_SWITCH] = sizeof(struct trace_sched_switch),
	[TRACE_SCHED_WAKEUP] = sizeof(struct trace_sched_wakeup),
	[TRACE_TASK_NEW] = sizeof(struct trace_task_new),
	[TRACE_TASK_EXIT] = sizeof(struct trace_task_exit),
	[TRACE_TASK_RENAME] = sizeof(struct trace_task_rename),
	[TRACE_IRQ_ENTRY] = sizeof(struct trace_irq_entry),
	[TRACE_IRQ_EXIT] = sizeof(struct trace_irq_exit),
	[TRACE_EXCEPTION] = sizeof(struct trace_exception),
	[TRACE_IPI_SEND] = sizeof(struct trace_ipi),
	[TRACE_IPI_RECV] = sizeof(struct trace_ipi),
	[TRACE_BOOT_STAGE] = sizeof(struct trace_boot_stage),
	[TRACE_COUNTER] = sizeof(struct trace_counter),
	[TRACE_TIMER_TICK] = sizeof(struct trace_timer_tick),
	[TRACE_SYSCALL_ENTER] = sizeof(struct trace_syscall_enter),
	[TRACE_SYSCALL_EXIT] = sizeof(struct trace_syscall_exit),
	[TRACE_IPC_CALL] = sizeof(struct trace_ipc),
	[TRACE_IPC_RECV] = sizeof(struct trace_ipc),
	[TRACE_IPC_REPLY] = sizeof(struct trace_ipc),
	[TRACE_PAGE_FAULT] = sizeof(struct trace_page_fault),
	[TRACE_MARKER] = sizeof(struct trace_marker),
	[TRACE_IPC_CALL_SWITCH] = sizeof(struct trace_ipc_switch),
	[TRACE_IPC_REPLY_SWITCH] = sizeof(struct trace_ipc_switch),
	[TRACE_IPC_CALL_WAKE] = sizeof(struct trace_ipc),
	[TRACE_IPC_REPLY_WAKE] = sizeof(struct trace_ipc),
	[TRACE_IPC_REPLY_RECV] = sizeof(struct trace_ipc_reply_recv),
	[TRACE_IPC_REPLY_WAKE_RECV] = sizeof(struct trace_ipc_reply_recv),
};

#endif
