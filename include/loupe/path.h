/*
 * Path normalization shared by the kernel (file.c: a process's paths
 * against its cwd) and the VFS server (ramfs.c: symlink targets against
 * the link's directory), so both read ".", ".." and "//" alike.
 * Self-contained: no libc, usable freestanding.
 */
#ifndef LOUPE_PATH_H
#define LOUPE_PATH_H

/*
 * Append path's components to the n bytes already in out, each as
 * "/name", skipping empty and "." components and letting ".." drop the
 * last one (never past out's start). Returns the new length (out is not
 * terminated), or -1 if it would not fit, with its NUL, in max bytes.
 */
static inline long path_append(char *out, unsigned long n, const char *path,
			       unsigned long max)
{
	while (*path) {
		const char *s;
		unsigned long len;

		while (*path == '/')
			path++;
		for (s = path; *path && *path != '/'; path++)
			;
		len = path - s;
		if (!len || (len == 1 && s[0] == '.'))
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (n && out[--n] != '/')
				;
			continue;
		}
		if (n + 1 + len >= max)
			return -1;
		out[n++] = '/';
		__builtin_memcpy(out + n, s, len);
		n += len;
	}
	return n;
}

#endif
