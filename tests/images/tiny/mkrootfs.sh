#!/usr/bin/env bash
# Build the root filesystem of the "tiny" image: Debian's statically linked
# busybox plus one symlink per applet (what `busybox --install -s` creates),
# written as a plain tar archive for `docker import`.
#
# usage: mkrootfs.sh OUTPUT.tar
# env:   WORK_DIR  where temporary files go (default /var/tmp)
#
# The .deb comes from the build host's own apt sources (`apt-get download`).
set -euo pipefail

out=${1:?usage: mkrootfs.sh OUTPUT.tar}
mkdir -p "${WORK_DIR:-/var/tmp}"
work=$(mktemp -d "${WORK_DIR:-/var/tmp}/tiny.XXXXXX")
trap 'rm -rf "$work"; rm -f "$out.tmp"' EXIT
chmod 0755 "$work"
mkdir "$work/deb"
# apt-get download drops privileges to _apt when that user can write the target dir
if id _apt >/dev/null 2>&1; then chown _apt "$work/deb"; fi
download() { (cd "$work/deb" && apt-get download busybox-static); }
if ! download; then
    echo "+ apt-get download failed; refreshing the host's package lists once"
    apt-get update -qq
    download
fi
deb=$(ls "$work"/deb/busybox-static_*.deb)
echo "+ using $(basename "$deb")"
dpkg-deb -x "$deb" "$work/pkg"

root=$work/root
mkdir -p "$root/bin"
install -m 0755 "$work/pkg/bin/busybox" "$root/bin/busybox"
# Same result as `busybox --install -s` run inside the image (which needs /proc).
"$root/bin/busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sfn /bin/busybox "$root/$applet"
done
mkdir -p "$root"/{dev,proc,sys,etc,root,tmp,var/tmp,run}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"
cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
: > "$root/etc/hostname"
: > "$root/etc/hosts"
: > "$root/etc/resolv.conf"

[ -L "$root/bin/sh" ] && [ -L "$root/bin/sleep" ] || { echo "mktiny: applet links missing" >&2; exit 1; }
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out.tmp" .
mv -f "$out.tmp" "$out"
echo "+ rootfs size: $(du -sh --apparent-size "$out" | cut -f1)"
