#!/bin/sh
# Install the Debian packages Loupe needs to build, run and test, or name the
# apt-get line to run when we are not root. Called by `make` and `.ci/run`.
set -eu

# command:package pairs; a package is needed when its command is missing.
NEEDS="qemu-system-x86_64:qemu-system-x86 gdb:gdb musl-gcc:musl-tools
protoc:protobuf-compiler lldb:lldb objdump:binutils gcc:gcc make:make
python3:python3 cpio:cpio"

missing=""
for pair in $NEEDS; do
	cmd=${pair%%:*}
	pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -f /usr/include/libelf.h ] || [ -f /usr/include/libelf/libelf.h ] ||
	missing="$missing libelf-dev"
[ -f /usr/include/gelf.h ] || missing="$missing libelf-dev"
dpkg -s linux-libc-dev >/dev/null 2>&1 || missing="$missing linux-libc-dev"

missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
[ -n "${missing% }" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "loupe: missing packages:$missing" >&2
	echo "loupe: run: sudo apt-get install -y $missing" >&2
	exit 1
fi
echo "loupe: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
apt-get install -y -qq --no-install-recommends $missing >&2
