/*
 * Finding a kernel symbol's guest-physical address with libelf: the
 * symbol's virtual address from .symtab, translated through the PT_LOAD
 * segment that holds it (p_vaddr -> p_paddr), so no offset is copied
 * from the kernel's linker script.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tracecap.h"

static int kelf_find(Elf *elf, const char *name, GElf_Sym *out)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(data, (int)i, &s))
				break;
			n = elf_strptr(elf, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name)) {
				*out = s;
				return 0;
			}
		}
	}
	return -1;
}

static int kelf_to_phys(Elf *elf, uint64_t va, uint64_t *pa)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (va >= ph.p_vaddr && va < ph.p_vaddr + ph.p_memsz) {
			*pa = ph.p_paddr + (va - ph.p_vaddr);
			return 0;
		}
	}
	return -1;
}

/*
 * The guest-physical address and size of symbol @name in the ELF at
 * @path. Returns 0, or -1 with a message in @err.
 */
int kelf_symbol_phys(const char *path, const char *name, uint64_t *phys,
		     uint64_t *size, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY), ret = -1;
	Elf *elf;
	GElf_Sym s;

	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
		return -1;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		snprintf(err, errlen, "%s: %s", path, elf_errmsg(-1));
	else if (kelf_find(elf, name, &s))
		snprintf(err, errlen, "%s: no symbol %s (tracing not built in?)",
			 path, name);
	else if (kelf_to_phys(elf, s.st_value, phys))
		snprintf(err, errlen, "%s: %s at %#lx is in no PT_LOAD segment",
			 path, name, (unsigned long)s.st_value);
	else {
		*size = s.st_size;
		ret = 0;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}
