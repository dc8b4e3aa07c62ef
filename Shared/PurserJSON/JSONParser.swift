/// A strict JSON parser (RFC 8259) for documents from untrusted clients.
///
/// Refuses, with the byte offset: bytes that are not UTF-8, anything outside
/// the grammar (comments, trailing commas, single quotes, `NaN`, leading
/// zeros, unescaped control characters), lone surrogate escapes, a key twice
/// in one object, nesting deeper than `maximumDepth`, and anything but
/// whitespace after the value. Recursion is bounded by `maximumDepth`, so a
/// hostile document cannot exhaust the stack.
public struct JSONParser {
    /// Deepest nesting of arrays and objects accepted (the top level is depth 1).
    public var maximumDepth: Int

    public init(maximumDepth: Int = 64) {
        self.maximumDepth = max(1, maximumDepth)
    }

    /// The value `bytes` hold, or the first fault.
    public func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONError) in
            var cursor = Cursor(bytes: buffer, maximumDepth: maximumDepth)
            cursor.skipWhitespace()
            let value = try cursor.value(depth: 0)
            cursor.skipWhitespace()
            guard cursor.position == buffer.count else {
                throw JSONError(.trailingData, at: cursor.position, "data after the JSON value")
            }
            return value
        }
    }

    /// The value `text` holds.
    public func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        guard let byte = current else { throw JSONError(.syntax, at: position, "a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw JSONError(.syntax, at: position, "unexpected byte 0x\(String(byte, radix: 16)) where a value was expected")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let start = position
        for expected in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard current == expected else { throw JSONError(.syntax, at: start, "invalid literal") }
            position += 1
        }
    }

    mutating func object(depth: Int) throws(JSONError) -> JSONObject {
        guard depth <= maximumDepth else { throw JSONError(.tooDeep, at: position, "nested deeper than \(maximumDepth)") }
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return object
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw JSONError(.syntax, at: position, "an object key was expected") }
            let keyOffset = position
            let key = try string()
            guard object[key] == nil else { throw JSONError(.duplicateKey, at: keyOffset, "the key \"\(key)\" appears twice") }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw JSONError(.syntax, at: position, "':' was expected") }
            position += 1
            skipWhitespace()
            object[key] = try value(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return object
            default: throw JSONError(.syntax, at: position, "',' or '}' was expected")
            }
        }
    }

    mutating func array(depth: Int) throws(JSONError) -> [JSONValue] {
        guard depth <= maximumDepth else { throw JSONError(.tooDeep, at: position, "nested deeper than \(maximumDepth)") }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return elements
            default: throw JSONError(.syntax, at: position, "',' or ']' was expected")
            }
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
    mutating func number() throws(JSONError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw JSONError(.syntax, at: start, "invalid number") }
        position += 1
        if first == UInt8(ascii: "0"), let next = current, isDigit(next) {
            throw JSONError(.syntax, at: start, "a number may not have a leading zero")
        }
        skipDigits()
        if current == UInt8(ascii: ".") {
            position += 1
            guard let digit = current, isDigit(digit) else { throw JSONError(.syntax, at: start, "invalid number") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let digit = current, isDigit(digit) else { throw JSONError(.syntax, at: start, "invalid number") }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func skipDigits() {
        while let byte = current, isDigit(byte) { position += 1 }
    }

    /// A string literal starting at `position` (the opening quote): escapes
    /// decoded, raw bytes checked to be UTF-8.
    mutating func string() throws(JSONError) -> String {
        let start = position
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ cursor: Cursor, upTo end: Int) throws(JSONError) {
            guard end > runStart else { return }
            let run = UnsafeBufferPointer(rebasing: cursor.bytes[runStart..<end])
            guard let text = String(validating: run, as: UTF8.self) else {
                throw JSONError(.invalidUTF8, at: runStart, "the string is not UTF-8")
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard let byte = current else { throw JSONError(.syntax, at: start, "unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                if scalars.isEmpty && runStart == start + 1 {
                    // No escape: the string is the run itself, validated once.
                    let run = UnsafeBufferPointer(rebasing: bytes[runStart..<position])
                    guard let text = String(validating: run, as: UTF8.self) else {
                        throw JSONError(.invalidUTF8, at: runStart, "the string is not UTF-8")
                    }
                    position += 1
                    return text
                }
                try flush(self, upTo: position)
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush(self, upTo: position)
                position += 1
                scalars.append(try escape())
                runStart = position
            case 0..<0x20:
                throw JSONError(.syntax, at: position, "a control character must be escaped in a string")
            default:
                position += 1
            }
        }
    }

    /// The character of the escape after a backslash.
    mutating func escape() throws(JSONError) -> Unicode.Scalar {
        guard let byte = current else { throw JSONError(.syntax, at: position, "unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let offset = position - 2
            let unit = try hex4()
            if (0xD800..<0xDC00).contains(unit) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                    throw JSONError(.invalidEscape, at: offset, "a high surrogate without its low surrogate")
                }
                position += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw JSONError(.invalidEscape, at: offset, "a high surrogate without its low surrogate")
                }
                let value = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(value) else { throw JSONError(.invalidEscape, at: offset, "invalid escape") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(unit) else {
                throw JSONError(.invalidEscape, at: offset, "a low surrogate without its high surrogate")
            }
            return scalar
        default:
            throw JSONError(.invalidEscape, at: position - 2, "invalid escape")
        }
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw JSONError(.invalidEscape, at: position, "truncated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONError(.invalidEscape, at: position, "invalid hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
