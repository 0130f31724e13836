#!/usr/bin/env bash
# Builds the CPU image (deploy/docker/Dockerfile.cpu) where no container registry is
# reachable: the Debian bookworm base is made here, with debootstrap from Debian's
# mirror into a folder and `docker import`, and the image is built FROM it. With
# --offline, Node and node_modules come from this machine (same Debian, Node >= 20.19)
# instead of nodejs.org and the npm registry.
#
#   sudo bash deploy/build-image.sh [--offline] [--smoke] [--tag gradmesh:cpu]
#
# Needs root (debootstrap), debootstrap and a running docker daemon. Environment:
#   GM_BASE_TAG       base image tag        (gradmesh/debian-bookworm:local; reused if present)
#   GM_DEBIAN_MIRROR  Debian mirror         (http://deb.debian.org/debian)
#   GM_BUILD_DIR      work folder           (a new folder under /tmp; removed at the end)
# --smoke runs `gradmesh testnet --windows 2` in the new image and exits with its status.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE_TAG="${GM_BASE_TAG:-gradmesh/debian-bookworm:local}"
MIRROR="${GM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
TAG="gradmesh:cpu"
OFFLINE=0
SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --offline) OFFLINE=1 ;;
    --smoke) SMOKE=1 ;;
    --tag) TAG="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-image.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '[build-image %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
command -v docker >/dev/null || { echo "build-image.sh: docker is not installed" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build-image.sh: the docker daemon is not running (or not reachable by $(id -un))" >&2; exit 1; }
# Debian's docker.io (20.10) comes without buildx: use the classic builder then.
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0

WORK="${GM_BUILD_DIR:-$(mktemp -d /tmp/gradmesh-image.XXXXXX)}"
cleanup() { [ -n "${GM_KEEP_BUILD_DIR:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT

# 1. The base image: a minimal bookworm root file system, imported as an image.
if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  say "base image $BASE_TAG exists: reused"
else
  [ "$(id -u)" = 0 ] || { echo "build-image.sh: debootstrap needs root" >&2; exit 1; }
  command -v debootstrap >/dev/null || { echo "build-image.sh: apt-get install -y debootstrap" >&2; exit 1; }
  say "debootstrap bookworm from $MIRROR into $WORK/rootfs"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$WORK/rootfs" "$MIRROR"
  # apt inside the image must not keep caches, as in Docker's own Debian images
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  say "docker import -> $BASE_TAG"
  tar -C "$WORK/rootfs" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$BASE_TAG" >/dev/null
  rm -rf "$WORK/rootfs"
fi

# 2. The build context: the tracked and untracked-but-not-ignored files of the tree
# (what git would commit), plus .offline/ with --offline.
say "build context in $WORK/context"
mkdir -p "$WORK/context"
(cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' | tar --null -T - -cf -) | tar -C "$WORK/context" -xf -
if [ "$OFFLINE" = 1 ]; then
  NODE_BIN="$(readlink -f "$(command -v node)")"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || { echo "build-image.sh: --offline needs Node >= 20.19 on this machine" >&2; exit 1; }
  mkdir -p "$WORK/context/.offline/node/bin" "$WORK/context/.offline/node/include" "$WORK/context/.offline/node/lib"
  cp "$NODE_BIN" "$WORK/context/.offline/node/bin/node"
  NODE_PREFIX="$(dirname "$(dirname "$NODE_BIN")")"
  for inc in "$NODE_PREFIX/include/node" /usr/include/node; do
    if [ -f "$inc/node_api.h" ]; then cp -r "$inc" "$WORK/context/.offline/node/include/node"; break; fi
  done
  [ -f "$WORK/context/.offline/node/include/node/node_api.h" ] || { echo "build-image.sh: Node's headers (node_api.h) not found" >&2; exit 1; }
  for npmdir in "$NODE_PREFIX/lib/node_modules/npm" /usr/lib/node_modules/npm /usr/share/nodejs/npm; do
    if [ -f "$npmdir/bin/npm-cli.js" ]; then cp -r "$npmdir" "$WORK/context/.offline/node/lib/npm-dist"; break; fi
  done
  mkdir -p "$WORK/context/.offline/node/lib/node_modules"
  mv "$WORK/context/.offline/node/lib/npm-dist" "$WORK/context/.offline/node/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$WORK/context/.offline/node/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$WORK/context/.offline/node/bin/npx"
  say "offline: node $(node --version), node_modules copied"
  # resolve node_modules itself (it may be a symlink to another checkout) but keep the
  # links inside it: node_modules/.bin/* must stay links to work
  cp -a "$(readlink -f "$ROOT/node_modules")" "$WORK/context/.offline/node_modules"
fi

# 3. The image.
say "docker build -f deploy/docker/Dockerfile.cpu --build-arg BASE=$BASE_TAG -t $TAG"
cp "$ROOT/deploy/docker/Dockerfile.cpu.dockerignore" "$WORK/context/.dockerignore"
docker build -f "$WORK/context/deploy/docker/Dockerfile.cpu" --build-arg "BASE=$BASE_TAG" -t "$TAG" "$WORK/context"
say "built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"

if [ "$SMOKE" = 1 ]; then
  say "smoke: docker run --rm $TAG testnet --windows 2"
  docker run --rm "$TAG" testnet --windows 2
fi
