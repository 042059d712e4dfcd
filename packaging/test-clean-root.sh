#!/usr/bin/env bash
# The packages on a system that has nothing else: a minimal Debian 12 root made by mmdebstrap
# from this machine's own apt sources (so no host is named here), cached between runs. In it:
#   1. `apt-get install ./taskbell_….deb` must pull in every library the binary needs: `ldd`
#      finds them all, the tray library it loads at run time is there, `taskbell --version`
#      answers, and the desktop entry, metainfo and icons are where menus look for them;
#   2. the .rpm's requirements are met by what that install brought, and its binary, unpacked,
#      finds every library too;
#   3. with the end-to-end tools added, the notification smoke test runs against the installed
#      /usr/bin/taskbell (when an e2e archive is given);
#   4. removing the package takes the program and leaves the user's data.
# Needs root (chroot); `make test-package` runs it with sudo when it has to.
#
# Usage: test-clean-root.sh DEB RPM [E2E_ARCHIVE TAURI_DRIVER CARGO_NEXTEST]
set -euo pipefail

deb=$(realpath "$1")
rpm=$(realpath "$2")
e2e_archive=${3:+$(realpath "$3")}
tauri_driver=${4:-}
nextest=${5:-}
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${TASKBELL_ROOT_CACHE:-/var/tmp/taskbell-clean-root}
started=$SECONDS

say() { printf 'clean-root [%3ss]: %s\n' "$((SECONDS - started))" "$*"; }
fail() { printf 'clean-root: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root for chroot; run it with sudo"

# The first of these that exists is the mirror argument; mmdebstrap pastes a file's content in
# as the root's sources.
sources=${TASKBELL_APT_SOURCES:-}
if [ -z "$sources" ]; then
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [ -s "$f" ]; then sources=$f; break; fi
  done
fi
[ -n "$sources" ] || fail "no apt sources file found; set TASKBELL_APT_SOURCES"

mkdir -p "$cache/archives"
key=$(sha256sum "$sources" | cut -c1-12)
base="$cache/bookworm-apt-$key.tar"
if [ ! -s "$base" ]; then
  say "building the clean root from $sources (once; cached as $base)"
  mmdebstrap --variant=apt --quiet bookworm "$base.part" "$sources"
  mv "$base.part" "$base"
fi

work=$(mktemp -d /var/tmp/taskbell-root.XXXXXX)
root="$work/root"
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT
mkdir "$root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
say "root unpacked in $root"

# Each command runs in a mount namespace of its own: /proc, /dev, /sys and the package cache are
# mounted for it and gone when it ends, whatever happens.
in_root() {
  unshare --mount --propagation private -- sh -c '
    r=$1; shift
    mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" && mount -t sysfs sys "$r/sys" &&
    mount -t tmpfs tmpfs "$r/tmp" && mount --bind "$CACHE/archives" "$r/var/cache/apt/archives" &&
    exec chroot "$r" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive "$@"' sh "$root" "$@"
}
export CACHE="$cache"

# 1. The .deb on the clean root.
cp "$deb" "$root/root/"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends "/root/$(basename "$deb")" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "apt-get install of $(basename "$deb")"; }
say "installed $(basename "$deb") and $(grep -c '^Setting up' "$work/install.log") packages with it"

missing=$(in_root ldd /usr/bin/taskbell | grep 'not found' || true)
[ -z "$missing" ] || fail "ldd /usr/bin/taskbell: $missing"
in_root sh -c 'ldconfig -p | grep -q "libayatana-appindicator3.so.1 "' || fail "the tray library libayatana-appindicator3.so.1 is not installed"
version=$(in_root taskbell --version)
want="taskbell $(dpkg-deb -f "$deb" Version)"
[ "$version" = "$want" ] || fail "taskbell --version said '$version', not '$want'"
in_root taskbell --help | grep -q TASKBELL_DATA_DIR || fail "taskbell --help does not list TASKBELL_DATA_DIR"
for f in /usr/share/applications/app.taskbell.desktop /usr/share/metainfo/app.taskbell.desktop.metainfo.xml \
  /usr/share/icons/hicolor/{32x32,64x64,128x128,256x256}/apps/taskbell.png; do
  [ -f "$root$f" ] || fail "$f is not installed"
done
say "ldd finds every library; '$version'; desktop entry, metainfo and icons in place"

