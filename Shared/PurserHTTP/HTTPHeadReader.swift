/// Collects the lines of a message head (start line and field lines, up to
/// the empty line) from the front of a buffer, enforcing CRLF line endings
/// and a size limit. Consumes nothing until the head is complete, so the
/// outcome depends only on the bytes, never on how they were split.
struct HTTPHeadReader: Sendable {
    /// The status for an over-long first line, and for an over-long head.
    let firstLineTooLong: HTTPParseError
    let headTooLarge: HTTPParseError
    let maximumSize: Int
    /// Skip empty lines before the first line (RFC 9112 §2.2); off for trailer sections.
    let skipsLeadingEmptyLines: Bool
    private var scanned = 0
    private var lineStart = 0
    private var lines: [Range<Int>] = []

    init(maximumSize: Int, firstLineTooLong: HTTPParseError, headTooLarge: HTTPParseError, skipsLeadingEmptyLines: Bool) {
        self.maximumSize = maximumSize
        self.firstLineTooLong = firstLineTooLong
        self.headTooLarge = headTooLarge
        self.skipsLeadingEmptyLines = skipsLeadingEmptyLines
    }

    /// The head's lines (without CRLF) once the empty line that ends it has
    /// arrived, consuming the head from `buffer`; nil while more bytes are needed.
    /// Throws on a bare LF or CR, or when the head outgrows `maximumSize`.
    mutating func read(from buffer: inout HTTPByteBuffer) throws(HTTPParseError) -> [ArraySlice<UInt8>]? {
        while true {
            if skipsLeadingEmptyLines && lines.isEmpty && lineStart == 0 {
                // Empty lines before a request line are ignored (robustness for stray CRLF after a body).
                guard buffer.count >= 1 else { return nil }
                if buffer[0] == HTTPSyntax.lf { throw .bad("bare_line_feed") }
                if buffer[0] == HTTPSyntax.cr {
                    guard buffer.count >= 2 else { return nil }
                    guard buffer[1] == HTTPSyntax.lf else { throw .bad("bare_carriage_return") }
                    buffer.consume(2)
                    scanned = 0
                    continue
                }
            }
            guard let lf = buffer.firstIndex(of: HTTPSyntax.lf, from: scanned) else {
                scanned = buffer.count
                if buffer.count > maximumSize { throw lines.isEmpty ? firstLineTooLong : headTooLarge }
                return nil
            }
            if lf + 1 > maximumSize { throw lines.isEmpty ? firstLineTooLong : headTooLarge }
            guard lf > lineStart, buffer[lf - 1] == HTTPSyntax.cr else { throw .bad("bare_line_feed") }
            let line = lineStart..<(lf - 1)
            if buffer.slice(line).contains(HTTPSyntax.cr) { throw .bad("bare_carriage_return") }
            scanned = lf + 1
            lineStart = lf + 1
            if line.isEmpty && (!lines.isEmpty || !skipsLeadingEmptyLines) {
                let result = lines.map { buffer.slice($0) }
                buffer.consume(lf + 1)
                reset()
                return result
            }
            lines.append(line)
        }
    }

    /// Forgets a completed head so the next one can be read.
    private mutating func reset() {
        scanned = 0
        lineStart = 0
        lines = []
    }
}
