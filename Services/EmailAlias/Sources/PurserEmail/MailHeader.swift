/// One header field of a message, unfolded; the value is as sent (encoded
/// words are not decoded here) except that control characters are replaced
/// (see `HeaderText`).
package struct MailHeader: Sendable, Hashable {
    package var name: String
    package var value: String

    /// Creates a header field from its name and unfolded value.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension MailHeader {
    /// Most header fields read from one entity; the rest are ignored.
    static let maxFields = 1000

    /// Splits an entity into its header fields and its body at the first empty
    /// line. When the first line is not a header field, there is no header
    /// section and everything is body; when there is no empty line, everything
    /// is header section.
    static func split(_ entity: ArraySlice<UInt8>) -> (headers: [MailHeader], body: ArraySlice<UInt8>) {
        var headers: [MailHeader] = []
        var lineStart = entity.startIndex
        var current: (name: String, value: [UInt8])?
        while lineStart < entity.endIndex {
            let newline = entity[lineStart...].firstIndex(of: .lf) ?? entity.endIndex
            var lineEnd = newline
            if lineEnd > lineStart, entity[lineEnd - 1] == .cr { lineEnd -= 1 }
            let line = entity[lineStart..<lineEnd]
            let next = newline == entity.endIndex ? newline : newline + 1
            if line.isEmpty {
                if let current, headers.count < maxFields { headers.append(make(current)) }
                return (headers, entity[next...])
            }
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                if current != nil {
                    current?.value.append(contentsOf: line)
                } else if headers.isEmpty {
                    return ([], entity)
                }
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[line.startIndex..<colon].allSatisfy({ $0 > 32 && $0 < 127 })
            {
                if let current, headers.count < maxFields { headers.append(make(current)) }
                current = (String(decoding: line[line.startIndex..<colon], as: UTF8.self), Array(line[(colon + 1)...]))
            } else if headers.isEmpty && current == nil {
                return ([], entity)
            }
            lineStart = next
        }
        if let current, headers.count < maxFields { headers.append(make(current)) }
        return (headers, entity[entity.endIndex...])
    }

    private static func make(_ field: (name: String, value: [UInt8])) -> MailHeader {
        MailHeader(name: field.name, value: HeaderText.sanitized(Charset.decodeUnlabelled(field.value[...])))
    }
}

extension Array where Element == MailHeader {
    /// The value of the first field called `name` (case-insensitive).
    func first(named name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
