/*
 * Host tests for kernel/cpio.c against archives of one small tree made by
 * GNU cpio (newc and crc formats) and by userland/mkinitrd.py (the build
 * rule in kernel/linux/build.mk makes them in CPIO_FIXTURE). Every prefix
 * and many corruptions of a real archive are parsed from exact-size heap
 * copies, so ASan catches any read past the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "cpio.h"

struct blob {
	uint8_t *p;
	size_t len;
};

/* What the fixture tree holds; the archives may list it in any order. */
struct want {
	const char *name;
	uint32_t type;
	size_t size;
};

static const struct want tree[] = {
	{ "a.txt", CPIO_S_IFREG, 6 },
	{ "dir", CPIO_S_IFDIR, 0 },
	{ "dir/b.bin", CPIO_S_IFREG, 1000 },
	{ "empty", CPIO_S_IFREG, 0 },
	{ "link", CPIO_S_IFLNK, 5 },
};

static struct blob load(const char *name)
{
	char path[512];
	struct blob b = { 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", CPIO_FIXTURE, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	rewind(f);
	b.len = n;
	b.p = malloc(b.len ? b.len : 1);
	if (fread(b.p, 1, b.len, f) != b.len)
		exit(2);
	fclose(f);
	return b;
}

/* A heap copy of exactly @len bytes: ASan flags a read past it. */
static uint8_t *exact_copy(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	memcpy(c, p, len);
	return c;
}

/* Does @e match the tree, data included? */
static bool entry_ok(const struct cpio_entry *e)
{
	const uint8_t *d = e->data;

	for (size_t i = 0; i < ARRAY_SIZE(tree); i++) {
		if (strcmp(e->name, tree[i].name))
			continue;
		if ((e->mode & CPIO_S_IFMT) != tree[i].type ||
		    e->size != tree[i].size || e->namelen != strlen(e->name))
			return false;
		if (!strcmp(e->name, "a.txt"))
			return !memcmp(d, "hello\n", 6);
		if (!strcmp(e->name, "link"))
			return !memcmp(d, "a.txt", 5);
		for (size_t j = 0; j < e->size; j++) {
			if (d[j] != (uint8_t)(j * 7))
				return false;
		}
		return true;
	}
	return false;
}

/* Walk @b whole: every entry right, each tree name once, then trailer. */
static bool archive_ok(const struct blob *b)
{
	struct cpio_iter it;
	struct cpio_entry e;
	unsigned seen = 0, n = 0;
	int r;

	cpio_iter_init(&it, b->p, b->len);
	while ((r = cpio_next(&it, &e)) > 0) {
		if (!entry_ok(&e))
			return false;
		for (size_t i = 0; i < ARRAY_SIZE(tree); i++) {
			if (!strcmp(e.name, tree[i].name))
				seen |= 1u << i;
		}
		n++;
	}
	return r == 0 && n == ARRAY_SIZE(tree) &&
	       seen == (1u << ARRAY_SIZE(tree)) - 1 && cpio_next(&it, &e) == 0;
}

TEST(newc_by_gnu_cpio)
{
	struct blob b = load("newc.cpio");

	CHECK(archive_ok(&b));
	free(b.p);
}

TEST(crc_by_gnu_cpio)
{
	struct blob b = load("crc.cpio");

	CHECK(b.p[5] == '2');
	CHECK(archive_ok(&b));
	free(b.p);
}

TEST(newc_by_mkinitrd)
{
	struct blob b = load("mk.cpio");
	size_t n;

	CHECK(archive_ok(&b));
	CHECK_EQ(cpio_validate(b.p, b.len, &n), 0);
	CHECK_EQ(n, ARRAY_SIZE(tree));
	free(b.p);
}

TEST(find)
{
	struct blob b = load("newc.cpio");
	struct cpio_entry e;

	CHECK_EQ(cpio_find(b.p, b.len, "dir/b.bin", &e), 0);
	CHECK(cpio_is_reg(&e) && e.size == 1000);
	CHECK_EQ(cpio_find(b.p, b.len, "dir", &e), 0);
	CHECK(cpio_is_dir(&e));
	CHECK_EQ(cpio_find(b.p, b.len, "link", &e), 0);
	CHECK(cpio_is_symlink(&e));
	CHECK_EQ(cpio_find(b.p, b.len, "nope", &e), -CPIO_ENOENT);
	CHECK_EQ(cpio_find(b.p, b.len, "/a.txt", &e), -CPIO_ENOENT);
	CHECK_EQ(cpio_find(b.p, 0, "a.txt", &e), -CPIO_ENOTRAILER);
	free(b.p);
}

/* Offset of the byte just past the trailer entry's name padding. */
static size_t trailer_end(const struct blob *b)
{
	struct cpio_iter it;
	struct cpio_entry e;

	cpio_iter_init(&it, b->p, b->len);
	while (cpio_next(&it, &e) > 0)
		;
	return ALIGN_UP(it.off + 110 + sizeof(CPIO_TRAILER), (size_t)4);
}

/* Every prefix: a clean error, entries before it intact, never an overread. */
static bool truncations_ok(const char *file)
{
	struct blob b = load(file);
	size_t full = trailer_end(&b);

	for (size_t len = 0; len <= b.len; len++) {
		uint8_t *p = exact_copy(b.p, len);
		struct cpio_iter it;
		struct cpio_entry e;
		int r = 0;
		bool ok = true;

		cpio_iter_init(&it, p, len);
		while (ok && (r = cpio_next(&it, &e)) > 0)
			ok = entry_ok(&e);
		if (len >= full ? r != 0 :
		    (r != -CPIO_ETRUNC && r != -CPIO_ENOTRAILER))
			ok = false;
		free(p);
		if (!ok) {
			fprintf(stderr, "%s: prefix %zu: %s\n", file, len,
				cpio_strerror(r));
			free(b.p);
			return false;
		}
	}
	free(b.p);
	return true;
}

TEST(truncate_every_offset)
{
	CHECK(truncations_ok("newc.cpio"));
	CHECK(truncations_ok("crc.cpio"));
	CHECK(truncations_ok("mk.cpio"));
}

/* Parse @b with byte @off set to @v; returns cpio_validate()'s result. */
static int with_byte(const struct blob *b, size_t off, uint8_t v)
{
	uint8_t *p = exact_copy(b->p, b->len);
	int r;

	p[off] = v;
	r = cpio_validate(p, b->len, NULL);
	free(p);
	return r;
}

/* Set header field @field (0 = ino ... 11 = namesize) of the first entry. */
static int with_field(const struct blob *b, int field, const char *hex8)
{
	uint8_t *p = exact_copy(b->p, b->len);
	int r;

	memcpy(p + 6 + 8 * field, hex8, 8);
	r = cpio_validate(p, b->len, NULL);
	free(p);
	return r;
}

TEST(malformed)
{
	struct blob b = load("newc.cpio");
	struct blob c = load("crc.cpio");
	struct cpio_entry e;

	CHECK_EQ(with_byte(&b, 0, 'x'), -CPIO_EMAGIC);
	CHECK_EQ(with_byte(&b, 5, '7'), -CPIO_EMAGIC);
	CHECK_EQ(with_byte(&b, 6, 'g'), -CPIO_EHEX);
	CHECK_EQ(with_byte(&b, 13, ' '), -CPIO_EHEX);
	CHECK_EQ(with_field(&b, 11, "00000000"), -CPIO_ENAME);
	CHECK_EQ(with_field(&b, 11, "00001001"), -CPIO_ENAME);
	CHECK_EQ(with_field(&b, 11, "00000003"), -CPIO_ENAME);
	CHECK_EQ(with_field(&b, 6, "ffffffff"), -CPIO_ETRUNC);
	CHECK_EQ(with_byte(&b, 110, '\0'), -CPIO_ENAME);
	/* One data byte of a.txt changed under its 070702 checksum. */
	CHECK_EQ(cpio_find(c.p, c.len, "a.txt", &e), 0);
	CHECK_EQ(with_byte(&c, (const uint8_t *)e.data - c.p, 'j'),
		 -CPIO_ECHECK);
	free(b.p);
	free(c.p);
}

TEST(error_is_sticky)
{
	struct blob b = load("newc.cpio");
	struct cpio_iter it;
	struct cpio_entry e;

	b.p[0] = 'x';
	cpio_iter_init(&it, b.p, b.len);
	CHECK_EQ(cpio_next(&it, &e), -CPIO_EMAGIC);
	b.p[0] = '0';
	CHECK_EQ(cpio_next(&it, &e), -CPIO_EMAGIC);
	free(b.p);
}

/* Every byte set to a few hostile values: an error or a sane walk. */
TEST(fuzz_every_byte)
{
	static const uint8_t vals[] = { 0, '0', '7', 'f', 'F', 0xff };
	struct blob b = load("mk.cpio");
	size_t full = trailer_end(&b);

	for (size_t off = 0; off < full; off++) {
		for (size_t v = 0; v < sizeof(vals); v++) {
			uint8_t *p = exact_copy(b.p, b.len);
			struct cpio_iter it;
			struct cpio_entry e;
			int r;

			p[off] = vals[v];
			cpio_iter_init(&it, p, b.len);
			while ((r = cpio_next(&it, &e)) > 0) {
				CHECK((const uint8_t *)e.data >= p);
				CHECK((const uint8_t *)e.data + e.size <=
				      p + b.len);
				CHECK(e.name[e.namelen] == '\0');
			}
			CHECK(r <= 0 && r > -CPIO_NR_ERRS);
			free(p);
		}
	}
	free(b.p);
}

TEST(strerror_names_all)
{
	for (int i = 0; i < CPIO_NR_ERRS; i++) {
		CHECK(cpio_strerror(-i) != NULL);
		CHECK(strcmp(cpio_strerror(-i), "unknown cpio error"));
	}
	CHECK(!strcmp(cpio_strerror(CPIO_NR_ERRS), "unknown cpio error"));
}

static const struct harness_test tests[] = {
	T(newc_by_gnu_cpio),
	T(crc_by_gnu_cpio),
	T(newc_by_mkinitrd),
	T(find),
	T(truncate_every_offset),
	T(malformed),
	T(error_is_sticky),
	T(fuzz_every_byte),
	T(strerror_names_all),
};

HARNESS_MAIN("cpio", tests)