# 2. The .rpm: each requirement met by the root as the .deb left it, and its binary complete.
while read -r req; do
  case "$req" in
    rpmlib\(*|rtld\(*) ;;
    *.so*)
      soname=${req%%(*}
      in_root sh -c "ldconfig -p | grep -q '^[[:space:]]*$soname (.*x86-64'" || fail "the .rpm requires $req, which the root lacks"
      ;;
    /*) [ -e "$root$req" ] || fail "the .rpm requires $req, which the root lacks" ;;
    *) fail "the .rpm requires a package by name ($req): names differ between RPM distributions" ;;
  esac
done < <(rpm -qpR "$rpm")
# Debian's rpm2cpio (4.18) exits 1 after writing a whole zstd payload; what was unpacked is
# checked instead.
mkdir "$root/opt/rpm" && (cd "$root/opt/rpm" && { rpm2cpio "$rpm" || true; } | cpio -idm --quiet)
[ -x "$root/opt/rpm/usr/bin/taskbell" ] || fail "the .rpm has no /usr/bin/taskbell"
missing=$(in_root ldd /opt/rpm/usr/bin/taskbell | grep 'not found' || true)
[ -z "$missing" ] || fail "ldd on the .rpm's taskbell: $missing"
# The .deb alone carries Debian's copyright file.
diff <(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $NF}' | sed 's|^\.||' | grep -v '^/usr/share/doc/' | sort) <(rpm -qpl "$rpm" | sort) \
  || fail "the .deb and the .rpm install different files"
say "the .rpm's $(rpm -qpR "$rpm" | grep -vc '^rpmlib') requirements are met; it installs the .deb's files"

# 3. The end-to-end smoke against the installed binary.
if [ -n "$e2e_archive" ]; then
  in_root apt-get install -y -qq --no-install-recommends \
    xvfb xauth dbus dbus-x11 dunst webkit2gtk-driver imagemagick libglib2.0-bin >"$work/tools.log" 2>&1 \
    || { cat "$work/tools.log"; fail "installing the end-to-end tools"; }
  # nextest runs the archived tests from the workspace's root, which it wants to find.
  mkdir -p "$root/e2e/src"
  cp -r "$here/Cargo.toml" "$here/Cargo.lock" "$here/tests" "$root/e2e/src/"
  cp "$e2e_archive" "$root/e2e/archive.tar.zst"
  cp "$tauri_driver" "$nextest" "$root/usr/local/bin/"
  say "end-to-end tools installed; running the notification smoke test"
  artifacts=${TASKBELL_E2E_ARTIFACTS:-$here/target/e2e-artifacts}/installed
  status=0
  in_root env TASKBELL_E2E=1 TASKBELL_APP=/usr/bin/taskbell TASKBELL_E2E_ARTIFACTS=/e2e/artifacts CARGO_TARGET_DIR=/e2e/target \
    xvfb-run -a -s '-screen 0 1280x800x24' dbus-run-session -- \
    cargo-nextest nextest run --archive-file /e2e/archive.tar.zst --workspace-remap /e2e/src \
    --run-ignored only --test-threads 1 -E 'test(a_finished_task_raises_one_notification)' || status=$?
  mkdir -p "$artifacts" && cp -r "$root/e2e/artifacts/." "$artifacts/" 2>/dev/null || true
  if [ -n "${SUDO_UID:-}" ]; then chown -R "$SUDO_UID:$SUDO_GID" "$artifacts"; fi
  [ "$status" = 0 ] || fail "the end-to-end smoke test against /usr/bin/taskbell (artifacts in $artifacts)"
  say "the installed Taskbell started, showed its window and notified (artifacts in $artifacts)"
fi

# 4. Removing it keeps what the user made.
data=/root/.local/share/app.taskbell.desktop
mkdir -p "$root$data" && echo kept >"$root$data/taskbell.db"
in_root apt-get purge -y -qq taskbell >/dev/null
[ ! -e "$root/usr/bin/taskbell" ] || fail "/usr/bin/taskbell is still there after apt-get purge"
[ ! -e "$root/usr/share/applications/app.taskbell.desktop" ] || fail "the desktop entry outlived the package"
[ "$(cat "$root$data/taskbell.db")" = kept ] || fail "removing the package touched $data"
say "passed: purged, the program is gone and the user's data is kept"
