#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the tiny bootable guest used by the QEMU driver's tests.
#
#   tests/qemu/build-guest.sh [OUTDIR]        (default: tests/qemu/cache/guest)
#
# Writes OUTDIR/vmlinuz, OUTDIR/initrd.img (cpio newc, gzip) and OUTDIR/cmdline
# (the kernel command line, one line). Nothing it produces is committed:
# tests/qemu/cache/ is git-ignored.
#
# Kernel: Debian's linux-image-amd64. If that kernel is installed on the host
# (/boot/vmlinuz-V with /lib/modules/V), it is used; otherwise the package's
# .deb is fetched with `apt-get download` and only vmlinuz, its config and the
# three modules the guest needs are extracted into tests/qemu/cache/kernel-V/
# (shared by every OUTDIR; no install into /, so no initramfs-tools triggers).
# The .deb is deleted afterwards.
#
# Initramfs: busybox-static plus an /init that mounts proc/sys/devtmpfs, loads
# evdev.ko and button.ko (CONFIG_ACPI_BUTTON=m in Debian's config) and e1000.ko
# (no dependencies; with virtbus.net=ADDR/PREFIX on the kernel command line the
# first NIC, also a hot-plugged one, gets that address and is brought up), starts
# busybox acpid so the ACPI power button (QMP system_powerdown) runs
# `poweroff -f`, prints VIRTBUS-GUEST-READY on the serial console and then
# echoes every line received on ttyS0 back as "ECHO:<line>".
#
# Idempotent: when the outputs exist and their inputs (this script, the
# busybox binary, the kernel) are unchanged it does nothing. Concurrent runs
# serialise on OUTDIR/.lock. Needs root only to apt-get install missing
# packages (busybox-static cpio qemu-system-x86, normally installed by
# tools/install-deps.sh) or to run `apt-get update` when the package lists
# are missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
outdir=${1:-$here/cache/guest}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

cmdline="console=ttyS0 quiet loglevel=3 panic=-1 notsc"

log() { echo "build-guest: $*" >&2; }
die() { log "$*"; exit 1; }

# The extracted kernel is shared by every OUTDIR.
kcache=$here/cache
mkdir -p "$kcache"
exec 8>"$kcache/.kernel.lock" 9>"$outdir/.lock"
flock 9

apt_updated=no
apt_update() {
    if [ "$apt_updated" = no ]; then
        [ "$(id -u)" = 0 ] || die "package lists unusable and not root: run tools/install-deps.sh as root"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        apt_updated=yes
    fi
}

installed() {
    dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# --- packages that must be installed (tools/install-deps.sh lists them too) ---
missing=()
for p in busybox-static cpio gzip xz-utils qemu-system-x86; do
    installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (run tools/install-deps.sh as root)"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || {
        apt_update
        apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    }
fi
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox not found after installing busybox-static"
applets=$("$busybox" --list)
grep -qx acpid <<<"$applets" || die "$busybox lacks acpid"
grep -qx udhcpc <<<"$applets" || die "$busybox lacks udhcpc"

# --- kernel: vmlinuz + the modules of one version ---
modpaths=(kernel/drivers/input/evdev.ko kernel/drivers/acpi/button.ko
          kernel/drivers/net/ethernet/intel/e1000/e1000.ko)

has_modules() {  # $1: a directory with every module (flat) or /lib/modules/V (tree)
    local m
    for m in "${modpaths[@]}"; do
        [ -f "$1/$m" ] || [ -f "$1/$(basename "$m")" ] || return 1
    done
}

