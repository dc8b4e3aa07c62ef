#!/usr/bin/env bash
# Builds the images docker-compose.yml runs, with podman and without a
# registry: every base image is made here from Debian packages.
#
#   deploy/podman/images.sh          (run by `deploy/dev compose-test`)
#
#   purser-local/debian:bookworm-K    Debian 12 minbase by debootstrap, slimmed
#                                     like debian:bookworm-slim (no docs, man
#                                     pages, locales or apt caches), imported
#   purser-local/swift:V-bookworm-K   that base plus this machine's Swift
#                                     toolchain V (swift.Containerfile)
#   purser-local/postgres:15-bookworm Debian's PostgreSQL 15 with the official
#                                     image's entrypoint contract
#                                     (postgres.Containerfile)
#   purser:latest, purser-certs:latest  deploy/Dockerfile's runtime and certs
#                                     stages on those bases
#
# Cached between runs under .data/podman/: the debootstrap tarball
# (cache/), and podman's own storage (storage/), which keeps the images and
# their layers, so a second run rebuilds only what changed: the base and the
# toolchain image are built only when missing (K, in their tags, is a digest of
# their recipe), the others reuse podman's layer cache. Environment: the podman
# settings of env.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=env.sh
. "$root/deploy/podman/env.sh"

mirror=${PURSER_DEBIAN_MIRROR:-http://deb.debian.org/debian}
swift_root=${PURSER_SWIFT_TOOLCHAIN:-$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")}
swift_version=$("$swift_root/usr/bin/swift" --version 2>/dev/null | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1)
[ -n "$swift_version" ] || { echo "images: no Swift toolchain at $swift_root" >&2; exit 1; }

postgres_image=localhost/purser-local/postgres:15-bookworm

step() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
timed() { # timed LABEL COMMAND…: runs COMMAND and records how long it took in $timings
  local label=$1 start; shift
  start=$(date +%s)
  "$@" || return
  printf '%s %s\n' "$label" "$(( $(date +%s) - start ))" >> "$timings"
}
timings="$PURSER_PODMAN_DATA/timings"
: > "$timings"

# The Debian base: debootstrap once into a tarball kept in the cache.
make_base_tarball() {
  local rootfs="$PURSER_PODMAN_DATA/cache/rootfs.tmp"
  rm -rf "$rootfs"
  step "debootstrap --variant=minbase bookworm ($mirror)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$PURSER_PODMAN_DATA/cache/debootstrap.log" 2>&1 \
    || { tail -20 "$PURSER_PODMAN_DATA/cache/debootstrap.log" >&2; exit 1; }
  cat > "$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
  # As debian:bookworm-slim: packages installed later leave out documentation and translations.
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
DPKG
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
  # As debian:bookworm-slim: no downloaded packages or package caches left in a layer.
  cat > "$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,info,groff,lintian,linda,locale}/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
  tar -C "$rootfs" --numeric-owner -cf "$base_tarball.tmp" .
  mv "$base_tarball.tmp" "$base_tarball"
  rm -rf "$rootfs"
}

# The base and the toolchain image are kept while their recipe is unchanged:
# their tags carry a digest of what makes them.
key() { sha256sum | cut -c1-12; }
base_key=$( { declare -f make_base_tarball; echo "$mirror"; } | key)
swift_key=$( { echo "$base_key $swift_version"; cat "$root/deploy/podman/swift.Containerfile"; } | key)
base_image=localhost/purser-local/debian:bookworm-$base_key
swift_image=localhost/purser-local/swift:$swift_version-bookworm-$swift_key
base_tarball="$PURSER_PODMAN_DATA/cache/debian-bookworm-minbase-$base_key.tar"
mkdir -p "$PURSER_PODMAN_DATA/cache"
# Earlier recipes' tarballs and images go.
find "$PURSER_PODMAN_DATA/cache" -name 'debian-bookworm-minbase-*.tar' ! -name "${base_tarball##*/}" -delete
podman images --format '{{.Repository}}:{{.Tag}}' \
  | grep -E '^localhost/purser-local/(debian|swift):' | grep -vxF -e "$base_image" -e "$swift_image" \
  | xargs -r podman rmi -f > /dev/null 2>&1 || true
if ! podman image exists "$base_image"; then
  [ -s "$base_tarball" ] || timed "base: debootstrap" make_base_tarball
  step "podman import $base_image"
  timed "base: import" podman import --change 'CMD ["/bin/bash"]' "$base_tarball" "$base_image" > /dev/null
fi

if ! podman image exists "$swift_image"; then
  step "$swift_image from $swift_root (the toolchain, $(du -sh "$swift_root" | cut -f1))"
  timed "swift image" podman build --quiet --build-arg BASE_IMAGE="$base_image" \
    -f "$root/deploy/podman/swift.Containerfile" -t "$swift_image" "$swift_root" > /dev/null
fi

step "$postgres_image"
timed "postgres image" podman build --quiet --build-arg BASE_IMAGE="$base_image" \
  -f "$root/deploy/podman/postgres.Containerfile" -t "$postgres_image" "$root" > /dev/null

step "purser:latest and purser-certs:latest (deploy/Dockerfile: release build in $swift_image)"
timed "purser image" podman build --build-arg SWIFT_IMAGE="$swift_image" --build-arg DEBIAN_IMAGE="$base_image" \
  --target runtime -f "$root/deploy/Dockerfile" -t localhost/purser:latest "$root" \
  > "$PURSER_PODMAN_DATA/purser-build.log" 2>&1 \
  || { tail -40 "$PURSER_PODMAN_DATA/purser-build.log" >&2; exit 1; }
timed "certs image" podman build --quiet --build-arg SWIFT_IMAGE="$swift_image" --build-arg DEBIAN_IMAGE="$base_image" \
  --target certs -f "$root/deploy/Dockerfile" -t localhost/purser-certs:latest "$root" > /dev/null

step "images (build seconds: $(tr '\n' ',' < "$timings" | sed 's/,$//; s/,/, /g'))"
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' \
  | grep -E 'purser' | sed 's/^/  /' >&2
