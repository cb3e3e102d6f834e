/* Boot-time self-tests, run by the kinit thread (selftest.c). */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

void selftest_main(void *unused);
void bench_main(void);
void panictest_start(const char *what);

#endif
