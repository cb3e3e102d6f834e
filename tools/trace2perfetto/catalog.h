/*
 * The boot-stage catalog (boot-stages/stages.catalog) as trace2perfetto
 * needs it: stage number -> id and console marker. Stage numbers are the
 * kernel's enum stage_id, i.e. catalog order counting from 0.
 */
#ifndef T2P_CATALOG_H
#define T2P_CATALOG_H

#include <stddef.h>

struct catalog_stage {
	char *id;
	char *marker;
};

struct catalog {
	struct catalog_stage *stages;
	size_t n;
	char *text;		/* the file, cut in place into the strings */
};

int catalog_parse(struct catalog *c, char *text, char *err, size_t errlen);
int catalog_load(struct catalog *c, const char *path, char *err, size_t errlen);
void catalog_free(struct catalog *c);

#endif
