#!/usr/bin/env bash
# The kernel matrix: the integration and unit tests (release builds) booted
# under qemu-system-x86_64 (KVM where /dev/kvm is usable) on Debian's 6.1
# kernel, older than the host's (no NO_SQARRAY, no WAITID, no FTRUNCATE,
# older multishot and buffer-ring semantics), in a minimal initramfs:
# busybox, the test binaries and the libraries they load. The run fails
# when a test binary fails or the guest's kernel log shows `BUG:` or
# `WARNING:`. Installs what it needs (qemu-system-x86, busybox-static, the
# kernel package, extracted, not installed) from Debian's packages.
#
# KERNEL_PACKAGE picks another kernel package (e.g. linux-image-6.1.0-47-amd64);
# KERNEL_MATRIX_FILTER passes a test-name filter to every binary.
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/kernel-matrix
mkdir -p "$work"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need qemu-system-x86_64 || ! need cpio || ! [ -x /bin/busybox ]; then
    echo "== installing qemu-system-x86 and busybox-static"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends qemu-system-x86 busybox-static cpio >/dev/null
fi

# The newest 6.1 image the archive has, unless asked for another (the
# package lists refreshed first, so a stale list does not hide it).
if [ -z "${KERNEL_PACKAGE:-}" ]; then
    apt-get update -qq
fi
package=${KERNEL_PACKAGE:-$(apt-cache depends linux-image-amd64 2>/dev/null |
    awk '/Depends: linux-image-6\.1/ {print $2; exit}')}
if [ -z "$package" ]; then
    package=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
        awk '{print $1}' | sort -V | tail -1)
fi
if [ -z "$package" ]; then
    echo "== kernel matrix FAILED: no Linux 6.1 image in the package archive"
    exit 1
fi
kernel_dir="$work/$package"
if [ ! -d "$kernel_dir/boot" ]; then
    echo "== fetching $package"
    rm -rf "$kernel_dir" && mkdir -p "$kernel_dir"
    (cd "$kernel_dir" && apt-get download -qq "$package" >/dev/null)
    dpkg-deb -x "$kernel_dir"/*.deb "$kernel_dir"
fi
vmlinuz=$(ls "$kernel_dir"/boot/vmlinuz-* | head -1)
echo "== kernel: $(basename "$vmlinuz")"

echo "== building the test binaries (release)"
bins=$(cargo test --release --no-run --lib --tests --message-format=json |
    grep -o '"executable":"[^"]*"' | cut -d'"' -f4)

root="$work/root"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,tests,lib64,usr/bin,usr/sbin}
cp /bin/busybox "$root/bin/busybox"
for tool in $("$root/bin/busybox" --list); do
    [ -e "$root/bin/$tool" ] || ln -s busybox "$root/bin/$tool"
done
# Libraries the binaries load, at the paths they name.
for bin in $bins; do
    cp "$bin" "$root/tests/"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        [ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
    done
done
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
printf 'root:x:0:0:root:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'hosts: files\n' >"$root/etc/nsswitch.conf"
filter=${KERNEL_MATRIX_FILTER:-}
# Skipped in the guest, each for a reason of the guest, not of ringio:
skips=(
    # The initramfs has no disk file system, and tmpfs refuses O_DIRECT.
    --skip o_direct
    # A 50 ms bound on a ticker's lateness; software emulation runs the
    # guest several times slower.
    --skip a_ticker_stays_on_time_through_a_thousand_lookups
)
cat >"$root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
ip link set lo up
export HOME=/tmp TMPDIR=/tmp PATH=/bin:/usr/bin RUST_BACKTRACE=1
# The suite must run on io_uring here, not fall back to epoll unseen.
export RINGIO_EXPECT_IO_URING=1
# As a host's: the 10,000-connection tests need more than 1,024 fds.
ulimit -n 65536
echo "== guest kernel \$(uname -r), \$(nproc) cpus"
failed=0
for t in /tests/*; do
    echo "== guest: \$(basename \$t)"
    if ! "\$t" --test-threads=2 ${skips[*]} $filter; then
        echo "== guest FAILED: \$(basename \$t)"
        failed=\$((failed + 1))
    fi
done
if dmesg | grep -E 'BUG:|WARNING:'; then
    echo "== guest kernel log shows BUG/WARNING"
    failed=\$((failed + 1))
fi
echo "KERNEL-MATRIX-RESULT failed=\$failed"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"
echo "== initramfs: $(du -m "$work/initramfs.cpio" | cut -f1) MiB"

# KVM where it boots this kernel (a nested one may not): a probe boot of a
# one-line init; software emulation (TCG, one host thread per vCPU)
# otherwise.
accel=(-accel tcg,thread=multi -cpu max)
if [ -w /dev/kvm ]; then
    probe="$work/probe"
    rm -rf "$probe" && mkdir -p "$probe/bin"
    cp /bin/busybox "$probe/bin/" && ln -s busybox "$probe/bin/sh"
    printf '#!/bin/sh\n/bin/busybox echo KVM-PROBE-OK\n/bin/busybox poweroff -f\n' >"$probe/init"
    chmod +x "$probe/init"
    (cd "$probe" && find . | cpio -o -H newc --quiet) >"$work/probe.cpio"
    if timeout 30 qemu-system-x86_64 -accel kvm -cpu host -m 512 -nographic -no-reboot \
        -kernel "$vmlinuz" -initrd "$work/probe.cpio" -append "console=ttyS0 panic=-1 quiet" \
        </dev/null 2>/dev/null | grep -a KVM-PROBE-OK >/dev/null; then
        accel=(-accel kvm -cpu host)
    else
        echo "== KVM does not boot this kernel here: software emulation (TCG)"
    fi
fi
log="$work/guest.log"
timeout 1800 qemu-system-x86_64 "${accel[@]}" -smp 2 -m 6144 -nographic -no-reboot \
    -kernel "$vmlinuz" -initrd "$work/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 quiet" </dev/null | tee "$log" |
    grep --line-buffered -E '^== |^test result|FAILED|panicked|KERNEL-MATRIX' || true
result=$(grep -o 'KERNEL-MATRIX-RESULT failed=[0-9]*' "$log" | cut -d= -f2 || true)
if [ "$result" != "0" ]; then
    echo "== kernel matrix FAILED on $(basename "$vmlinuz") (failed=${result:-no result}); guest log: $log"
    exit 1
fi
echo "== kernel matrix passed on $(basename "$vmlinuz")"
