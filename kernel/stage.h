/* Boot-stage markers (stage.c); the catalog is generated into stages.h. */
#ifndef KERNEL_STAGE_H
#define KERNEL_STAGE_H

#include "types.h"
#include "stages.h"

void stage_mark(enum stage_id id);
bool stage_passed(enum stage_id id);
extern bool stage_exit;

#endif
