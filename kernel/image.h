/* Executable images (image.c): a program's bytes, from the VFS or the initrd. */
#ifndef KERNEL_IMAGE_H
#define KERNEL_IMAGE_H

#include "types.h"

struct image {
	const void *data;
	size_t size;
	uint8_t *pages;		/* a copy read from the VFS, or NULL */
	unsigned order;		/* of pages */
};

int image_get(const char *path, struct image *img);
void image_put(struct image *img);

#endif
