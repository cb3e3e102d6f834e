/*
 * Reads a kernel ELF's .symtab with libelf into a sorted array so that
 * trace2perfetto can name the addresses in exception and fault records.
 * Only functions and untyped labels (assembly entry points) are kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksym.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static int ksym_wanted(const GElf_Sym *s)
{
	int type = GELF_ST_TYPE(s->st_info);

	return s->st_shndx != SHN_UNDEF && s->st_value &&
	       (type == STT_FUNC || type == STT_NOTYPE);
}

/* Copy the wanted symbols of one SHT_SYMTAB section into @t. */
static int ksym_read_section(struct ksym_table *t, Elf *elf, Elf_Scn *scn,
			     const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t count = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	size_t bytes = 0, at = 0;
	GElf_Sym s;

	if (!data)
		return -EINVAL;
	for (size_t i = 0; i < count && gelf_getsym(data, (int)i, &s); i++) {
		if (ksym_wanted(&s))
			bytes += strlen(elf_strptr(elf, sh->sh_link, s.st_name)) + 1;
	}
	t->syms = calloc(count ? count : 1, sizeof(*t->syms));
	t->names = malloc(bytes ? bytes : 1);
	if (!t->syms || !t->names)
		return -ENOMEM;
	for (size_t i = 0; i < count && gelf_getsym(data, (int)i, &s); i++) {
		const char *name = elf_strptr(elf, sh->sh_link, s.st_name);

		if (!ksym_wanted(&s) || !name || !*name)
			continue;
		strcpy(t->names + at, name);
		t->syms[t->n++] = (struct ksym){ s.st_value, s.st_size,
						 t->names + at };
		at += strlen(name) + 1;
	}
	qsort(t->syms, t->n, sizeof(*t->syms), ksym_cmp);
	return 0;
}

/* Keep the GNU build-id from a SHT_NOTE section, if this is it. */
static void ksym_read_note(struct ksym_table *t, Elf_Scn *scn)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (data && (off = gelf_getnote(data, off, &nh, &name_off,
					   &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)data->d_buf + name_off, "GNU", 4)) {
			memcpy(t->build_id, (char *)data->d_buf + desc_off,
			       nh.n_descsz < 20 ? nh.n_descsz : 20);
			return;
		}
	}
}

/*
 * Load the function symbols of the ELF file at @path.
 * Returns 0, or -errno with a message in @err.
 */
int ksym_load(struct ksym_table *t, const char *path, char *err, size_t errlen)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *elf;
	int fd, ret = -ENOENT;

	memset(t, 0, sizeof(*t));
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		snprintf(err, errlen, "%s: %s", path, elf_errmsg(-1));
		goto out_close;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_NOTE)
			ksym_read_note(t, scn);
		else if (sh.sh_type == SHT_SYMTAB && ret == -ENOENT)
			ret = ksym_read_section(t, elf, scn, &sh);
	}
	if (ret == -ENOENT)
		snprintf(err, errlen, "%s: no .symtab", path);
	else if (ret)
		snprintf(err, errlen, "%s: cannot read symbols", path);
	elf_end(elf);
out_close:
	close(fd);
	return ret;
}

void ksym_free(struct ksym_table *t)
{
	free(t->syms);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* The symbol containing @addr (or the nearest below, if it has no size). */
const struct ksym *ksym_find(const struct ksym_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;
	const struct ksym *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &t->syms[lo - 1];
	if (s->size && addr - s->addr >= s->size)
		return NULL;
	return s;
}

/* "name+0xoff", or the bare hex address when nothing contains it. */
void ksym_format(const struct ksym_table *t, uint64_t addr, char *buf,
		 size_t len)
{
	const struct ksym *s = ksym_find(t, addr);

	if (!s)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else if (addr == s->addr)
		snprintf(buf, len, "%s", s->name);
	else
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, addr - s->addr);
}
