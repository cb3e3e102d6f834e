/*
 * auxv: print what the kernel put on the initial stack (argc, argv, envp
 * and the auxiliary vector musl reads) and prove TLS works, then end with
 * "auxv: done". The host test of kernel/elf.c runs it (static and static
 * PIE) from a stack built by elf_stack_build(); in the guest it is the
 * argv/envp/auxv self-test.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;

/* musl lays out TLS from PT_TLS, found through AT_PHDR/AT_PHNUM. */
static __thread int tls_data = 42;
static __thread char tls_bss[64];

static void auxv_print(void)
{
	const unsigned char *rnd = (const void *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	printf("auxv: pagesz=%lu phent=%lu phnum=%lu entry=%s\n",
	       getauxval(AT_PAGESZ), getauxval(AT_PHENT), getauxval(AT_PHNUM),
	       getauxval(AT_ENTRY) ? "set" : "missing");
	printf("auxv: uid=%lu euid=%lu gid=%lu egid=%lu secure=%lu\n",
	       getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID),
	       getauxval(AT_EGID), getauxval(AT_SECURE));
	printf("auxv: random=%02x%02x%02x%02x execfn=%s\n",
	       rnd ? rnd[0] : 0, rnd ? rnd[1] : 0, rnd ? rnd[2] : 0,
	       rnd ? rnd[15] : 0, execfn ? execfn : "(none)");
}

static int auxv_tls_ok(void)
{
	for (size_t i = 0; i < sizeof(tls_bss); i++) {
		if (tls_bss[i])
			return 0;
	}
	tls_bss[0] = 1;
	return tls_data == 42;
}

int main(int argc, char **argv)
{
	printf("auxv: argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("auxv: argv[%d]=%s\n", i, argv[i]);
	for (int i = 0; environ[i]; i++)
		printf("auxv: envp[%d]=%s\n", i, environ[i]);
	auxv_print();
	printf("auxv: tls %s\n", auxv_tls_ok() ? "ok" : "BROKEN");
	printf("auxv: done\n");
	return 0;
}
