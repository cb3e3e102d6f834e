/* The PIT and the legacy PIC (pit.c): boot-time only. */
#ifndef ARCH_PIT_H
#define ARCH_PIT_H

void pit_wait_ms(unsigned ms);
void pic_disable(void);

#endif
