# Sourced by the podman scripts: podman's settings and storage for this
# checkout, kept apart from the machine's (/etc/containers is not written).
#
#   CONTAINERS_CONF           deploy/podman/containers.conf
#   CONTAINERS_STORAGE_CONF   .data/podman/storage.conf, written here: images,
#                             layers and volumes under .data/podman/storage
#   PURSER_PODMAN_DATA        .data/podman
PURSER_PODMAN_DATA="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.data/podman"
mkdir -p "$PURSER_PODMAN_DATA/storage" "$PURSER_PODMAN_DATA/run"
cat > "$PURSER_PODMAN_DATA/storage.conf" <<STORAGE
[storage]
driver = "overlay"
graphroot = "$PURSER_PODMAN_DATA/storage"
runroot = "$PURSER_PODMAN_DATA/run"
STORAGE
export PURSER_PODMAN_DATA
export CONTAINERS_CONF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf"
export CONTAINERS_STORAGE_CONF="$PURSER_PODMAN_DATA/storage.conf"
