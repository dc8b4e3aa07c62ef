/// The CLI's profile file (`~/.config/purser/config` or `$PURSER_CONFIG`):
/// `key = value` lines, `#` comments, blank lines, and optional `[name]`
/// sections selected with `--profile NAME`. Lines before the first section
/// form the default profile; a named profile inherits them and overrides.
public struct ProfileFile: Sendable, Equatable {
    /// Settings per section; `""` holds the lines before any section.
    public private(set) var sections: [String: [String: String]]

    /// Parses the file; a malformed line is a `UsageError` (reason
    /// `invalid_profile`) naming the file and the line number.
    public init(parsing text: String, source: String = "profile") throws(UsageError) {
        var sections: [String: [String: String]] = ["": [:]]
        var current = ""
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw UsageError(reason: "invalid_profile", "\(source):\(lineNumber): malformed section header", path: [])
                }
                current = String(line.dropFirst().dropLast()).trimmingSpaces()
                if sections[current] == nil { sections[current] = [:] }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw UsageError(reason: "invalid_profile", "\(source):\(lineNumber): expected `key = value`", path: [])
            }
            let key = String(line[..<equals]).trimmingSpaces()
            let value = Self.unquoted(String(line[line.index(after: equals)...]).trimmingSpaces())
            guard !key.isEmpty else {
                throw UsageError(reason: "invalid_profile", "\(source):\(lineNumber): empty key", path: [])
            }
            sections[current, default: [:]][key] = value
        }
        self.sections = sections
    }

    /// The settings of profile `name` (the default profile's merged under it),
    /// or of the default profile when `name` is nil. An unknown name is a usage error.
    public func settings(profile name: String?) throws(UsageError) -> [String: String] {
        let base = sections[""] ?? [:]
        guard let name, !name.isEmpty else { return base }
        guard let named = sections[name] else {
            let known = sections.keys.filter { !$0.isEmpty }.sorted()
            throw UsageError(reason: "unknown_profile",
                             "no profile [\(name)] in the profile file" + (known.isEmpty ? "" : " (profiles: \(known.joined(separator: ", ")))"),
                             path: [])
        }
        return base.merging(named) { _, override in override }
    }

    /// Renders `settings` as a profile file body, keys sorted.
    public static func render(_ settings: [String: String], header: String? = nil) -> String {
        var text = header.map { "# \($0)\n" } ?? ""
        for key in settings.keys.sorted() {
            text += "\(key) = \(settings[key] ?? "")\n"
        }
        return text
    }

    private static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first else { return value }
        return String(value.dropFirst().dropLast())
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and carriage returns.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
