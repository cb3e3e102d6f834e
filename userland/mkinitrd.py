#!/usr/bin/env python3
"""Build Loupe's initrd: a newc (070701) cpio archive, byte-for-byte
reproducible (inodes numbered in order, mtime 0, owner root).

    mkinitrd.py -o build/initrd.cpio --dir dev \\
        --file init=build/userland/init:0755 --tree rootfs/

--dir PATH            an empty directory (mode 0755)
--file DEST=SRC[:MODE] a regular file; MODE in octal, default 0644
--tree DIR            every file, directory and symlink under DIR
Parent directories are added as needed; names are stored without a
leading "/". kernel/cpio.c reads the result.
"""

import argparse
import os
import stat
import sys

S_IFDIR = 0o040000
S_IFREG = 0o100000
S_IFLNK = 0o120000
TRAILER = "TRAILER!!!"


def pad4(n):
    return (4 - n % 4) % 4


def newc_entry(ino, name, mode, data, nlink=1):
    """One newc entry: header, name, padding, data, padding."""
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0,
              len(name.encode()) + 1, 0]
    head = b"070701" + b"".join(b"%08x" % f for f in fields)
    namez = name.encode() + b"\0"
    out = head + namez + b"\0" * pad4(len(head) + len(namez))
    return out + data + b"\0" * pad4(len(data))


class Archive:
    """Entries by name, kept in insertion order; parents added first."""

    def __init__(self):
        self.entries = {}

    def add(self, name, mode, data=b""):
        name = name.strip("/")
        if not name or name in (".", ".."):
            raise ValueError("bad archive name %r" % name)
        parent = os.path.dirname(name)
        if parent and parent not in self.entries:
            self.add(parent, S_IFDIR | 0o755)
        if name in self.entries:
            if stat.S_ISDIR(mode) and stat.S_ISDIR(self.entries[name][0]):
                return
            raise ValueError("duplicate archive name %r" % name)
        self.entries[name] = (mode, data)

    def add_tree(self, root):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel = os.path.relpath(dirpath, root)
            for n in dirnames + sorted(filenames):
                self.add_path(os.path.join(dirpath, n),
                              os.path.normpath(os.path.join(rel, n)))

    def add_path(self, path, name):
        st = os.lstat(path)
        perm = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            self.add(name, S_IFLNK | 0o777, os.readlink(path).encode())
        elif stat.S_ISDIR(st.st_mode):
            self.add(name, S_IFDIR | perm)
        elif stat.S_ISREG(st.st_mode):
            with open(path, "rb") as f:
                self.add(name, S_IFREG | perm, f.read())
        else:
            raise ValueError("%s: not a file, directory or symlink" % path)

    def bytes(self):
        out = [newc_entry(ino, name, mode, data,
                          2 if stat.S_ISDIR(mode) else 1)
               for ino, (name, (mode, data))
               in enumerate(self.entries.items(), 1)]
        out.append(newc_entry(0, TRAILER, 0, b""))
        blob = b"".join(out)
        return blob + b"\0" * ((512 - len(blob) % 512) % 512)


def parse_file_arg(arg):
    dest, sep, src = arg.partition("=")
    if not sep or not dest or not src:
        raise ValueError("--file wants DEST=SRC[:MODE], got %r" % arg)
    mode = 0o644
    if ":" in src:
        src, m = src.rsplit(":", 1)
        mode = int(m, 8)
    return dest, src, mode


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--dir", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("--tree", action="append", default=[])
    args = ap.parse_args(argv)
    arc = Archive()
    try:
        for d in args.dir:
            arc.add(d, S_IFDIR | 0o755)
        for f in args.file:
            dest, src, mode = parse_file_arg(f)
            with open(src, "rb") as fh:
                arc.add(dest, S_IFREG | mode, fh.read())
        for t in args.tree:
            arc.add_tree(t)
    except (OSError, ValueError) as e:
        print("mkinitrd: %s" % e, file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(arc.bytes())
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
