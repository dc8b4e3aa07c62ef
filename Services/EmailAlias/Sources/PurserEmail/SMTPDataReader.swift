/// Reads the body of a DATA command: removes dot-stuffing, finds the end
/// marker and enforces the size limit, across any split of the input.
///
/// Line-ending policy: only CRLF ends a line. `<CRLF>.<CRLF>` is the only end
/// marker, so `<LF>.<LF>` or `<LF>.<CRLF>` never end a message (SMTP smuggling).
/// A bare CR or LF anywhere in the data is recorded and the message is refused
/// once its end is reached.
struct SMTPDataReader: Hashable {
    private enum State: Hashable {
        case lineStart, inLine, afterCR, dotAtLineStart, dotThenCR
    }

    private var state = State.lineStart
    private(set) var message: [UInt8] = []
    private(set) var size = 0
    private(set) var oversized = false
    private(set) var sawBareLineEnding = false
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Consumes bytes from `buffer[start...]`. Returns the index after the
    /// last byte consumed and whether the end marker was reached; bytes past
    /// the marker are left for the command parser.
    mutating func consume(_ buffer: [UInt8], from start: Int) -> (next: Int, finished: Bool) {
        var index = start
        let end = buffer.count
        while index < end {
            let byte = buffer[index]
            switch state {
            case .inLine:
                if byte == .cr {
                    append(.cr)
                    state = .afterCR
                } else if byte == .lf {
                    sawBareLineEnding = true
                    append(.lf)
                } else {
                    var runEnd = index + 1
                    while runEnd < end, buffer[runEnd] != .cr, buffer[runEnd] != .lf { runEnd += 1 }
                    append(buffer[index..<runEnd])
                    index = runEnd
                    continue
                }
            case .afterCR:
                if byte == .lf {
                    append(.lf)
                    state = .lineStart
                } else {
                    sawBareLineEnding = true
                    state = .inLine
                    continue
                }
            case .lineStart:
                if byte == .dot {
                    state = .dotAtLineStart
                } else {
                    state = .inLine
                    continue
                }
            case .dotAtLineStart:
                state = byte == .cr ? .dotThenCR : .inLine
                if state == .inLine { continue }
            case .dotThenCR:
                if byte == .lf { return (index + 1, true) }
                append(.cr)
                state = .afterCR
                continue
            }
            index += 1
        }
        return (index, false)
    }

    private mutating func append(_ byte: UInt8) {
        size += 1
        guard !oversized else { return }
        if size > limit {
            markOversized()
        } else {
            message.append(byte)
        }
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
        size += bytes.count
        guard !oversized else { return }
        if size > limit {
            markOversized()
        } else {
            message.append(contentsOf: bytes)
        }
    }

    private mutating func markOversized() {
        oversized = true
        message = []
    }
}

extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let dot = UInt8(ascii: ".")
}
