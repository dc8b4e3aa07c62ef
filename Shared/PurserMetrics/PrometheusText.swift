/// The Prometheus text exposition format 0.0.4: header lines, samples,
/// escaping and number formatting.
public enum PrometheusText {
    /// The `Content-Type` of a scrape.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func header(_ name: String, help: String, kind: MetricKind, into text: inout String) {
        text += "# HELP \(name) \(escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    static func sample(_ name: String, _ labelNames: [String], _ labels: [String], value: Int, into text: inout String) {
        line(name, labelNames, labels, into: &text)
        text += String(value)
        text += "\n"
    }

    static func sample(_ name: String, _ labelNames: [String], _ labels: [String], value: Double, into text: inout String) {
        line(name, labelNames, labels, into: &text)
        text += format(value)
        text += "\n"
    }

    private static func line(_ name: String, _ labelNames: [String], _ labels: [String], into text: inout String) {
        text += name
        if !labelNames.isEmpty {
            text += "{"
            for index in labelNames.indices {
                if index > 0 { text += "," }
                text += labelNames[index]
                text += "=\""
                text += escapeLabelValue(labels[index])
                text += "\""
            }
            text += "}"
        }
        text += " "
    }

    /// A label value with `\`, `"` and line feeds escaped.
    public static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return value }
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A `# HELP` text with `\` and line feeds escaped.
    public static func escapeHelp(_ help: String) -> String {
        guard help.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A }) else { return help }
        var escaped = ""
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A float as Prometheus reads it: `+Inf`, `-Inf`, `NaN`, whole numbers
    /// without a fraction (`1`, not `1.0`), others in Swift's shortest form (`0.005`).
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
