import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime';
import { writeUint64 } from './uint64.js';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var GradAnnouncement;
(function (GradAnnouncement) {
    let _codec;
    GradAnnouncement.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.runHash);
                }
                if ((obj.window != null && obj.window !== 0n)) {
                    w.uint32(24);
                    writeUint64(w, obj.window);
                }
                if ((obj.uid != null && obj.uid !== 0)) {
                    w.uint32(32);
                    w.uint32(obj.uid);
                }
                if ((obj.digest != null && obj.digest.byteLength > 0)) {
                    w.uint32(42);
                    w.bytes(obj.digest);
                }
                if ((obj.size != null && obj.size !== 0n)) {
                    w.uint32(48);
                    writeUint64(w, obj.size);
                }
                if ((obj.baseThetaHash != null && obj.baseThetaHash.byteLength > 0)) {
                    w.uint32(58);
                    w.bytes(obj.baseThetaHash);
                }
                if (obj.inline != null) {
                    w.uint32(66);
                    w.bytes(obj.inline);
                }
                if ((obj.announcedAtMs != null && obj.announcedAtMs !== 0n)) {
                    w.uint32(72);
                    writeUint64(w, obj.announcedAtMs);
                }
                if (obj.pieceListHash != null) {
                    w.uint32(82);
                    w.bytes(obj.pieceListHash);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    runHash: uint8ArrayAlloc(0),
                    window: 0n,
                    uid: 0,
                    digest: uint8ArrayAlloc(0),
                    size: 0n,
                    baseThetaHash: uint8ArrayAlloc(0),
                    announcedAtMs: 0n
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.runHash = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.window = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.uid = reader.uint32();
                            break;
                        }
                        case 5: {
                            obj.digest = reader.bytes();
                            break;
                        }
                        case 6: {
                            obj.size = reader.uint64();
                            break;
                        }
                        case 7: {
                            obj.baseThetaHash = reader.bytes();
                            break;
                        }
                        case 8: {
                            obj.inline = reader.bytes();
                            break;
                        }
                        case 9: {
                            obj.announcedAtMs = reader.uint64();
                            break;
                        }
                        case 10: {
                            obj.pieceListHash = reader.bytes();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.runHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.window`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.uid`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.digest`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.size`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.baseThetaHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.inline`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.announcedAtMs`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.pieceListHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, GradAnnouncement.codec());
    }
    GradAnnouncement.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, GradAnnouncement.codec(), opts);
    }
    GradAnnouncement.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, GradAnnouncement.codec(), opts);
    }
    GradAnnouncement.stream = stream;
})(GradAnnouncement || (GradAnnouncement = {}));
export var ManifestEntry;
(function (ManifestEntry) {
    let _codec;
    ManifestEntry.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.uid != null && obj.uid !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.uid);
                }
                if ((obj.digest != null && obj.digest.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.digest);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    uid: 0,
                    digest: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.uid = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.digest = reader.bytes();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.uid`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.digest`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, ManifestEntry.codec());
    }
    ManifestEntry.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, ManifestEntry.codec(), opts);
    }
    ManifestEntry.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, ManifestEntry.codec(), opts);
    }
    ManifestEntry.stream = stream;
})(ManifestEntry || (ManifestEntry = {}));
export var Manifest;
(function (Manifest) {
    let _codec;
    Manifest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.runHash);
                }
                if ((obj.window != null && obj.window !== 0n)) {
                    w.uint32(24);
                    writeUint64(w, obj.window);
                }
                if ((obj.validatorUid != null && obj.validatorUid !== 0)) {
                    w.uint32(32);
                    w.uint32(obj.validatorUid);
                }
                if (obj.entries != null && obj.entries.length > 0) {
                    for (const value of obj.entries) {
                        w.uint32(42);
                        ManifestEntry.codec().encode(value, w);
                    }
                }
                if ((obj.nextThetaHash != null && obj.nextThetaHash.byteLength > 0)) {
                    w.uint32(50);
                    w.bytes(obj.nextThetaHash);
                }
                if ((obj.issuedAtMs != null && obj.issuedAtMs !== 0n)) {
                    w.uint32(56);
                    writeUint64(w, obj.issuedAtMs);
                }
                if ((obj.prevDigest != null && obj.prevDigest.byteLength > 0)) {
                    w.uint32(66);
                    w.bytes(obj.prevDigest);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    runHash: uint8ArrayAlloc(0),
                    window: 0n,
                    validatorUid: 0,
                    entries: [],
                    nextThetaHash: uint8ArrayAlloc(0),
                    issuedAtMs: 0n,
                    prevDigest: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.runHash = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.window = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.validatorUid = reader.uint32();
                            break;
                        }
                        case 5: {
                            if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements');
                            }
                            obj.entries.push(ManifestEntry.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.entries$
                            }));
                            break;
                        }
                        case 6: {
                            obj.nextThetaHash = reader.bytes();
                            break;
                        }
                        case 7: {
                            obj.issuedAtMs = reader.uint64();
                            break;
                        }
                        case 8: {
                            obj.prevDigest = reader.bytes();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const obj = {
                    entries: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.runHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.window`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.validatorUid`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 5: {
                            if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements');
                            }
                            for (const evt of ManifestEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                                limits: opts.limits?.entries$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.entries
                                };
                            }
                            obj.entries++;
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.nextThetaHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.issuedAtMs`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.prevDigest`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, Manifest.codec());
    }
    Manifest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Manifest.codec(), opts);
    }
    Manifest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Manifest.codec(), opts);
    }
    Manifest.stream = stream;
})(Manifest || (Manifest = {}));
export var CheckpointAnnouncement;
(function (CheckpointAnnouncement) {
    let _codec;
    CheckpointAnnouncement.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.runHash);
                }
                if ((obj.window != null && obj.window !== 0n)) {
                    w.uint32(24);
                    writeUint64(w, obj.window);
                }
                if ((obj.digest != null && obj.digest.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.digest);
                }
                if ((obj.size != null && obj.size !== 0n)) {
                    w.uint32(40);
                    writeUint64(w, obj.size);
                }
                if ((obj.thetaHash != null && obj.thetaHash.byteLength > 0)) {
                    w.uint32(50);
                    w.bytes(obj.thetaHash);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    runHash: uint8ArrayAlloc(0),
                    window: 0n,
                    digest: uint8ArrayAlloc(0),
                    size: 0n,
                    thetaHash: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.runHash = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.window = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.digest = reader.bytes();
                            break;
                        }
                        case 5: {
                            obj.size = reader.uint64();
                            break;
                        }
                        case 6: {
                            obj.thetaHash = reader.bytes();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.runHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.window`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.digest`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.size`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.thetaHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, CheckpointAnnouncement.codec());
    }
    CheckpointAnnouncement.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, CheckpointAnnouncement.codec(), opts);
    }
    CheckpointAnnouncement.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, CheckpointAnnouncement.codec(), opts);
    }
    CheckpointAnnouncement.stream = stream;
})(CheckpointAnnouncement || (CheckpointAnnouncement = {}));
export var NodeStatus;
(function (NodeStatus) {
    let _codec;
    NodeStatus.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.runHash != null && obj.runHash.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.runHash);
                }
                if ((obj.uid != null && obj.uid !== 0)) {
                    w.uint32(24);
                    w.uint32(obj.uid);
                }
                if ((obj.role != null && obj.role !== '')) {
                    w.uint32(34);
                    w.string(obj.role);
                }
                if ((obj.window != null && obj.window !== 0n)) {
                    w.uint32(40);
                    writeUint64(w, obj.window);
                }
                if ((obj.thetaHash != null && obj.thetaHash.byteLength > 0)) {
                    w.uint32(50);
                    w.bytes(obj.thetaHash);
                }
                if ((obj.peerCount != null && obj.peerCount !== 0)) {
                    w.uint32(56);
                    w.uint32(obj.peerCount);
                }
                if ((obj.sentAtMs != null && obj.sentAtMs !== 0n)) {
                    w.uint32(64);
                    writeUint64(w, obj.sentAtMs);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    runHash: uint8ArrayAlloc(0),
                    uid: 0,
                    role: '',
                    window: 0n,
                    thetaHash: uint8ArrayAlloc(0),
                    peerCount: 0,
                    sentAtMs: 0n
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.runHash = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.uid = reader.uint32();
                            break;
                        }
                        case 4: {
                            obj.role = reader.string();
                            break;
                        }
                        case 5: {
                            obj.window = reader.uint64();
                            break;
                        }
                        case 6: {
                            obj.thetaHash = reader.bytes();
                            break;
                        }
                        case 7: {
                            obj.peerCount = reader.uint32();
                            break;
                        }
                        case 8: {
                            obj.sentAtMs = reader.uint64();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.runHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.uid`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.role`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.window`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.thetaHash`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.peerCount`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.sentAtMs`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, NodeStatus.codec());
    }
    NodeStatus.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, NodeStatus.codec(), opts);
    }
    NodeStatus.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, NodeStatus.codec(), opts);
    }
    NodeStatus.stream = stream;
})(NodeStatus || (NodeStatus = {}));
export var BlobRequest;
(function (BlobRequest) {
    let _codec;
    BlobRequest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.digest != null && obj.digest.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.digest);
                }
                if ((obj.offset != null && obj.offset !== 0n)) {
                    w.uint32(24);
                    writeUint64(w, obj.offset);
                }
                if ((obj.length != null && obj.length !== 0n)) {
                    w.uint32(32);
                    writeUint64(w, obj.length);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    digest: uint8ArrayAlloc(0),
                    offset: 0n,
                    length: 0n
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.digest = reader.bytes();
                            break;
                        }
                        case 3: {
                            obj.offset = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.length = reader.uint64();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.digest`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.offset`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.length`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, BlobRequest.codec());
    }
    BlobRequest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, BlobRequest.codec(), opts);
    }
    BlobRequest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, BlobRequest.codec(), opts);
    }
    BlobRequest.stream = stream;
})(BlobRequest || (BlobRequest = {}));
export var BlobResponse;
(function (BlobResponse) {
    let Status;
    (function (Status) {
        Status["OK"] = "OK";
        Status["NOT_FOUND"] = "NOT_FOUND";
        Status["BAD_REQUEST"] = "BAD_REQUEST";
        Status["BUSY"] = "BUSY";
        Status["TOO_LARGE"] = "TOO_LARGE";
        Status["REFUSED"] = "REFUSED";
        Status["UNREGISTERED"] = "UNREGISTERED";
    })(Status = BlobResponse.Status || (BlobResponse.Status = {}));
    let __StatusValues;
    (function (__StatusValues) {
        __StatusValues[__StatusValues["OK"] = 0] = "OK";
        __StatusValues[__StatusValues["NOT_FOUND"] = 1] = "NOT_FOUND";
        __StatusValues[__StatusValues["BAD_REQUEST"] = 2] = "BAD_REQUEST";
        __StatusValues[__StatusValues["BUSY"] = 3] = "BUSY";
        __StatusValues[__StatusValues["TOO_LARGE"] = 4] = "TOO_LARGE";
        __StatusValues[__StatusValues["REFUSED"] = 5] = "REFUSED";
        __StatusValues[__StatusValues["UNREGISTERED"] = 6] = "UNREGISTERED";
    })(__StatusValues || (__StatusValues = {}));
    (function (Status) {
        Status.codec = () => {
            return enumeration(__StatusValues);
        };
    })(Status = BlobResponse.Status || (BlobResponse.Status = {}));
    let _codec;
    BlobResponse.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if (obj.status != null && __StatusValues[obj.status] !== 0) {
                    w.uint32(16);
                    BlobResponse.Status.codec().encode(obj.status, w);
                }
                if ((obj.totalSize != null && obj.totalSize !== 0n)) {
                    w.uint32(24);
                    writeUint64(w, obj.totalSize);
                }
                if ((obj.offset != null && obj.offset !== 0n)) {
                    w.uint32(32);
                    writeUint64(w, obj.offset);
                }
                if ((obj.length != null && obj.length !== 0n)) {
                    w.uint32(40);
                    writeUint64(w, obj.length);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    status: Status.OK,
                    totalSize: 0n,
                    offset: 0n,
                    length: 0n
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.status = BlobResponse.Status.codec().decode(reader);
                            break;
                        }
                        case 3: {
                            obj.totalSize = reader.uint64();
                            break;
                        }
                        case 4: {
                            obj.offset = reader.uint64();
                            break;
                        }
                        case 5: {
                            obj.length = reader.uint64();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.status`,
                                value: BlobResponse.Status.codec().decode(reader)
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.totalSize`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.offset`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.length`,
                                value: reader.uint64()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, BlobResponse.codec());
    }
    BlobResponse.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, BlobResponse.codec(), opts);
    }
    BlobResponse.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, BlobResponse.codec(), opts);
    }
    BlobResponse.stream = stream;
})(BlobResponse || (BlobResponse = {}));
//# sourceMappingURL=messages.js.map