/*
 * The register table generated from GDBREG_LIST, and the helpers the arch
 * part uses to fill a register image by index. Offsets come from the
 * compiler (struct gdbreg_layout), so the table cannot drift from the list.
 */
#include "gdbstub/gdbreg.h"
#include "gdbstub/bytes.h"

#define GDBREG_DESC(id, n, b, t, g, f) \
	[GDBREG_##id] = { .name = n, .type = t, .group = g, .bits = b, \
			  .offset = offsetof(struct gdbreg_layout, id), \
			  .feature = GDBREG_F_##f },
const struct gdbreg_desc gdbreg_table[GDBREG_COUNT] = {
	GDBREG_LIST(GDBREG_DESC)
};
#undef GDBREG_DESC

_Static_assert(GDBREG_IMAGE_SIZE == 672, "g packet layout changed");

/* Bytes of register @regno, or 0 when there is no such register. */
size_t gdbreg_size(int regno)
{
	if (regno < 0 || regno >= GDBREG_COUNT)
		return 0;
	return gdbreg_table[regno].bits / 8;
}

/* Mark every register unavailable; contents are zeroed, never sent. */
void gdbreg_clear(struct gdbreg_image *img)
{
	bytes_fill(img, 0, sizeof(*img));
}

/* Copy gdbreg_size(@regno) little-endian bytes from @val; mark available. */
void gdbreg_set(struct gdbreg_image *img, int regno, const void *val)
{
	size_t n = gdbreg_size(regno);

	if (!n)
		return;
	bytes_copy(img->bytes + gdbreg_table[regno].offset, val, n);
	img->avail[regno] = true;
}

/* Set a register of up to 64 bits from an integer (wider ones zero-extend). */
void gdbreg_set_u64(struct gdbreg_image *img, int regno, uint64_t val)
{
	uint8_t le[GDBREG_MAX_BYTES] = { 0 };

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(val >> (8 * i));
	gdbreg_set(img, regno, le);
}

/* Read back the low 64 bits of an available register. */
bool gdbreg_get_u64(const struct gdbreg_image *img, int regno, uint64_t *val)
{
	size_t n = gdbreg_size(regno);
	const uint8_t *p;

	if (!n || !img->avail[regno])
		return false;
	p = img->bytes + gdbreg_table[regno].offset;
	*val = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		*val |= (uint64_t)p[i] << (8 * i);
	return true;
}
