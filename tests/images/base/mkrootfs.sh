#!/usr/bin/env bash
# Build the root filesystem of a systemd-as-PID-1 Debian base image and write
# it as a plain tar archive (input for `docker import`).
#
# usage: mkrootfs.sh SUITE OUTPUT.tar
# env:   DEBIAN_MIRROR           archive URL (required, e.g. derived from the host's apt config)
#        DEBIAN_SECURITY_MIRROR  debian-security URL (required)
#        CA_CERT_DIR             *.crt files to trust inside the image (optional)
#        DEB_CACHE_DIR           debootstrap package cache (optional, absolute path)
#        WORK_DIR                where the temporary root is created (default /var/tmp)
#
# Called by tests/images/build; every file in this directory is part of the
# image's input hash, so editing anything here rebuilds the base images.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=${1:?usage: mkrootfs.sh SUITE OUTPUT.tar}
out=${2:?usage: mkrootfs.sh SUITE OUTPUT.tar}
: "${DEBIAN_MIRROR:?DEBIAN_MIRROR is not set}"
: "${DEBIAN_SECURITY_MIRROR:?DEBIAN_SECURITY_MIRROR is not set}"

packages=(
    systemd systemd-sysv dbus
    python3 python3-apt          # Ansible's apt module needs python3-apt
    sudo ca-certificates iproute2 procps
)

[ "$(id -u)" = 0 ] || { echo "mkrootfs.sh: must run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "mkrootfs.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

mkdir -p "${WORK_DIR:-/var/tmp}"
root=$(mktemp -d "${WORK_DIR:-/var/tmp}/rootfs-$suite.XXXXXX")

cleanup() {
    # debootstrap mounts /proc and /sys inside the target; never rm -rf through a mount.
    local m
    findmnt -rn -o TARGET | awk -v r="$root" 'index($0, r "/") == 1' | sort -r | while read -r m; do
        umount -l "$m" || true
    done
    rm -rf --one-file-system "$root"
    rm -f "$out.tmp"
}
trap cleanup EXIT

debootstrap_args=(--variant=minbase --include="$(IFS=,; echo "${packages[*]}")")
if [ -n "${DEB_CACHE_DIR:-}" ]; then
    mkdir -p "$DEB_CACHE_DIR"
    debootstrap_args+=(--cache-dir="$DEB_CACHE_DIR")
fi
echo "+ debootstrap ${debootstrap_args[*]} $suite $root $DEBIAN_MIRROR"
debootstrap "${debootstrap_args[@]}" "$suite" "$root" "$DEBIAN_MIRROR"

# --- apt sources (deb822) ---------------------------------------------------
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -e "$root$keyring" ] && [ -e "$root${keyring%.gpg}.pgp" ]; then
    keyring=${keyring%.gpg}.pgp
fi
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $suite $suite-updates
Components: main
Signed-By: $keyring

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: $suite-security
Components: main
Signed-By: $keyring
EOF

# --- apply -updates / -security ---------------------------------------------------
# debootstrap only uses the release suite. Upgrading here keeps the images current
# and keeps derived images small (otherwise the first package that pins a newer
# libpython/libc rewrites those libraries in its own layer).
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update && apt-get -y -o Dpkg::Options::=--force-confold dist-upgrade'
umount "$root/proc"
rm -f "$root/usr/sbin/policy-rc.d"

# --- container identity -------------------------------------------------------
# Docker bind-mounts hostname/hosts/resolv.conf; don't ship the build host's.
echo localhost > "$root/etc/hostname"
: > "$root/etc/resolv.conf"
# Empty machine-id: systemd generates a fresh one per container.
: > "$root/etc/machine-id"
if [ -f "$root/var/lib/dbus/machine-id" ] && [ ! -L "$root/var/lib/dbus/machine-id" ]; then
    rm -f "$root/var/lib/dbus/machine-id"
fi

# --- systemd ----------------------------------------------------------------------
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/masked-units" | while read -r unit; do
    ln -sfn /dev/null "$root/etc/systemd/system/$unit"
done
install -m 0644 "$here/proc-sys-rw.service" "$root/etc/systemd/system/proc-sys-rw.service"
mkdir -p "$root/etc/systemd/system/sysinit.target.wants"
ln -sfn ../proc-sys-rw.service "$root/etc/systemd/system/sysinit.target.wants/proc-sys-rw.service"

# --- trust the build host's extra CAs (egress / corporate proxy) -----------------
shopt -s nullglob
certs=("${CA_CERT_DIR:-/nonexistent}"/*.crt)
shopt -u nullglob
if [ ${#certs[@]} -gt 0 ]; then
    install -m 0644 "${certs[@]}" "$root/usr/local/share/ca-certificates/"
fi
chroot "$root" update-ca-certificates
# pip vendors its own CA bundle; make every pip (system or venv) use the system one.
cat > "$root/etc/pip.conf" <<'EOF'
[global]
cert = /etc/ssl/certs/ca-certificates.crt
EOF

# --- slim down ------------------------------------------------------------------------
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
       "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
       "$root"/tmp/* "$root"/var/tmp/*
find "$root/var/log" -type f -exec truncate -s 0 {} +

# Sanity checks: what the image promises.
for f in lib/systemd/systemd usr/bin/python3 usr/bin/sudo sbin/ip bin/ps bin/mount; do
    [ -e "$root/$f" ] || { echo "mkrootfs.sh: missing /$f in rootfs" >&2; exit 1; }
done
chroot "$root" python3 -c 'import apt_pkg' || { echo "mkrootfs.sh: python3-apt is broken" >&2; exit 1; }

echo "+ writing $out"
tar --numeric-owner -C "$root" \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -cf "$out.tmp" .
mv -f "$out.tmp" "$out"
echo "+ rootfs size: $(du -sh --apparent-size "$out" | cut -f1)"
