extension Frame {
    /// Appends the frame's wire bytes to `buffer`.
    ///
    /// Guarantees: on success exactly one complete frame was appended; on error
    /// `buffer` is left as it was. Fails on metadata keys outside `[0-9a-z._-]`,
    /// metadata over 8 KiB, strings longer than their length field, and frames
    /// longer than `maximumSize`.
    public func encode(into buffer: inout [UInt8], maximumSize: Int = Frame.defaultMaximumSize) throws(FrameError) {
        let start = buffer.count
        buffer.reserveCapacity(start + 32 + estimatedBodySize)
        buffer.appendUInt32(0)  // length, patched below
        buffer.append(kind.rawValue)
        buffer.append(0)  // flags
        buffer.appendUInt16(0)  // reserved
        buffer.appendUInt32(stream)
        do throws(FrameError) {
            switch self {
            case .request(_, let method, let timeout, let metadata, let message):
                guard stream != 0 else { throw FrameError(.invalidStream, "a request needs a non-zero stream") }
                try buffer.appendString16(method)
                buffer.appendUInt32(timeout)
                try buffer.appendMetadata(metadata)
                buffer.append(contentsOf: message)
            case .response(_, let status, let statusMessage, let metadata, let message):
                buffer.append(status.rawValue)
                try buffer.appendString16(statusMessage)
                try buffer.appendMetadata(metadata)
                buffer.append(contentsOf: message)
            case .cancel:
                break
            case .ping(let payload), .pong(let payload):
                buffer.appendUInt64(payload)
            case .goAway(let lastStream, let status, let message):
                buffer.appendUInt32(lastStream)
                buffer.append(status.rawValue)
                try buffer.appendString16(message)
            }
        } catch {
            buffer.removeSubrange(start...)
            throw error
        }
        let length = buffer.count - start - 4
        guard length <= maximumSize else {
            buffer.removeSubrange(start...)
            throw FrameError(.frameTooLarge, "frame of \(length) bytes exceeds the maximum of \(maximumSize)")
        }
        buffer[start] = UInt8(truncatingIfNeeded: length >> 24)
        buffer[start + 1] = UInt8(truncatingIfNeeded: length >> 16)
        buffer[start + 2] = UInt8(truncatingIfNeeded: length >> 8)
        buffer[start + 3] = UInt8(truncatingIfNeeded: length)
    }

    /// The frame's wire bytes as a new array.
    public func encoded(maximumSize: Int = Frame.defaultMaximumSize) throws(FrameError) -> [UInt8] {
        var bytes: [UInt8] = []
        try encode(into: &bytes, maximumSize: maximumSize)
        return bytes
    }

    private var estimatedBodySize: Int {
        switch self {
        case .request(_, let method, _, _, let message): method.utf8.count + message.count + 64
        case .response(_, _, let text, _, let message): text.utf8.count + message.count + 64
        default: 32
        }
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendUInt16(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func appendUInt32(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func appendUInt64(_ value: UInt64) {
        appendUInt32(UInt32(truncatingIfNeeded: value >> 32))
        appendUInt32(UInt32(truncatingIfNeeded: value))
    }

    mutating func appendString16(_ string: String) throws(FrameError) {
        let count = string.utf8.count
        guard count <= Int(UInt16.max) else { throw FrameError(.fieldTooLong, "string of \(count) bytes exceeds 65535") }
        appendUInt16(UInt16(count))
        append(contentsOf: string.utf8)
    }

    mutating func appendMetadata(_ metadata: Metadata) throws(FrameError) {
        guard metadata.count <= Int(UInt16.max) else { throw FrameError(.metadataTooLarge, "too many metadata entries") }
        var size = 2
        for entry in metadata.entries {
            let keyCount = entry.key.utf8.count
            guard keyCount > 0, keyCount <= 255, entry.key.utf8.allSatisfy(Metadata.isKeyByte) else {
                throw FrameError(.invalidMetadataKey, "metadata key must be 1-255 bytes of [0-9a-z._-]")
            }
            size += 1 + keyCount + 2 + entry.value.utf8.count
        }
        guard size <= Metadata.maximumEncodedSize else {
            throw FrameError(.metadataTooLarge, "metadata of \(size) bytes exceeds \(Metadata.maximumEncodedSize)")
        }
        appendUInt16(UInt16(metadata.count))
        for entry in metadata.entries {
            append(UInt8(entry.key.utf8.count))
            append(contentsOf: entry.key.utf8)
            appendUInt16(UInt16(entry.value.utf8.count))
            append(contentsOf: entry.value.utf8)
        }
    }
}
