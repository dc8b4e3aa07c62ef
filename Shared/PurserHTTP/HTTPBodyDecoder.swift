/// Takes one message body off the front of a buffer according to its
/// framing: counted bytes, the chunked coding (sizes, extensions, CRLFs and
/// trailers checked strictly), or everything until the connection closes.
struct HTTPBodyDecoder: Sendable {
    /// What the decoder produced from the buffered bytes.
    enum Output: Sendable, Equatable {
        case body([UInt8])
        case end(trailers: HTTPHeaders)
    }

    private enum State: Sendable {
        case length(remaining: Int64)
        case chunkSize(scanned: Int)
        case chunkData(remaining: Int64)
        case chunkDataEnd
        case trailers(HTTPHeadReader)
        case untilClose
        case done
    }

    /// Longest chunk-size line (size and extensions) accepted.
    static let maximumChunkLineSize = 4096
    private var state: State
    private let maximumTrailerSize: Int

    init(framing: HTTPBodyFraming, maximumTrailerSize: Int) {
        self.maximumTrailerSize = maximumTrailerSize
        switch framing {
        case .none: state = .length(remaining: 0)
        case .length(let length): state = .length(remaining: length)
        case .chunked: state = .chunkSize(scanned: 0)
        case .untilClose: state = .untilClose
        }
    }

    /// The next piece of the body, or its end; nil while more bytes are needed.
    /// Body pieces are never empty.
    mutating func next(from buffer: inout HTTPByteBuffer) throws(HTTPParseError) -> Output? {
        while true {
            switch state {
            case .done:
                return nil
            case .length(let remaining):
                if remaining == 0 {
                    state = .done
                    return .end(trailers: HTTPHeaders())
                }
                guard buffer.count > 0 else { return nil }
                let piece = buffer.take(upTo: Int(min(remaining, Int64(Int.max))))
                state = .length(remaining: remaining - Int64(piece.count))
                return .body(piece)
            case .untilClose:
                guard buffer.count > 0 else { return nil }
                return .body(buffer.take(upTo: buffer.count))
            case .chunkSize(let scanned):
                guard let lf = buffer.firstIndex(of: HTTPSyntax.lf, from: scanned) else {
                    if buffer.count > Self.maximumChunkLineSize { throw .bad("invalid_chunk_size") }
                    state = .chunkSize(scanned: buffer.count)
                    return nil
                }
                if lf + 1 > Self.maximumChunkLineSize { throw .bad("invalid_chunk_size") }
                guard lf > 0, buffer[lf - 1] == HTTPSyntax.cr else { throw .bad("bare_line_feed") }
                let size = try Self.chunkSize(buffer.slice(0..<(lf - 1)))
                buffer.consume(lf + 1)
                if size == 0 {
                    state = .trailers(HTTPHeadReader(
                        maximumSize: maximumTrailerSize, firstLineTooLong: HTTPParseError(.requestHeaderFieldsTooLarge, "trailers_too_large"),
                        headTooLarge: HTTPParseError(.requestHeaderFieldsTooLarge, "trailers_too_large"), skipsLeadingEmptyLines: false))
                } else {
                    state = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                guard buffer.count > 0 else { return nil }
                let piece = buffer.take(upTo: Int(min(remaining, Int64(Int.max))))
                let left = remaining - Int64(piece.count)
                state = left == 0 ? .chunkDataEnd : .chunkData(remaining: left)
                return .body(piece)
            case .chunkDataEnd:
                guard buffer.count >= 1 else { return nil }
                guard buffer[0] == HTTPSyntax.cr else { throw .bad("invalid_chunk_terminator") }
                guard buffer.count >= 2 else { return nil }
                guard buffer[1] == HTTPSyntax.lf else { throw .bad("invalid_chunk_terminator") }
                buffer.consume(2)
                state = .chunkSize(scanned: 0)
            case .trailers(var reader):
                guard let lines = try reader.read(from: &buffer) else {
                    state = .trailers(reader)
                    return nil
                }
                var trailers = HTTPHeaders()
                for line in lines {
                    let field = try HTTPSyntax.fieldLine(line)
                    trailers.add(name: field.name, value: field.value)
                }
                state = .done
                return .end(trailers: trailers)
            }
        }
    }

    /// The connection closed: ends an until-close body; any other body was cut short.
    mutating func finish() throws(HTTPParseError) -> Output? {
        switch state {
        case .untilClose:
            state = .done
            return .end(trailers: HTTPHeaders())
        case .done:
            return nil
        default:
            throw .bad("truncated_body")
        }
    }

    /// `chunk-size [ chunk-ext ]`: 1 to 15 hex digits, then optional
    /// extensions (`;` after optional whitespace, then field-value bytes).
    private static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int64 {
        var size: Int64 = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = HTTPSyntax.hexDigit(line[index]) {
            guard index - line.startIndex < 15 else { throw .bad("invalid_chunk_size") }
            size = size * 16 + Int64(digit)
            index += 1
        }
        guard index > line.startIndex else { throw .bad("invalid_chunk_size") }
        var rest = line[index...]
        while let byte = rest.first, HTTPSyntax.isWhitespace(byte) { rest = rest.dropFirst() }
        guard let first = rest.first else {
            guard index == line.endIndex else { throw .bad("invalid_chunk_size") }
            return size
        }
        guard first == UInt8(ascii: ";") else { throw .bad("invalid_chunk_size") }
        guard rest.allSatisfy(HTTPSyntax.isFieldValueByte) else { throw .bad("invalid_chunk_extension") }
        return size
    }
}
