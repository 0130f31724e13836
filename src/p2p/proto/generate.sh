#!/bin/sh
# Regenerates messages.ts from messages.proto. The installed protons (9.x) emits code
# for protons-runtime 7 (Codec<T>), while the project depends on protons-runtime 8
# (Codec<Decoded, Encoded>), and the top-level uint8arraylist (2.x) is not the one the
# runtime uses (3.x). The sed adapts the generated file's types, and routes every uint64
# write through writeUint64 (uint64.ts: the runtime's own writes 2^31..2^32-1 wrongly).
set -e
cd "$(dirname "$0")"
npx protons messages.proto
sed -E -i \
  -e 's/Codec<([A-Za-z.]+)>/Codec<\1, \1>/g' \
  -e 's/message<([A-Za-z.]+)>\(/message<\1, \1>(/g' \
  -e 's/encodeMessage\(obj, ([A-Za-z.]+)\.codec\(\)\)/encodeMessage(obj as \1, \1.codec())/g' \
  -e 's/^(  [A-Za-z]+\??): Uint8Array<ArrayBuffer>$/\1: Uint8Array/' \
  -e "s#^import type \\{ Uint8ArrayList \\} from 'uint8arraylist'#type Uint8ArrayList = Exclude<Parameters<typeof decodeMessage>[0], Uint8Array>#" \
  -e 's/w\.uint64\((obj\.[A-Za-z]+)\)/writeUint64(w, \1)/' \
  -e "1a import { writeUint64 } from './uint64.js'" \
  messages.ts
