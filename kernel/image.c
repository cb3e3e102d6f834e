/*
 * Executable images: the bytes execve loads. Once the VFS server runs,
 * they come from it, so a program written at run time, or reached
 * through a symlink, runs as it would on Linux; before that (PID 1, and
 * the quiet kernel test modes that start no servers) from the initrd.
 *
 * A file from the VFS is read whole into pages of the kernel's own (a
 * static ELF is loaded by copying its segments, kernel/proc.c), a 16 KiB
 * request slot at a time. It must be a regular file with an execute bit
 * (EACCES otherwise, as Linux says) and at most IMAGE_MAX (4 MiB) bytes,
 * ENOMEM beyond: a static BusyBox is about 1.2 MB.
 */
#include "image.h"
#include "bootinfo.h"
#include "cpio.h"
#include "file.h"
#include "pmm.h"
#include "srv.h"
#include "string.h"
#include <arch/mmu.h>
#include <loupe/fsproto.h>
#include <loupe/native.h>

/* Read into one block of the page allocator: 4 MiB at most for now. */
#define IMAGE_MAX	(PAGE_SIZE << PMM_MAX_ORDER)

_Static_assert(PATH_MAX <= FS_SLOT_SIZE / 2 && CWD_MAX <= FS_SLOT_SIZE / 2,
	       "a request slot holds the path and the cwd it is resolved in");

/* The initrd's bytes for path, or -ENOENT. */
static int image_initrd(const char *path, struct image *img)
{
	struct cpio_entry e;

	if (!boot_info.nmods)
		return -ENOENT;
	while (*path == '/')
		path++;
	if (cpio_find(phys_to_virt(boot_info.mods[0].base),
		      boot_info.mods[0].len, path, &e) || !cpio_is_reg(&e))
		return -ENOENT;
	img->data = e.data;
	img->size = e.size;
	img->pages = NULL;
	return 0;
}

/* Read the open file @handle (@size bytes) into fresh pages. */
static int image_read(struct srv_call *c, uint64_t handle, size_t size,
		      struct image *img)
{
	uint64_t out[3];
	size_t done = 0;

	img->order = pmm_order(size);
	img->pages = pmm_alloc_virt(img->order);
	if (!img->pages)
		return -ENOMEM;
	while (done < size) {
		size_t want = MIN(size - done, FS_SLOT_SIZE);
		long n = srv_rpc(c, FS_READ, handle, want, done, out);

		if (n <= 0 || (size_t)n > want) {
			pmm_free_virt(img->pages, img->order);
			img->pages = NULL;
			return n < 0 ? (int)n : -EIO;	/* changed while read */
		}
		memcpy(img->pages + done, c->buf, n);
		done += n;
	}
	img->data = img->pages;
	img->size = size;
	return 0;
}

/* Open @abs (absolute, normalized) on the VFS in @c and read it whole. */
static int image_vfs(struct srv_call *c, struct image *img)
{
	uint64_t out[3];
	long handle = srv_rpc(c, FS_OPEN, 0, O_RDONLY, 0, out);
	long size;
	int err;

	if (handle < 0)
		return handle;
	if (out[1] != SRV_VFS || (out[2] & S_IFMT) != S_IFREG ||
	    !(out[2] & 0111))
		err = -EACCES;
	else if ((size = srv_rpc(c, FS_SIZE, handle, 0, 0, out)) < 0)
		err = size;
	else if ((size_t)size > IMAGE_MAX)
		err = -ENOMEM;
	else
		err = image_read(c, handle, size, img);
	/* Another server's handles (the console's) were never opened. */
	if (out[1] == SRV_VFS)
		srv_close(c, handle);
	return err;
}

/*
 * The image at @path (relative to the caller's cwd). 0, or -errno:
 * ENOENT, EACCES, ENOMEM, ENAMETOOLONG, EIO, ERESTARTSYS (killed, or a
 * signal to take: execve restarts).
 */
int image_get(const char *path, struct image *img)
{
	struct srv_call c;
	char *cwd;
	int err;

	if (srv_begin_id(SRV_VFS, &c))
		return image_initrd(path, img);
	/* The slot's second half holds the cwd (a sibling may chdir). */
	cwd = c.buf + FS_SLOT_SIZE / 2;
	file_cwd(cwd);
	err = file_normalize(cwd, path, c.buf, PATH_MAX);
	if (err >= 0)
		err = image_vfs(&c, img);
	srv_end(&c);
	return err;
}

void image_put(struct image *img)
{
	if (img->pages)
		pmm_free_virt(img->pages, img->order);
	img->pages = NULL;
}
