/// Incremental `purser/1` frame parser: a pure state machine over bytes.
///
/// Append bytes as they arrive in any split, then pull frames until `nil`.
/// Guarantees: a frame is returned only once all of its bytes have arrived;
/// a malformed frame throws a `FrameError` and the decoder must then be
/// discarded (the connection is closed); it never traps on any input and never
/// buffers more than one maximum frame plus one read.
public struct FrameDecoder: Sendable {
    public let maximumFrameSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(maximumFrameSize: Int = Frame.defaultMaximumSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Adds received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes.
    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or `nil` when more bytes are needed.
    public mutating func next() throws(FrameError) -> Frame? {
        let available = buffer.count - readIndex
        guard available >= 4 else { return nil }
        let length = Int(readUInt32(at: readIndex))
        guard length >= Frame.headerSize else {
            throw FrameError(.frameTooShort, "frame length \(length) is below the 8-byte header")
        }
        guard length <= maximumFrameSize else {
            throw FrameError(.frameTooLarge, "frame length \(length) exceeds the maximum of \(maximumFrameSize)")
        }
        guard available >= 4 + length else { return nil }
        let start = readIndex + 4
        let end = start + length
        let frame = try buffer.withUnsafeBufferPointer { all throws(FrameError) -> Frame in
            var reader = FrameReader(bytes: UnsafeBufferPointer(rebasing: all[start..<end]))
            return try reader.frame()
        }
        readIndex = end
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            readIndex = 0
        }
        return frame
    }

    private mutating func compactIfWorthwhile() {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    private func readUInt32(at index: Int) -> UInt32 {
        UInt32(buffer[index]) << 24 | UInt32(buffer[index + 1]) << 16 | UInt32(buffer[index + 2]) << 8 | UInt32(buffer[index + 3])
    }
}

/// Reads the fields of one frame (header and body, length field excluded).
struct FrameReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func frame() throws(FrameError) -> Frame {
        let typeByte = try u8()
        _ = try u8()  // flags: reserved
        _ = try u16()  // reserved
        let stream = try u32()
        guard let kind = Frame.Kind(rawValue: typeByte) else {
            throw FrameError(.unknownFrameType, "unknown frame type \(typeByte)")
        }
        switch kind {
        case .request:
            guard stream != 0 else { throw FrameError(.invalidStream, "REQUEST on stream 0") }
            let method = try string16()
            let timeout = try u32()
            let metadata = try metadataSection()
            return .request(stream: stream, method: method, timeoutMilliseconds: timeout, metadata: metadata, message: rest())
        case .response:
            guard stream != 0 else { throw FrameError(.invalidStream, "RESPONSE on stream 0") }
            let status = try statusCode()
            let text = try string16()
            let metadata = try metadataSection()
            return .response(stream: stream, status: status, statusMessage: text, metadata: metadata, message: rest())
        case .cancel:
            guard stream != 0 else { throw FrameError(.invalidStream, "CANCEL on stream 0") }
            try expectEnd()
            return .cancel(stream: stream)
        case .ping, .pong:
            guard bytes.count - offset == 8 else {
                throw FrameError(.invalidPingPayload, "PING/PONG carries exactly 8 bytes, got \(bytes.count - offset)")
            }
            let payload = UInt64(try u32()) << 32 | UInt64(try u32())
            return kind == .ping ? .ping(payload) : .pong(payload)
        case .goAway:
            let lastStream = try u32()
            let status = try statusCode()
            let text = try string16()
            try expectEnd()
            return .goAway(lastStream: lastStream, status: status, message: text)
        }
    }

    private mutating func need(_ count: Int) throws(FrameError) {
        guard bytes.count - offset >= count else {
            throw FrameError(.truncatedBody, "frame body ends before a \(count)-byte field")
        }
    }

    mutating func u8() throws(FrameError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(FrameError) -> UInt16 {
        try need(2)
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(FrameError) -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    private mutating func statusCode() throws(FrameError) -> StatusCode {
        let raw = try u8()
        guard let status = StatusCode(rawValue: raw) else { throw FrameError(.invalidStatus, "status \(raw) is not 0-16") }
        return status
    }

    private mutating func utf8(count: Int) throws(FrameError) -> String {
        try need(count)
        let slice = UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])
        offset += count
        guard let string = String(validating: slice, as: UTF8.self) else {
            throw FrameError(.invalidUTF8, "string is not valid UTF-8")
        }
        return string
    }

    private mutating func string16() throws(FrameError) -> String {
        try utf8(count: Int(try u16()))
    }

    private mutating func metadataSection() throws(FrameError) -> Metadata {
        let start = offset
        let count = Int(try u16())
        var entries: [(key: String, value: String)] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let keyLength = Int(try u8())
            try need(keyLength)
            guard keyLength > 0, bytes[offset..<offset + keyLength].allSatisfy(Metadata.isKeyByte) else {
                throw FrameError(.invalidMetadataKey, "metadata key must be 1-255 bytes of [0-9a-z._-]")
            }
            let key = try utf8(count: keyLength)
            let value = try string16()
            entries.append((key: key, value: value))
            guard offset - start <= Metadata.maximumEncodedSize else {
                throw FrameError(.metadataTooLarge, "metadata exceeds \(Metadata.maximumEncodedSize) bytes")
            }
        }
        return Metadata(entries)
    }

    private func rest() -> [UInt8] { Array(UnsafeBufferPointer(rebasing: bytes[offset...])) }

    private func expectEnd() throws(FrameError) {
        guard offset == bytes.count else {
            throw FrameError(.trailingBytes, "\(bytes.count - offset) unexpected bytes after the frame's fields")
        }
    }
}
