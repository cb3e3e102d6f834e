/*
 * Linux odds and ends: uname (sysname "Loupe"), sysinfo, getrandom, syslog
 * (the kernel log's ring, for dmesg), reboot (power off ends QEMU through
 * isa-debug-exit; the only way init asks to stop).
 */
#include "linux.h"
#include "clock.h"
#include "cmdline.h"
#include "pmm.h"
#include "printk.h"
#include "string.h"
#include <arch/cpu.h>

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
	     domainname[65];
};

long sys_uname(SYSCALL_ARGS)
{
	static const struct utsname u = {
		"Loupe", "loupe", "0.1", "Loupe 0.1 SMP", "x86_64", "(none)",
	};

	return copy_to_user((void *)a0, &u, sizeof(u));
}

/* Linux's struct sysinfo on x86_64 (112 bytes). */
struct sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct sysinfo) == 112, "Linux struct sysinfo");

static uint16_t misc_nr_procs(void)
{
	unsigned long f = spin_lock_irqsave(&proc_lock);
	uint16_t n = list_count(&all_procs);

	spin_unlock_irqrestore(&proc_lock, f);
	return n;
}

/*
 * sysinfo(info): memory in pages (mem_unit = PAGE_SIZE), straight from the
 * page allocator, so a stress test can check that free memory returns to
 * where it started. No load averages or swap; procs counts zombies too.
 */
long sys_sysinfo(SYSCALL_ARGS)
{
	struct sysinfo si = {
		.uptime = clock_monotonic_ns() / 1000000000,
		.totalram = pmm_total_count(),
		.freeram = pmm_free_count(),
		.procs = misc_nr_procs(),
		.mem_unit = PAGE_SIZE,
	};

	sched_load_avg(si.loads, 16);		/* SI_LOAD_SHIFT */
	return copy_to_user((void *)a0, &si, sizeof(si));
}

static uint64_t misc_xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/*
 * getrandom(buf, len, flags): from RDRAND when the CPU has it, mixed with
 * the TSC. Not a cryptographic pool; good enough for AT_RANDOM-style use.
 */
long sys_getrandom(SYSCALL_ARGS)
{
	uint64_t seed = rdtsc() ^ 0x9e3779b97f4a7c15UL;
	uint8_t chunk[64];
	size_t done = 0, len = MIN(a1, (unsigned long)1 << 20);

	if (a2 & ~7UL)
		return -EINVAL;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk));

		for (size_t i = 0; i < n; i += 8) {
			uint64_t v = misc_xorshift(&seed);

			memcpy(chunk + i, &v, MIN(8, n - i));
		}
		if (copy_to_user((uint8_t *)a0 + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return done;
}

#define SYSLOG_ACTION_CLOSE		0
#define SYSLOG_ACTION_OPEN		1
#define SYSLOG_ACTION_READ_ALL		3
#define SYSLOG_ACTION_READ_CLEAR	4
#define SYSLOG_ACTION_CLEAR		5
#define SYSLOG_ACTION_CONSOLE_OFF	6
#define SYSLOG_ACTION_CONSOLE_ON	7
#define SYSLOG_ACTION_CONSOLE_LEVEL	8
#define SYSLOG_ACTION_SIZE_UNREAD	9
#define SYSLOG_ACTION_SIZE_BUFFER	10

static uint64_t misc_log_cleared;	/* atomic: log bytes before a clear */

/* READ_ALL and READ_CLEAR: the newest len bytes since the last clear. */
static long misc_syslog_read(char *ubuf, long len, bool clear)
{
	size_t order, n;
	uint64_t head;
	char *tmp;

	if (!ubuf || len < 0)
		return -EINVAL;
	if (!len)
		return 0;
	if (!uaccess_ok((uintptr_t)ubuf, len))
		return -EFAULT;
	len = MIN((uint64_t)len, dmesg_size);
	order = pmm_order(len);
	tmp = pmm_alloc_virt(order);
	if (!tmp)
		return -ENOMEM;
	n = printk_log_read(tmp, len,
			    __atomic_load_n(&misc_log_cleared, __ATOMIC_RELAXED),
			    &head);
	if (copy_to_user(ubuf, tmp, n))
		n = -EFAULT;
	else if (clear)
		__atomic_store_n(&misc_log_cleared, head, __ATOMIC_RELAXED);
	pmm_free_virt(tmp, order);
	return n;
}

/*
 * syslog(type, buf, len), klogctl in libc: the kernel log for dmesg.
 * There is no reader that consumes it (SYSLOG_ACTION_READ is EINVAL);
 * the console level is accepted and ignored (everything is printed).
 */
long sys_syslog(SYSCALL_ARGS)
{
	char c;
	uint64_t head;

	switch ((int)a0) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
	case SYSLOG_ACTION_CONSOLE_OFF:
	case SYSLOG_ACTION_CONSOLE_ON:
		return 0;
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR:
		return misc_syslog_read((char *)a1, (int)a2,
					(int)a0 == SYSLOG_ACTION_READ_CLEAR);
	case SYSLOG_ACTION_CLEAR:
		printk_log_read(&c, 0, 0, &head);
		__atomic_store_n(&misc_log_cleared, head, __ATOMIC_RELAXED);
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		return (int)a2 < 1 || (int)a2 > 8 ? -EINVAL : 0;
	case SYSLOG_ACTION_SIZE_UNREAD:
		printk_log_read(&c, 0, 0, &head);
		return MIN(head - __atomic_load_n(&misc_log_cleared,
						  __ATOMIC_RELAXED), dmesg_size);
	case SYSLOG_ACTION_SIZE_BUFFER:
		return dmesg_size;
	default:
		return -EINVAL;
	}
}

#define REBOOT_MAGIC1		0xfee1dead
#define REBOOT_CMD_POWER_OFF	0x4321fedc
#define REBOOT_CMD_RESTART	0x01234567

/* reboot(magic, magic2, cmd): init's way to end the machine. */
long sys_reboot(SYSCALL_ARGS)
{
	if (a0 != REBOOT_MAGIC1 || current_proc()->pid != 1)
		return -EPERM;
	if (a2 != REBOOT_CMD_POWER_OFF && a2 != REBOOT_CMD_RESTART)
		return -EINVAL;
	printk("reboot: power off requested by init");
	qemu_exit(0);
	cpu_halt_forever();
}
