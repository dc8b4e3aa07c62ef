/// A parsed `Content-Type` value: lowercase type and subtype, and parameters
/// with lowercase names (values unquoted, case kept).
struct MIMEContentType: Hashable {
    var type: String
    var subtype: String
    var parameters: [String: String]

    /// Parses `type/subtype; name=value; name="quoted value"`; `nil` when there is no `type/subtype`.
    init?(_ value: String) {
        let segments = Self.splitParameters(value)
        guard let first = segments.first else { return nil }
        let parts = first.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        type = parts[0].trimmingWhitespace().lowercased()
        subtype = parts[1].trimmingWhitespace().lowercased()
        guard !type.isEmpty, !subtype.isEmpty else { return nil }
        parameters = [:]
        for segment in segments.dropFirst() {
            guard let equals = segment.firstIndex(of: "=") else { continue }
            let name = segment[..<equals].trimmingWhitespace().lowercased()
            var parameterValue = segment[segment.index(after: equals)...].trimmingWhitespace()
            if parameterValue.hasPrefix("\""), parameterValue.hasSuffix("\""), parameterValue.count >= 2 {
                parameterValue = String(parameterValue.dropFirst().dropLast()).replacingEscapes()
            }
            if !name.isEmpty, parameters[name] == nil { parameters[name] = parameterValue }
        }
    }

    /// Splits at semicolons outside quoted strings.
    private static func splitParameters(_ value: String) -> [String] {
        var segments: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                segments.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        segments.append(current)
        return segments
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}

extension String {
    /// Removes backslash escapes of a quoted string.
    func replacingEscapes() -> String {
        var output = ""
        var escaped = false
        for character in self {
            if !escaped && character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            output.append(character)
        }
        return output
    }
}
