"""Symbol tables of 64-bit little-endian ELF files, read with struct.

Part of hotcheck: it needs, for the linked kernel and for each object,
every symbol with its section name, type, binding and the STT_FILE group
it sits in (how locals of one object are told apart from another's).
Pure: parse_symbols() takes bytes and returns data.
"""

import collections
import struct

STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION, STT_FILE = range(5)
STB_LOCAL = 0
SHN_UNDEF, SHN_LORESERVE = 0, 0xff00
SHT_SYMTAB = 2
SHT_NOBITS = 8
SHF_EXECINSTR = 0x4

Symbol = collections.namedtuple(
    "Symbol", "name value size type bind section exec file index")


class ElfError(Exception):
    pass


def _sections(data):
    if data[:4] != b"\x7fELF":
        raise ElfError("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise ElfError("not a 64-bit little-endian ELF file")
    if len(data) < 64:
        raise ElfError("truncated ELF header")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    if shentsize != 64 or shoff + shnum * 64 > len(data):
        raise ElfError("truncated or bad section headers")
    shdrs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * 64)
             for i in range(shnum)]
    return shdrs, shstrndx


def _cstr(data, off):
    end = data.find(b"\0", off)
    if end < 0:
        raise ElfError("unterminated string at offset %#x" % off)
    return data[off:end].decode("utf-8", "replace")


def parse_symbols(data):
    """All symbols of the ELF image @data, in symbol-table order.

    Each Symbol's `file` is the name of the STT_FILE symbol that precedes
    it (None for globals and for locals before any STT_FILE)."""
    shdrs, shstrndx = _sections(data)
    stroff = shdrs[shstrndx][4] if shstrndx < len(shdrs) else 0
    names = [_cstr(data, stroff + h[0]) if stroff else "" for h in shdrs]
    symtab = [h for h in shdrs if h[1] == SHT_SYMTAB]
    if not symtab:
        raise ElfError("no symbol table")
    _, _, _, _, off, size, link, _, _, entsize = symtab[0]
    if entsize != 24 or off + size > len(data) or link >= len(shdrs):
        raise ElfError("bad symbol table")
    strtab = shdrs[link][4]
    out, cur_file = [], None
    for i in range(1, size // 24):
        st_name, info, _, shndx, value, sz = struct.unpack_from(
            "<IBBHQQ", data, off + i * 24)
        typ, bind = info & 0xf, info >> 4
        name = _cstr(data, strtab + st_name)
        if typ == STT_FILE:
            cur_file = name
        defined = SHN_UNDEF < shndx < SHN_LORESERVE and shndx < len(shdrs)
        section = names[shndx] if defined else None
        exec_ = defined and bool(shdrs[shndx][2] & SHF_EXECINSTR)
        file_ = cur_file if bind == STB_LOCAL else None
        out.append(Symbol(name, value, sz, typ, bind, section, exec_,
                          file_, i))
    return out


class Image:
    """Read the loaded contents of a linked ELF image by address."""

    def __init__(self, data):
        shdrs, _ = _sections(data)
        self.data = data
        self.ranges = [(h[3], h[5], h[4]) for h in shdrs
                       if h[3] and h[1] != SHT_NOBITS]

    def read_qword(self, addr):
        for start, size, off in self.ranges:
            if start <= addr and addr + 8 <= start + size:
                return struct.unpack_from("<Q", self.data,
                                          off + addr - start)[0]
        return None


def read_symbols(path):
    with open(path, "rb") as f:
        return parse_symbols(f.read())


def is_code(sym):
    """A function or an assembly label in an executable section."""
    return (sym.exec and sym.type in (STT_FUNC, STT_NOTYPE) and sym.name
            and not sym.name.startswith(".L"))
