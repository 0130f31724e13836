import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { writeUint64 } from './uint64.js'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
type Uint8ArrayList = Exclude<Parameters<typeof decodeMessage>[0], Uint8Array>

export interface GradAnnouncement {
  version: number
  runHash: Uint8Array
  window: bigint
  uid: number
  digest: Uint8Array
  size: bigint
  baseThetaHash: Uint8Array
  inline?: Uint8Array
  announcedAtMs: bigint
  pieceListHash?: Uint8Array
}

export namespace GradAnnouncement {
  let _codec: Codec<GradAnnouncement, GradAnnouncement>

  export const codec = (): Codec<GradAnnouncement, GradAnnouncement> => {
    if (_codec == null) {
      _codec = message<GradAnnouncement, GradAnnouncement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.runHash)
        }

        if ((obj.window != null && obj.window !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.window)
        }

        if ((obj.uid != null && obj.uid !== 0)) {
          w.uint32(32)
          w.uint32(obj.uid)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.digest)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(48)
          writeUint64(w, obj.size)
        }

        if ((obj.baseThetaHash != null && obj.baseThetaHash.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.baseThetaHash)
        }

        if (obj.inline != null) {
          w.uint32(66)
          w.bytes(obj.inline)
        }

        if ((obj.announcedAtMs != null && obj.announcedAtMs !== 0n)) {
          w.uint32(72)
          writeUint64(w, obj.announcedAtMs)
        }

        if (obj.pieceListHash != null) {
          w.uint32(82)
          w.bytes(obj.pieceListHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          runHash: uint8ArrayAlloc(0),
          window: 0n,
          uid: 0,
          digest: uint8ArrayAlloc(0),
          size: 0n,
          baseThetaHash: uint8ArrayAlloc(0),
          announcedAtMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.runHash = reader.bytes()
              break
            }
            case 3: {
              obj.window = reader.uint64()
              break
            }
            case 4: {
              obj.uid = reader.uint32()
              break
            }
            case 5: {
              obj.digest = reader.bytes()
              break
            }
            case 6: {
              obj.size = reader.uint64()
              break
            }
            case 7: {
              obj.baseThetaHash = reader.bytes()
              break
            }
            case 8: {
              obj.inline = reader.bytes()
              break
            }
            case 9: {
              obj.announcedAtMs = reader.uint64()
              break
            }
            case 10: {
              obj.pieceListHash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.runHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.window`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.uid`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.baseThetaHash`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.inline`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.announcedAtMs`,
                value: reader.uint64()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.pieceListHash`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface GradAnnouncementVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface GradAnnouncementRunHashFieldEvent {
    field: '$.runHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GradAnnouncementWindowFieldEvent {
    field: '$.window'
    value: bigint
  }

  export interface GradAnnouncementUidFieldEvent {
    field: '$.uid'
    value: number
  }

  export interface GradAnnouncementDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GradAnnouncementSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export interface GradAnnouncementBaseThetaHashFieldEvent {
    field: '$.baseThetaHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GradAnnouncementInlineFieldEvent {
    field: '$.inline'
    value: Uint8Array<ArrayBuffer>
  }

  export interface GradAnnouncementAnnouncedAtMsFieldEvent {
    field: '$.announcedAtMs'
    value: bigint
  }

  export interface GradAnnouncementPieceListHashFieldEvent {
    field: '$.pieceListHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<GradAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj as GradAnnouncement, GradAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GradAnnouncement>): GradAnnouncement {
    return decodeMessage(buf, GradAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GradAnnouncement>): Generator<GradAnnouncementVersionFieldEvent | GradAnnouncementRunHashFieldEvent | GradAnnouncementWindowFieldEvent | GradAnnouncementUidFieldEvent | GradAnnouncementDigestFieldEvent | GradAnnouncementSizeFieldEvent | GradAnnouncementBaseThetaHashFieldEvent | GradAnnouncementInlineFieldEvent | GradAnnouncementAnnouncedAtMsFieldEvent | GradAnnouncementPieceListHashFieldEvent> {
    return streamMessage(buf, GradAnnouncement.codec(), opts)
  }
}

export interface ManifestEntry {
  uid: number
  digest: Uint8Array
}

export namespace ManifestEntry {
  let _codec: Codec<ManifestEntry, ManifestEntry>

  export const codec = (): Codec<ManifestEntry, ManifestEntry> => {
    if (_codec == null) {
      _codec = message<ManifestEntry, ManifestEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.uid != null && obj.uid !== 0)) {
          w.uint32(8)
          w.uint32(obj.uid)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          uid: 0,
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.uid = reader.uint32()
              break
            }
            case 2: {
              obj.digest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.uid`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ManifestEntryUidFieldEvent {
    field: '$.uid'
    value: number
  }

  export interface ManifestEntryDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ManifestEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj as ManifestEntry, ManifestEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestEntry>): ManifestEntry {
    return decodeMessage(buf, ManifestEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestEntry>): Generator<ManifestEntryUidFieldEvent | ManifestEntryDigestFieldEvent> {
    return streamMessage(buf, ManifestEntry.codec(), opts)
  }
}

export interface Manifest {
  version: number
  runHash: Uint8Array
  window: bigint
  validatorUid: number
  entries: ManifestEntry[]
  nextThetaHash: Uint8Array
  issuedAtMs: bigint
  prevDigest: Uint8Array
}

export namespace Manifest {
  let _codec: Codec<Manifest, Manifest>

  export const codec = (): Codec<Manifest, Manifest> => {
    if (_codec == null) {
      _codec = message<Manifest, Manifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.runHash)
        }

        if ((obj.window != null && obj.window !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.window)
        }

        if ((obj.validatorUid != null && obj.validatorUid !== 0)) {
          w.uint32(32)
          w.uint32(obj.validatorUid)
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(42)
            ManifestEntry.codec().encode(value, w)
          }
        }

        if ((obj.nextThetaHash != null && obj.nextThetaHash.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.nextThetaHash)
        }

        if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0n)) {
          w.uint32(56)
          writeUint64(w, obj.issuedAtMs)
        }

        if ((obj.prevDigest != null && obj.prevDigest.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.prevDigest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          runHash: uint8ArrayAlloc(0),
          window: 0n,
          validatorUid: 0,
          entries: [],
          nextThetaHash: uint8ArrayAlloc(0),
          issuedAtMs: 0n,
          prevDigest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.runHash = reader.bytes()
              break
            }
            case 3: {
              obj.window = reader.uint64()
              break
            }
            case 4: {
              obj.validatorUid = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(ManifestEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            case 6: {
              obj.nextThetaHash = reader.bytes()
              break
            }
            case 7: {
              obj.issuedAtMs = reader.uint64()
              break
            }
            case 8: {
              obj.prevDigest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.runHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.window`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.validatorUid`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of ManifestEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.nextThetaHash`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.issuedAtMs`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.prevDigest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ManifestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ManifestRunHashFieldEvent {
    field: '$.runHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ManifestWindowFieldEvent {
    field: '$.window'
    value: bigint
  }

  export interface ManifestValidatorUidFieldEvent {
    field: '$.validatorUid'
    value: number
  }

  export interface ManifestEntriesUidFieldEvent {
    field: '$.entries[].uid'
    value: number
    index: number
  }

  export interface ManifestEntriesDigestFieldEvent {
    field: '$.entries[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ManifestNextThetaHashFieldEvent {
    field: '$.nextThetaHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ManifestIssuedAtMsFieldEvent {
    field: '$.issuedAtMs'
    value: bigint
  }

  export interface ManifestPrevDigestFieldEvent {
    field: '$.prevDigest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Manifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj as Manifest, Manifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Manifest {
    return decodeMessage(buf, Manifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Generator<ManifestVersionFieldEvent | ManifestRunHashFieldEvent | ManifestWindowFieldEvent | ManifestValidatorUidFieldEvent | ManifestEntriesUidFieldEvent | ManifestEntriesDigestFieldEvent | ManifestNextThetaHashFieldEvent | ManifestIssuedAtMsFieldEvent | ManifestPrevDigestFieldEvent> {
    return streamMessage(buf, Manifest.codec(), opts)
  }
}

export interface CheckpointAnnouncement {
  version: number
  runHash: Uint8Array
  window: bigint
  digest: Uint8Array
  size: bigint
  thetaHash: Uint8Array
}

export namespace CheckpointAnnouncement {
  let _codec: Codec<CheckpointAnnouncement, CheckpointAnnouncement>

  export const codec = (): Codec<CheckpointAnnouncement, CheckpointAnnouncement> => {
    if (_codec == null) {
      _codec = message<CheckpointAnnouncement, CheckpointAnnouncement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.runHash)
        }

        if ((obj.window != null && obj.window !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.window)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.digest)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(40)
          writeUint64(w, obj.size)
        }

        if ((obj.thetaHash != null && obj.thetaHash.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.thetaHash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          runHash: uint8ArrayAlloc(0),
          window: 0n,
          digest: uint8ArrayAlloc(0),
          size: 0n,
          thetaHash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.runHash = reader.bytes()
              break
            }
            case 3: {
              obj.window = reader.uint64()
              break
            }
            case 4: {
              obj.digest = reader.bytes()
              break
            }
            case 5: {
              obj.size = reader.uint64()
              break
            }
            case 6: {
              obj.thetaHash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.runHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.window`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.thetaHash`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CheckpointAnnouncementVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface CheckpointAnnouncementRunHashFieldEvent {
    field: '$.runHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CheckpointAnnouncementWindowFieldEvent {
    field: '$.window'
    value: bigint
  }

  export interface CheckpointAnnouncementDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CheckpointAnnouncementSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export interface CheckpointAnnouncementThetaHashFieldEvent {
    field: '$.thetaHash'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<CheckpointAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj as CheckpointAnnouncement, CheckpointAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckpointAnnouncement>): CheckpointAnnouncement {
    return decodeMessage(buf, CheckpointAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CheckpointAnnouncement>): Generator<CheckpointAnnouncementVersionFieldEvent | CheckpointAnnouncementRunHashFieldEvent | CheckpointAnnouncementWindowFieldEvent | CheckpointAnnouncementDigestFieldEvent | CheckpointAnnouncementSizeFieldEvent | CheckpointAnnouncementThetaHashFieldEvent> {
    return streamMessage(buf, CheckpointAnnouncement.codec(), opts)
  }
}

export interface NodeStatus {
  version: number
  runHash: Uint8Array
  uid: number
  role: string
  window: bigint
  thetaHash: Uint8Array
  peerCount: number
  sentAtMs: bigint
}

export namespace NodeStatus {
  let _codec: Codec<NodeStatus, NodeStatus>

  export const codec = (): Codec<NodeStatus, NodeStatus> => {
    if (_codec == null) {
      _codec = message<NodeStatus, NodeStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.runHash)
        }

        if ((obj.uid != null && obj.uid !== 0)) {
          w.uint32(24)
          w.uint32(obj.uid)
        }

        if ((obj.role != null && obj.role !== '')) {
          w.uint32(34)
          w.string(obj.role)
        }

        if ((obj.window != null && obj.window !== 0n)) {
          w.uint32(40)
          writeUint64(w, obj.window)
        }

        if ((obj.thetaHash != null && obj.thetaHash.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.thetaHash)
        }

        if ((obj.peerCount != null && obj.peerCount !== 0)) {
          w.uint32(56)
          w.uint32(obj.peerCount)
        }

        if ((obj.sentAtMs != null && obj.sentAtMs !== 0n)) {
          w.uint32(64)
          writeUint64(w, obj.sentAtMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          runHash: uint8ArrayAlloc(0),
          uid: 0,
          role: '',
          window: 0n,
          thetaHash: uint8ArrayAlloc(0),
          peerCount: 0,
          sentAtMs: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.runHash = reader.bytes()
              break
            }
            case 3: {
              obj.uid = reader.uint32()
              break
            }
            case 4: {
              obj.role = reader.string()
              break
            }
            case 5: {
              obj.window = reader.uint64()
              break
            }
            case 6: {
              obj.thetaHash = reader.bytes()
              break
            }
            case 7: {
              obj.peerCount = reader.uint32()
              break
            }
            case 8: {
              obj.sentAtMs = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.runHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.uid`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.role`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.window`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.thetaHash`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.peerCount`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.sentAtMs`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface NodeStatusVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface NodeStatusRunHashFieldEvent {
    field: '$.runHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface NodeStatusUidFieldEvent {
    field: '$.uid'
    value: number
  }

  export interface NodeStatusRoleFieldEvent {
    field: '$.role'
    value: string
  }

  export interface NodeStatusWindowFieldEvent {
    field: '$.window'
    value: bigint
  }

  export interface NodeStatusThetaHashFieldEvent {
    field: '$.thetaHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface NodeStatusPeerCountFieldEvent {
    field: '$.peerCount'
    value: number
  }

  export interface NodeStatusSentAtMsFieldEvent {
    field: '$.sentAtMs'
    value: bigint
  }

  export function encode (obj: Partial<NodeStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj as NodeStatus, NodeStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeStatus>): NodeStatus {
    return decodeMessage(buf, NodeStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<NodeStatus>): Generator<NodeStatusVersionFieldEvent | NodeStatusRunHashFieldEvent | NodeStatusUidFieldEvent | NodeStatusRoleFieldEvent | NodeStatusWindowFieldEvent | NodeStatusThetaHashFieldEvent | NodeStatusPeerCountFieldEvent | NodeStatusSentAtMsFieldEvent> {
    return streamMessage(buf, NodeStatus.codec(), opts)
  }
}

export interface BlobRequest {
  version: number
  digest: Uint8Array
  offset: bigint
  length: bigint
}

export namespace BlobRequest {
  let _codec: Codec<BlobRequest, BlobRequest>

  export const codec = (): Codec<BlobRequest, BlobRequest> => {
    if (_codec == null) {
      _codec = message<BlobRequest, BlobRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.digest)
        }

        if ((obj.offset != null && obj.offset !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.offset)
        }

        if ((obj.length != null && obj.length !== 0n)) {
          w.uint32(32)
          writeUint64(w, obj.length)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          digest: uint8ArrayAlloc(0),
          offset: 0n,
          length: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.digest = reader.bytes()
              break
            }
            case 3: {
              obj.offset = reader.uint64()
              break
            }
            case 4: {
              obj.length = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BlobRequestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface BlobRequestDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlobRequestOffsetFieldEvent {
    field: '$.offset'
    value: bigint
  }

  export interface BlobRequestLengthFieldEvent {
    field: '$.length'
    value: bigint
  }

  export function encode (obj: Partial<BlobRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj as BlobRequest, BlobRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRequest>): BlobRequest {
    return decodeMessage(buf, BlobRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobRequest>): Generator<BlobRequestVersionFieldEvent | BlobRequestDigestFieldEvent | BlobRequestOffsetFieldEvent | BlobRequestLengthFieldEvent> {
    return streamMessage(buf, BlobRequest.codec(), opts)
  }
}

export interface BlobResponse {
  version: number
  status: BlobResponse.Status
  totalSize: bigint
  offset: bigint
  length: bigint
}

export namespace BlobResponse {
  export enum Status {
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    BAD_REQUEST = 'BAD_REQUEST',
    BUSY = 'BUSY',
    TOO_LARGE = 'TOO_LARGE',
    REFUSED = 'REFUSED',
    UNREGISTERED = 'UNREGISTERED'
  }

  enum __StatusValues {
    OK = 0,
    NOT_FOUND = 1,
    BAD_REQUEST = 2,
    BUSY = 3,
    TOO_LARGE = 4,
    REFUSED = 5,
    UNREGISTERED = 6
  }

  export namespace Status {
    export const codec = (): Codec<Status, Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<BlobResponse, BlobResponse>

  export const codec = (): Codec<BlobResponse, BlobResponse> => {
    if (_codec == null) {
      _codec = message<BlobResponse, BlobResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(16)
          BlobResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.totalSize != null && obj.totalSize !== 0n)) {
          w.uint32(24)
          writeUint64(w, obj.totalSize)
        }

        if ((obj.offset != null && obj.offset !== 0n)) {
          w.uint32(32)
          writeUint64(w, obj.offset)
        }

        if ((obj.length != null && obj.length !== 0n)) {
          w.uint32(40)
          writeUint64(w, obj.length)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          status: Status.OK,
          totalSize: 0n,
          offset: 0n,
          length: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.status = BlobResponse.Status.codec().decode(reader)
              break
            }
            case 3: {
              obj.totalSize = reader.uint64()
              break
            }
            case 4: {
              obj.offset = reader.uint64()
              break
            }
            case 5: {
              obj.length = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.status`,
                value: BlobResponse.Status.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.totalSize`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BlobResponseVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface BlobResponseStatusFieldEvent {
    field: '$.status'
    value: BlobResponse.Status
  }

  export interface BlobResponseTotalSizeFieldEvent {
    field: '$.totalSize'
    value: bigint
  }

  export interface BlobResponseOffsetFieldEvent {
    field: '$.offset'
    value: bigint
  }

  export interface BlobResponseLengthFieldEvent {
    field: '$.length'
    value: bigint
  }

  export function encode (obj: Partial<BlobResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj as BlobResponse, BlobResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobResponse>): BlobResponse {
    return decodeMessage(buf, BlobResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlobResponse>): Generator<BlobResponseVersionFieldEvent | BlobResponseStatusFieldEvent | BlobResponseTotalSizeFieldEvent | BlobResponseOffsetFieldEvent | BlobResponseLengthFieldEvent> {
    return streamMessage(buf, BlobResponse.codec(), opts)
  }
}
