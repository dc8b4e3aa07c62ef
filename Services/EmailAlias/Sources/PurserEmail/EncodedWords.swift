/// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`) in header values.
enum EncodedWords {
    /// Replaces every well-formed encoded word in a known charset by its text;
    /// whitespace between two adjacent encoded words is dropped, as RFC 2047
    /// requires. Anything malformed stays as sent.
    /// Values longer than this are returned as sent, which bounds the work
    /// hostile headers can cause.
    static let maxValueLength = 16 * 1024
    /// Longest encoded text of one word considered (RFC 2047 allows 75 for
    /// the whole word; real mailers exceed that, so allow more).
    static let maxWordLength = 512

    static func decode(_ value: String) -> String {
        let bytes = Array(value.utf8)
        guard bytes.count >= 8, bytes.count <= maxValueLength, bytes.contains(UInt8(ascii: "?")) else { return value }
        var output = ""
        var literalStart = 0
        var afterEncodedWord = false
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?"),
                let (text, end) = decodeWord(bytes, at: index)
            {
                let literal = bytes[literalStart..<index]
                if !(afterEncodedWord && literal.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })) {
                    output += String(decoding: literal, as: UTF8.self)
                }
                output += text
                afterEncodedWord = true
                index = end
                literalStart = end
            } else {
                index += 1
            }
        }
        output += String(decoding: bytes[literalStart...], as: UTF8.self)
        return output
    }

    /// Decodes the encoded word starting at `start` (at its `=?`); returns
    /// the text and the index after its `?=`.
    private static func decodeWord(_ bytes: [UInt8], at start: Int) -> (String, Int)? {
        let question = UInt8(ascii: "?")
        let charsetStart = start + 2
        guard let charsetEnd = bytes[charsetStart...].prefix(64).firstIndex(of: question), charsetEnd > charsetStart,
            charsetEnd + 2 < bytes.count, bytes[charsetEnd + 2] == question
        else { return nil }
        let textStart = charsetEnd + 3
        var textEnd = textStart
        while textEnd + 1 < bytes.count, !(bytes[textEnd] == question && bytes[textEnd + 1] == UInt8(ascii: "=")) {
            let byte = bytes[textEnd]
            guard byte > 32, byte < 127, textEnd - textStart < maxWordLength else { return nil }
            textEnd += 1
        }
        guard textEnd + 1 < bytes.count else { return nil }
        var charset = String(decoding: bytes[charsetStart..<charsetEnd], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let encoded = bytes[textStart..<textEnd]
        let decoded: [UInt8]
        switch bytes[charsetEnd + 1] {
        case UInt8(ascii: "B"), UInt8(ascii: "b"): decoded = TransferEncoding.decodeBase64(encoded)
        case UInt8(ascii: "Q"), UInt8(ascii: "q"): decoded = TransferEncoding.decodeQEncoding(encoded)
        default: return nil
        }
        guard let text = Charset.decode(decoded[...], charset: charset) else { return nil }
        return (text, textEnd + 2)
    }
}