host_kernel() {
    # Newest installed Debian kernel with the modules the guest loads.
    local v best=
    for f in /boot/vmlinuz-*-amd64; do
        [ -f "$f" ] || continue
        v=${f#/boot/vmlinuz-}
        has_modules "/lib/modules/$v" || continue
        best=$v
    done
    [ -n "$best" ] && echo "$best"
}

package_kernel_version() {
    # linux-image-amd64 depends on exactly one linux-image-V-amd64.
    local dep
    dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
          sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    if [ -z "$dep" ]; then
        apt_update
        dep=$(apt-cache depends linux-image-amd64 |
              sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1)
    fi
    [ -n "$dep" ] || die "cannot resolve linux-image-amd64 to a kernel version"
    echo "$dep"
}

if kver=$(host_kernel); then
    kdir=/
    vmlinuz_src=/boot/vmlinuz-$kver
    moddir=/lib/modules/$kver
    log "using the installed kernel $kver"
else
    flock 8
    kver=$( (ls -d "$kcache"/kernel-*-amd64/ 2>/dev/null || true) |
            sed -n 's|.*/kernel-\(.*\)/$|\1|p' | sort -V | tail -n1)
    if [ -z "$kver" ] || [ ! -f "$kcache/kernel-$kver/.complete" ]; then
        kver=$(package_kernel_version)
    fi
    kdir=$kcache/kernel-$kver
    # a cache made before a module was added lacks it: extracted again
    if [ ! -f "$kdir/.complete" ] || ! has_modules "$kdir"; then
        dl=$kcache/download
        rm -rf "$dl" "$kdir"
        mkdir -p "$dl"
        log "fetching linux-image-$kver (apt-get download)"
        # Fetching as root into a directory _apt cannot write warns; it is harmless.
        (cd "$dl" && apt-get download -q "linux-image-$kver" 2>&1 | grep -v 'unsandboxed' >&2) || true
        deb=$(ls "$dl"/linux-image-"$kver"_*.deb 2>/dev/null | head -n1)
        if [ -z "$deb" ]; then
            apt_update
            (cd "$dl" && apt-get download -q "linux-image-$kver" 2>&1 | grep -v 'unsandboxed' >&2) || true
            deb=$(ls "$dl"/linux-image-"$kver"_*.deb 2>/dev/null | head -n1)
        fi
        [ -n "$deb" ] || die "apt-get download linux-image-$kver failed"
        log "extracting vmlinuz and modules from $(basename "$deb")"
        mkdir -p "$dl/x"
        dpkg-deb --fsys-tarfile "$deb" |
            tar -x -C "$dl/x" --wildcards "./boot/vmlinuz-$kver" "./boot/config-$kver" \
                "${modpaths[@]/#/./lib/modules/$kver/}"
        rm -rf "$kdir.tmp"
        mkdir -p "$kdir.tmp"
        cp "$dl/x/boot/vmlinuz-$kver" "$kdir.tmp/vmlinuz"
        cp "$dl/x/boot/config-$kver" "$kdir.tmp/config"
        cp "${modpaths[@]/#/$dl/x/lib/modules/$kver/}" "$kdir.tmp/"
        touch "$kdir.tmp/.complete"
        rm -rf "$kdir" && mv "$kdir.tmp" "$kdir"
        rm -rf "$dl"
    fi
    vmlinuz_src=$kdir/vmlinuz
    moddir=$kdir
    flock -u 8
    log "using linux-image-$kver extracted in $kdir"
fi

modfile() {  # path of module $1 (evdev.ko, button.ko, e1000.ko) for the chosen kernel
    if [ "$kdir" = / ]; then
        for m in "${modpaths[@]}"; do
            [ "$(basename "$m")" = "$1" ] && echo "$moddir/$m"
        done
    else
        echo "$moddir/$1"
    fi
}

# --- the kernel QEMU boots ---
# Debian's bzImage is xz-compressed; under TCG its decompression alone takes
# ~7 s. The kernel has CONFIG_PVH=y, so QEMU's -kernel can boot the
# uncompressed ELF vmlinux directly through the PVH entry point. It is
# extracted once next to the kernel (VIRTBUS_GUEST_BZIMAGE=1 keeps the bzImage).
boot_kernel=$vmlinuz_src
if [ "${VIRTBUS_GUEST_BZIMAGE:-0}" != 1 ]; then
    vmlinux=$kcache/vmlinux-$kver
    if [ ! -f "$vmlinux" ]; then
        flock 8
        if [ ! -f "$vmlinux" ]; then
            config=$moddir/config
            [ "$kdir" = / ] && config=/boot/config-$kver
            if grep -qx 'CONFIG_PVH=y' "$config" 2>/dev/null; then
                off=$(LC_ALL=C grep -aobUP '\xfd7zXZ\x00' "$vmlinuz_src" | head -n1 | cut -d: -f1 || true)
                if [ -n "$off" ] &&
                   xz -dcq --single-stream < <(tail -c +"$((off + 1))" "$vmlinuz_src" 2>/dev/null) \
                       >"$vmlinux.tmp" 2>/dev/null &&
                   [ "$(head -c 4 "$vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
                    mv "$vmlinux.tmp" "$vmlinux"
                else
                    rm -f "$vmlinux.tmp"
                    log "no xz-compressed ELF found in $vmlinuz_src: booting the bzImage"
                fi
            else
                log "kernel $kver lacks CONFIG_PVH=y: booting the bzImage"
            fi
        fi
        flock -u 8
    fi
    [ -f "$vmlinux" ] && boot_kernel=$vmlinux
fi

# --- up to date? ---
stamp=$( { sha256sum "$0" "$busybox" "$boot_kernel" "$(modfile evdev.ko)" "$(modfile button.ko)" \
             "$(modfile e1000.ko)" |
           cut -d' ' -f1; echo "$cmdline"; } | sha256sum | cut -d' ' -f1)
if [ -f "$outdir/vmlinuz" ] && [ -f "$outdir/initrd.img" ] && [ -f "$outdir/cmdline" ] &&
   [ "$(cat "$outdir/.stamp" 2>/dev/null)" = "$stamp" ]; then
    log "up to date: $outdir"
    exit 0
fi

# --- initramfs tree ---
root=$(mktemp -d "$outdir/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,var/log,lib/modules,etc/acpi/PWRF}
cp "$busybox" "$root/bin/busybox"
for applet in $applets; do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
cp "$(modfile evdev.ko)" "$(modfile button.ko)" "$(modfile e1000.ko)" "$root/lib/modules/"

# busybox acpid maps the power button key (EV_KEY KEY_POWER) to the event
# "button/power PWRF 00000080" and runs CONFDIR/PWRF/00000080 for it.
cat >"$root/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo "VIRTBUS-GUEST-POWERBUTTON" >/dev/ttyS0
sync
exec poweroff -f
EOF
chmod 755 "$root/etc/acpi/PWRF/00000080"

# udhcpc's script (virtbus.net=dhcp): configure eth0 from the lease, say so.
mkdir -p "$root/etc/udhcpc"
cat >"$root/etc/udhcpc/default.script" <<'EOF'
#!/bin/sh
case "$1" in
    deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
    bound|renew)
        ip addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        set -- $router
        [ -n "${1:-}" ] && echo "$1" >/run/router
        echo "VIRTBUS-GUEST-DHCP-BOUND ip=$ip router=${1:-}" >/dev/ttyS0 ;;
esac
exit 0
EOF
chmod 755 "$root/etc/udhcpc/default.script"

cat >"$root/init" <<'EOF'
#!/bin/sh
# /init (PID 1) of the virtbus test guest.
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
insmod /lib/modules/evdev.ko
insmod /lib/modules/button.ko

# Wait (bounded) for the ACPI power button's event device, then start acpid.
i=0
until grep -qs 'Power Button' /sys/class/input/event*/device/name; do
    i=$((i + 1))
    [ "$i" -gt 200 ] && { echo "VIRTBUS-GUEST-NO-POWER-BUTTON" >/dev/ttyS0; break; }
    usleep 10000
done
acpid -f -c /etc/acpi -l /var/log/acpid.log &

# Network: virtbus.net=ADDR/PREFIX puts that address on eth0 (an e1000 NIC) as soon
# as it exists, at boot or when hot-plugged, and says so on the serial console.
# virtbus.net=dhcp asks a DHCP server instead (udhcpc), then pings the router.
insmod /lib/modules/e1000.ko
for arg in $(cat /proc/cmdline); do
    case "$arg" in virtbus.net=*) net=${arg#virtbus.net=} ;; esac
done
if [ "${net:-}" = dhcp ]; then
    (i=0
     until [ -e /sys/class/net/eth0 ] || [ "$i" -gt 100 ]; do i=$((i + 1)); usleep 100000; done
     ip link set eth0 up
     if udhcpc -i eth0 -s /etc/udhcpc/default.script -q -f -n -t 30 -T 2; then
         if ping -c 3 -W 2 "$(cat /run/router)" >/dev/null 2>&1; then
             echo "VIRTBUS-GUEST-PING-OK" >/dev/ttyS0
         else
             echo "VIRTBUS-GUEST-PING-FAILED" >/dev/ttyS0
         fi
     else
         echo "VIRTBUS-GUEST-DHCP-FAILED" >/dev/ttyS0
     fi) &
elif [ -n "${net:-}" ]; then
    (up=
     while :; do
         if [ ! -e /sys/class/net/eth0 ]; then
             up=
         elif [ -z "$up" ]; then
             ip link set eth0 up && ip addr add "$net" dev eth0 && up=1 &&
                 echo "VIRTBUS-GUEST-NET-UP" >/dev/ttyS0
         fi
         usleep 200000
     done) &
fi

# ttyS0 is opened (and its echo turned off) before the marker, so a line the
# host sends right after seeing the marker is queued, not lost.
exec 3<>/dev/ttyS0
stty -echo <&3
echo "VIRTBUS-GUEST-READY" >&3
[ "$(cat /sys/class/tty/console/active 2>/dev/null)" = ttyS0 ] || echo "VIRTBUS-GUEST-READY" >/dev/console

# Serial protocol: VIRTBUS-POWEROFF / VIRTBUS-REBOOT act, any other line is
# answered with "ECHO:<line>". Lines that look like the guest's own output
# (ECHO:..., VIRTBUS-GUEST-...) are ignored, so a host pty left in echo mode
# cannot start an endless ping-pong.
cr=$(printf '\r')
while :; do
    while IFS= read -r line <&3; do
        line=${line%"$cr"}
        case "$line" in
            VIRTBUS-POWEROFF) sync; poweroff -f ;;
            VIRTBUS-REBOOT) sync; reboot -f ;;
            ECHO:*|VIRTBUS-GUEST-*) ;;
            *) echo "ECHO:$line" >&3 ;;
        esac
    done
done
EOF
chmod 755 "$root/init"

# --- outputs (atomic) ---
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -9n >"$outdir/initrd.img.tmp"
echo "$cmdline" >"$outdir/cmdline.tmp"
mv "$outdir/initrd.img.tmp" "$outdir/initrd.img"
if [ ! "$outdir/vmlinuz" -ef "$boot_kernel" ]; then
    # A hard link to the cached kernel when on the same file system.
    rm -f "$outdir/vmlinuz.tmp"
    ln "$boot_kernel" "$outdir/vmlinuz.tmp" 2>/dev/null || cp "$boot_kernel" "$outdir/vmlinuz.tmp"
    mv "$outdir/vmlinuz.tmp" "$outdir/vmlinuz"
fi
mv "$outdir/cmdline.tmp" "$outdir/cmdline"
echo "$stamp" >"$outdir/.stamp"
log "built $outdir/{vmlinuz,initrd.img,cmdline} (kernel $kver, initrd $(stat -c %s "$outdir/initrd.img") bytes)"
