/*
 * init's first job: start the servers, in order, each with only the
 * capabilities it needs, and wait until each says it is ready (server.h
 * explains the protocol). Then init drops its own boot capabilities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "loupe.h"

extern char **environ;

/* Run a server; 0 once it is ready, else -1 with the reason printed. */
static int servers_start(const char *path, const char *caps)
{
	char env[128];
	char *argv[] = { (char *)path, NULL };
	char *envp[] = { env, NULL };
	int status;
	pid_t pid;

	if (access(path, X_OK))
		return -1;	/* not in this initrd */
	snprintf(env, sizeof(env), "LOUPE_CAPS=%s", caps);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(127);
	}
	status = init_reap_until(pid);
	if (status == 0)
		return 0;
	if (WIFSIGNALED(status))
		printf("init: server %s crashed during start-up (signal %d)\n",
		       path, WTERMSIG(status));
	else
		printf("init: server %s failed to start (exit status %d)\n",
		       path, WEXITSTATUS(status));
	return -1;
}

/*
 * The self-tests' one authority over servers: registering SRV_TEST, the
 * throwaway server behind /dev/test that utests crashes on purpose. A
 * copy that can mint nothing; init's children find its slot in
 * LOUPE_CAPS=srvtest=N.
 */
static void servers_test_cap(void)
{
	char env[32];
	long slot = ipc_cap_mint(BOOT_SLOT_SRVCTL, 1ull << SRV_TEST, 0);

	if (slot < 0)
		return;
	snprintf(env, sizeof(env), "srvtest=%ld", slot);
	setenv("LOUPE_CAPS", env, 1);
}

/*
 * Start the VFS, then the console (COM1's ports 0x3f8-0x3ff and IRQ 4).
 * Returns a mask of the servers that are up (1 << enum srv_id).
 */
unsigned servers_start_all(void)
{
	char caps[96];
	long port = ioport_grant(BOOT_SLOT_IOPORT, 0x3f8, 8);
	long irq = irq_grant(BOOT_SLOT_IRQ, 4);
	unsigned up = 0;

	snprintf(caps, sizeof(caps), "srvctl=%d,initrd=%d", BOOT_SLOT_SRVCTL,
		 BOOT_SLOT_INITRD);
	if (!servers_start("/sbin/vfs", caps))
		up |= 1u << SRV_VFS;
	snprintf(caps, sizeof(caps), "srvctl=%d,ioport=%ld,irq=%ld",
		 BOOT_SLOT_SRVCTL, port, irq);
	if (port >= 0 && irq >= 0 && !servers_start("/sbin/console", caps))
		up |= 1u << SRV_CONSOLE;
	if (port >= 0)
		ipc_cap_drop(port);
	if (irq >= 0)
		ipc_cap_drop(irq);
	servers_test_cap();
	for (int slot = 0; slot < BOOT_SLOTS; slot++)
		ipc_cap_drop(slot);
	return up;
}
