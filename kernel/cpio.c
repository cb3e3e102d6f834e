/*
 * newc cpio reader (see cpio.h). An entry is a 110-byte ASCII header (magic
 * and thirteen 8-digit hex fields), the name with its NUL, padding to 4,
 * the data, padding to 4. Every length is compared with what is left of
 * the archive before anything is read, so the archive's length, not its
 * contents, bounds every access.
 */
#include "cpio.h"
#include "string.h"

#define CPIO_HDR_LEN	110
#define CPIO_MAGIC_LEN	6

/* The header's hex fields, in archive order. */
enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_NR
};

static const char *const cpio_errs[CPIO_NR_ERRS] = {
	[CPIO_OK] = "ok",
	[CPIO_ETRUNC] = "truncated archive (entry runs past the end)",
	[CPIO_EMAGIC] = "bad magic (not a newc cpio header)",
	[CPIO_EHEX] = "bad header field (not 8 hex digits)",
	[CPIO_ENAME] = "bad name (empty, too long or not NUL-terminated)",
	[CPIO_ECHECK] = "checksum mismatch (070702 entry)",
	[CPIO_ENOTRAILER] = "archive ends without TRAILER!!!",
	[CPIO_ENOENT] = "no such entry",
};

/* Accepts a negated or plain code. */
const char *cpio_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err >= CPIO_NR_ERRS)
		return "unknown cpio error";
	return cpio_errs[err];
}

static int cpio_hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];

		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -CPIO_EHEX;
		v = v << 4 | c;
	}
	*out = v;
	return 0;
}

static size_t cpio_pad4(size_t x)
{
	return ALIGN_UP(x, (size_t)4);
}

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len)
{
	it->base = archive;
	it->len = len;
	it->off = 0;
	it->state = 0;
}

/* Parse the header at it->off into @f; checks only the header's bytes. */
static int cpio_header(const struct cpio_iter *it, uint32_t f[F_NR],
		       bool *crc)
{
	const uint8_t *h = it->base + it->off;

	if (it->len - it->off < CPIO_HDR_LEN)
		return it->len == it->off ? -CPIO_ENOTRAILER : -CPIO_ETRUNC;
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return -CPIO_EMAGIC;
	*crc = h[5] == '2';
	for (int i = 0; i < F_NR; i++) {
		if (cpio_hex8(h + CPIO_MAGIC_LEN + 8 * i, &f[i]))
			return -CPIO_EHEX;
	}
	return 0;
}

static uint32_t cpio_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	while (n--)
		sum += *p++;
	return sum;
}

static bool cpio_has_nul(const char *s, size_t n)
{
	while (n--) {
		if (*s++ == '\0')
			return true;
	}
	return false;
}

/* Fill @e from header fields @f; name and data are checked in bounds. */
static int cpio_entry_fill(const struct cpio_iter *it, const uint32_t *f,
			   bool crc, struct cpio_entry *e)
{
	size_t name_off = it->off + CPIO_HDR_LEN;
	size_t nsz = f[F_NAMESIZE];
	size_t data_off;
	const char *name;

	if (nsz == 0 || nsz > CPIO_NAME_MAX)
		return -CPIO_ENAME;
	if (it->len - name_off < nsz)
		return -CPIO_ETRUNC;
	name = (const char *)it->base + name_off;
	if (name[nsz - 1] != '\0' || cpio_has_nul(name, nsz - 1))
		return -CPIO_ENAME;
	data_off = cpio_pad4(name_off + nsz);
	if (data_off > it->len || it->len - data_off < f[F_FILESIZE])
		return -CPIO_ETRUNC;
	e->name = name;
	e->namelen = nsz - 1;
	e->data = it->base + data_off;
	e->size = f[F_FILESIZE];
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	/* As Linux and GNU cpio do: only a regular file's data is summed. */
	if (crc && cpio_is_reg(e) && cpio_sum(e->data, e->size) != f[F_CHECK])
		return -CPIO_ECHECK;
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->rdevmajor = f[F_RDEVMAJOR];
	e->rdevminor = f[F_RDEVMINOR];
	return 0;
}

/*
 * Read the next entry into @e.
 * Returns 1 with @e filled, 0 at the trailer (and on every later call), or
 * a negated enum cpio_err; an error is sticky. Padding after the trailer is
 * never looked at.
 */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	uint32_t f[F_NR];
	bool crc;
	int err;

	if (it->state)
		return it->state > 0 ? 0 : it->state;
	err = cpio_header(it, f, &crc);
	if (!err)
		err = cpio_entry_fill(it, f, crc, e);
	if (err) {
		it->state = err;
		return err;
	}
	if (e->namelen == sizeof(CPIO_TRAILER) - 1 &&
	    !memcmp(e->name, CPIO_TRAILER, e->namelen)) {
		it->state = 1;
		return 0;
	}
	/* Cannot pass len: the data ended inside the archive. */
	it->off = MIN(cpio_pad4((size_t)((const uint8_t *)e->data - it->base) +
				e->size), it->len);
	return 1;
}

/*
 * Find the entry named exactly @name (as stored: "bin/sh", not "/bin/sh").
 * Returns 0 with @e filled, -CPIO_ENOENT, or the archive's error if it is
 * malformed before @name is reached.
 */
int cpio_find(const void *archive, size_t len, const char *name,
	      struct cpio_entry *e)
{
	struct cpio_iter it;
	int r;

	cpio_iter_init(&it, archive, len);
	while ((r = cpio_next(&it, e)) > 0) {
		if (!strcmp(e->name, name))
			return 0;
	}
	return r < 0 ? r : -CPIO_ENOENT;
}

/* Walk the whole archive. Returns 0 (and the count), or the first error. */
int cpio_validate(const void *archive, size_t len, size_t *nentries)
{
	struct cpio_iter it;
	struct cpio_entry e;
	size_t n = 0;
	int r;

	cpio_iter_init(&it, archive, len);
	while ((r = cpio_next(&it, &e)) > 0)
		n++;
	if (nentries)
		*nentries = n;
	return r;
}
