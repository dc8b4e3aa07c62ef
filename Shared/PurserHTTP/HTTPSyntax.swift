/// Character classes and small grammars of RFC 9110 / RFC 9112.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09

    private static let tokenTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in "!#$%&'*+-.^_`|~".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// `tchar` (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    /// A non-empty `token`.
    static func isToken<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// A byte allowed inside a field value: VCHAR, obs-text, SP or HTAB
    /// (no control character, no CR, LF or NUL).
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || (byte >= 0x21 && byte != 0x7F)
    }

    /// A byte allowed in a request target: visible ASCII.
    static func isTargetByte(_ byte: UInt8) -> Bool { byte >= 0x21 && byte <= 0x7E }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Parses `HTTP/D.D`; nil when it is not that shape.
    static func version<C: Collection>(_ bytes: C) -> HTTPVersion? where C.Element == UInt8 {
        let array = Array(bytes)
        guard array.count == 8, array[0..<5].elementsEqual("HTTP/".utf8), array[6] == UInt8(ascii: "."),
              let major = digit(array[5]), let minor = digit(array[7]) else { return nil }
        return HTTPVersion(major: major, minor: minor)
    }

    static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    /// Parses one field line (`name: value`), rejecting obs-fold, a name that
    /// is not a token (whitespace before the colon included) and control
    /// characters in the value; the value loses its surrounding whitespace.
    static func fieldLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPHeaders.Field {
        guard let first = line.first else { throw .bad("invalid_header_line") }
        if isWhitespace(first) { throw .bad("obsolete_line_folding") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .bad("invalid_header_line") }
        let name = line[line.startIndex..<colon]
        guard isToken(name) else { throw .bad("invalid_header_name") }
        var value = line[(colon + 1)...]
        while let byte = value.first, isWhitespace(byte) { value = value.dropFirst() }
        while let byte = value.last, isWhitespace(byte) { value = value.dropLast() }
        guard value.allSatisfy(isFieldValueByte) else { throw .bad("invalid_header_value") }
        return HTTPHeaders.Field(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }
}

/// An HTTP version; only 1.0 and 1.1 are spoken.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}
