extension JSONValue {
    /// The document as compact UTF-8 JSON: members in order, strings escaped
    /// (`"`, `\`, control characters; everything else as UTF-8), numbers as
    /// their text.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        write(into: &output)
        return output
    }

    /// `serialized()` as a `String`.
    public var text: String { String(decoding: serialized(), as: UTF8.self) }

    /// The document as JSON text for people to read: the same members and
    /// escapes as `serialized()`, one member or element per line indented by
    /// two spaces per level, ending in a newline.
    public func rendered() -> String {
        var output: [UInt8] = []
        write(into: &output, indent: 0)
        output.append(0x0A)
        return String(decoding: output, as: UTF8.self)
    }

    /// Writes the document; `indent` is the current level when indenting, `nil` for compact text.
    func write(into output: inout [UInt8], indent: Int? = nil) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let literal): output.append(contentsOf: literal.utf8)
        case .string(let value): JSONValue.writeString(value, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.newline(into: &output, indent: indent.map { $0 + 1 })
                element.write(into: &output, indent: indent.map { $0 + 1 })
            }
            if !elements.isEmpty { JSONValue.newline(into: &output, indent: indent) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.newline(into: &output, indent: indent.map { $0 + 1 })
                JSONValue.writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                if indent != nil { output.append(UInt8(ascii: " ")) }
                (object[key] ?? .null).write(into: &output, indent: indent.map { $0 + 1 })
            }
            if object.count > 0 { JSONValue.newline(into: &output, indent: indent) }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A line break and `indent` levels of two spaces; nothing when writing compact text.
    private static func newline(into output: inout [UInt8], indent: Int?) {
        guard let indent else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    static func writeString(_ value: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            // Nothing to escape: the bytes as they are.
            output.append(contentsOf: value.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
