#!/usr/bin/env bash
# gradmesh device-bundle launcher (copied into the bundle as `gradmesh` by
# scripts/bundle.js; docs/cuda.md, "Device bundle"). Needs bash, mkdir, mv, rm, chmod
# and xz (or python3 with lzma) — no Node, no npm, no network.
#   ./gradmesh <gradmesh arguments>      e.g. ./gradmesh testnet --windows 2
#   ./gradmesh --bundle-node ARGS...     the bundled node itself (node ARGS...)
#   ./gradmesh --bundle-info             node, runtime folder, libraries, what the addons miss
# On first use node and the carried libraries are unpacked (xz) into
# ${GRADMESH_RUNTIME_DIR:-${TMPDIR:-/tmp}/gradmesh-runtime-<bundle id>}, once per bundle.
# Env: GRADMESH_RUNTIME_DIR; GRADMESH_BUNDLE_LIBS=auto|all|none: which carried libraries
#      go on LD_LIBRARY_PATH (auto: only those the system's ldconfig does not know, so a
#      newer system copy always wins); GRADMESH_CACHE (default: the bundle's cache/, which
#      holds the tokenised built-in dataset); GRADMESH_LOG_JSON (default 1: pino's pretty
#      printer runs in a worker thread that a one-file bundle cannot start).
set -euo pipefail

here=${BASH_SOURCE[0]}
case $here in */*) here=${here%/*} ;; *) here=. ;; esac
here=$(cd "$here" && pwd -P)
id=$(<"$here/BUNDLE_ID")
rt=${GRADMESH_RUNTIME_DIR:-${TMPDIR:-/tmp}/gradmesh-runtime-$id}

say() { printf 'gradmesh bundle: %s\n' "$*" >&2; }

unxz_to() { # SRC DEST
  if command -v xz >/dev/null 2>&1; then
    xz -dc -- "$1" >"$2"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"), 1 << 20)' "$1" "$2"
  else
    say "cannot unpack $1: neither xz nor python3 is on PATH"; exit 127
  fi
}

if [ ! -x "$rt/node" ]; then
  tmp="$rt.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/lib"
  say "unpacking node and libraries into $rt (first use of bundle $id)"
  unxz_to "$here/node.xz" "$tmp/node"
  chmod 755 "$tmp/node"
  for f in "$here"/lib/*.xz; do
    [ -e "$f" ] || continue
    b=${f##*/}; b=${b%.xz}
    mkdir -p "$tmp/lib/$b"           # one folder per library: each goes on LD_LIBRARY_PATH alone
    unxz_to "$f" "$tmp/lib/$b/$b"
  done
  # Another launcher may have won the race: keep the first complete copy.
  mv -T "$tmp" "$rt" 2>/dev/null || rm -rf "$tmp"
  [ -x "$rt/node" ] || { say "no node in $rt (remove that folder and retry)"; exit 1; }
fi

# Carried libraries on LD_LIBRARY_PATH: by default only those the system lacks.
ldconfig_bin=""
for c in ldconfig /sbin/ldconfig /usr/sbin/ldconfig; do
  if command -v "$c" >/dev/null 2>&1; then ldconfig_bin=$c; break; fi
done
known=""
if [ -n "$ldconfig_bin" ]; then known=$("$ldconfig_bin" -p 2>/dev/null || true); fi
mode=${GRADMESH_BUNDLE_LIBS:-auto}
libpath=""
missing_here=""
for d in "$rt"/lib/*/; do
  [ -d "$d" ] || continue
  d=${d%/}; so=${d##*/}
  use=0
  case $mode in
    all) use=1 ;;
    none) use=0 ;;
    *) if [ -z "$known" ] || [[ "$known" != *"$so "* ]]; then use=1; fi ;;
  esac
  if [ $use = 1 ]; then libpath="$libpath${libpath:+:}$d"; missing_here="$missing_here $so"; fi
done
if [ -n "$libpath" ]; then export LD_LIBRARY_PATH="$libpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
export GRADMESH_CACHE=${GRADMESH_CACHE:-$here/cache}
export GRADMESH_LOG_JSON=${GRADMESH_LOG_JSON:-1}
export GRADMESH_BUNDLE=$here

case ${1:-} in
  --bundle-node)
    shift
    exec "$rt/node" "$@"
    ;;
  --bundle-info)
    echo "bundle:   $here (id $id)"
    echo "runtime:  $rt"
    echo "node:     $("$rt/node" --version)"
    echo "carried libraries on LD_LIBRARY_PATH ($mode):${missing_here:- none}"
    echo "GRADMESH_CACHE=$GRADMESH_CACHE"
    req=$(grep -o '"GLIBC[X]*": *"[0-9.]*"' "$here/MANIFEST.json" 2>/dev/null | tr -d '" ' | tr '\n' ' ' || true)
    echo "needs:    ${req:-?}(system glibc: $(getconf GNU_LIBC_VERSION 2>/dev/null || echo '?'))"
    for a in "$here/build/Release/gradmesh_native.node" "$here/build/cuda/gradmesh_cuda.node"; do
      if [ ! -e "$a" ]; then echo "addon:    ${a#"$here"/} absent"; continue; fi
      if command -v ldd >/dev/null 2>&1; then
        nf=$(ldd "$a" 2>&1 | grep -c 'not found' || true)
        echo "addon:    ${a#"$here"/}: $nf unresolved libraries"
        ldd "$a" 2>&1 | grep 'not found' || true
      else
        echo "addon:    ${a#"$here"/} (no ldd to check it)"
      fi
    done
    exec "$rt/node" -e 'process.stdout.write(`node loads the CPU addon: ${require(process.argv[1]).backend}\n`)' "$here/build/Release/gradmesh_native.node"
    ;;
esac
exec "$rt/node" "$here/bin/gradmesh.js" "$@"
