/* init's parts (init.c, servers.c). */
#ifndef USERLAND_INIT_H
#define USERLAND_INIT_H

int init_reap_until(int pid);
unsigned servers_start_all(void);

#endif
