#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Conformance: run libvirt-dbus 1.4.1's own pytest suite against virtbusd.
#
#   tests/conformance/run.sh [BUILDDIR]        (default: <source>/build)
#
# The suite is taken at test time from Debian's libvirt-dbus source package
# (only the .orig.tar.xz's tests/ is used) and cached in tests/conformance/cache/,
# which is git-ignored: its files are never committed. A wrapper named
# `libvirt-dbus` on PATH runs `virtbusd --drivers test "$@"`; the suite starts it
# as `libvirt-dbus --session` for every test (TEST_INSTALLED=1).
# Exit status is pytest's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
builddir=${1:-$srcroot/build}
builddir=$(cd "$builddir" 2>/dev/null && pwd || echo "$builddir")
virtbusd=$(realpath -m "${VIRTBUSD:-$builddir/virtbusd}")
cache=$here/cache
version=1.4.1
python=/usr/bin/python3

if [ ! -x "$virtbusd" ]; then
    echo "conformance: $virtbusd not found or not executable (build first)" >&2
    exit 2
fi

orig=$cache/libvirt-dbus_$version.orig.tar.xz
if [ ! -f "$orig" ]; then
    mkdir -p "$cache"
    if [ "$(id -u)" = 0 ] && ! grep -rqsE '^(deb-src |Types:.*deb-src)' \
            /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "conformance: adding a deb-src entry for bookworm (/etc/apt/sources.list.d/virtbus-src.sources)"
        cat > /etc/apt/sources.list.d/virtbus-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        apt-get update -q
    fi
    # The source package is fetched into a scratch dir; only the upstream
    # tarball is kept.
    dl=$(mktemp -d)
    chmod 755 "$dl"
    # Debian's mirror may lack the signature and the debian/ tarball that
    # apt-get source also asks for; the upstream tarball is all we need, so
    # apt's exit status is not decisive: the tarball must be there and match
    # the checksum in the .dsc (apt itself checked the .dsc against the
    # signed Sources index).
    (cd "$dl" && apt-get source --download-only -q libvirt-dbus) >&2 || true
    tarball=$dl/libvirt-dbus_$version.orig.tar.xz
    dsc=$(ls "$dl"/libvirt-dbus_"$version"-*.dsc 2>/dev/null | head -n 1)
    if [ ! -f "$tarball" ] || [ -z "$dsc" ]; then
        echo "conformance: could not download libvirt-dbus $version's source (got: $(ls "$dl"))" >&2
        rm -rf "$dl"
        exit 2
    fi
    want=$(awk '/^Checksums-Sha256:/{f=1;next} /^[^ ]/{f=0} f && $3=="libvirt-dbus_'"$version"'.orig.tar.xz"{print $1}' "$dsc")
    have=$(sha256sum "$tarball" | cut -d' ' -f1)
    if [ -z "$want" ] || [ "$want" != "$have" ]; then
        echo "conformance: checksum mismatch for $tarball (dsc: '$want', file: $have)" >&2
        rm -rf "$dl"
        exit 2
    fi
    mv "$dl/libvirt-dbus_$version.orig.tar.xz" "$orig"
    rm -rf "$dl"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$orig" -C "$work" --strip-components=1 --wildcards '*/tests/*'
if [ ! -f "$work/tests/libvirttest.py" ]; then
    echo "conformance: $orig has no tests/libvirttest.py" >&2
    exit 2
fi

mkdir "$work/bin"
cat > "$work/bin/libvirt-dbus" <<EOF
#!/bin/sh
exec "$virtbusd" --drivers test "\$@"
EOF
chmod 755 "$work/bin/libvirt-dbus"

cd "$work/tests"
set +e
env -u abs_top_builddir PATH="$work/bin:/usr/sbin:$PATH" TEST_INSTALLED=1 \
    "$python" -m pytest -p no:cacheprovider -q -rfE 2>&1 | tee "$work/pytest.log"
rc=${PIPESTATUS[0]}
set -e
summary=$(grep -E '^=*[ ]*[0-9]+ (passed|failed|error)' "$work/pytest.log" | tail -n 1 | tr -d '=' | sed 's/^ *//; s/ *$//')
echo "conformance summary: ${summary:-no pytest summary line (rc $rc)}"
exit "$rc"
