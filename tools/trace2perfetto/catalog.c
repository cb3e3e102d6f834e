/*
 * Reads the boot-stage catalog at run time, so trace2perfetto names the
 * stages of whatever kernel made the capture without being rebuilt. The
 * format is boot-stages/stage_catalog.py's: "id | min_cpus | marker |
 * meaning | hint", '#' comments and blank lines ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

static char *catalog_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cut one stage line in place; returns 0 or -EINVAL. */
static int catalog_line(struct catalog_stage *st, char *line)
{
	char *f[5];
	int n = 0;

	for (char *p = line; n < 5; n++) {
		f[n] = p;
		p = strchr(p, '|');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n != 5)
		return -EINVAL;
	st->id = catalog_trim(f[0]);
	st->marker = catalog_trim(f[2]);
	return *st->id ? 0 : -EINVAL;
}

/*
 * Parse catalog @text, which @c takes over and cuts in place.
 * Returns 0, or -EINVAL / -ENOMEM with a message naming the line in @err.
 */
int catalog_parse(struct catalog *c, char *text, char *err, size_t errlen)
{
	size_t cap = 64, lineno = 0;
	char *line, *next;

	memset(c, 0, sizeof(*c));
	c->text = text;
	c->stages = malloc(cap * sizeof(*c->stages));
	if (!c->stages)
		return -ENOMEM;
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = catalog_trim(line);
		if (!*line || *line == '#')
			continue;
		if (c->n == cap) {
			void *p = realloc(c->stages, 2 * cap * sizeof(*c->stages));

			if (!p)
				return -ENOMEM;
			c->stages = p;
			cap *= 2;
		}
		if (catalog_line(&c->stages[c->n++], line)) {
			snprintf(err, errlen, "line %zu: expected 5 fields "
				 "(id | min_cpus | marker | meaning | hint)", lineno);
			return -EINVAL;
		}
	}
	return 0;
}

/* Read and parse the catalog file at @path. Returns 0 or -errno. */
int catalog_load(struct catalog *c, const char *path, char *err, size_t errlen)
{
	char msg[160] = "";
	FILE *f = fopen(path, "r");
	long size;
	char *text;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = size >= 0 ? malloc((size_t)size + 1) : NULL;
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(text);
		snprintf(err, errlen, "%s: cannot read", path);
		return -EIO;
	}
	fclose(f);
	text[size] = '\0';
	ret = catalog_parse(c, text, msg, sizeof(msg));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, msg);
	return ret;
}

void catalog_free(struct catalog *c)
{
	free(c->stages);
	free(c->text);
	memset(c, 0, sizeof(*c));
}
