extension CommandSpec {
    /// The `--help` text of the node at `path` below this root: usage line,
    /// summary, subcommands or flags, then the global flags.
    public func helpText(path: [String], globals: [FlagSpec]) -> String {
        var node = self
        for word in path {
            guard let next = node.subcommand(word) else { break }
            node = next
        }
        let command = (["purser"] + path).joined(separator: " ")
        var lines: [String] = []
        if node.isGroup {
            lines.append("Usage: \(command) <command> [flags]")
        } else {
            let required = node.flags.filter(\.isRequired).map(\.usage)
            lines.append((["Usage: \(command)"] + required + ["[flags]"]).joined(separator: " "))
        }
        lines.append("")
        lines.append(node.summary)
        if !node.details.isEmpty {
            lines.append("")
            lines.append(node.details)
        }
        if node.isGroup {
            lines.append("")
            lines.append("Commands:")
            lines += Self.aligned(node.subcommands.map { ($0.name, $0.summary) })
            lines.append("")
            lines.append("Run `\(command) <command> --help` for a command's flags.")
        } else if !node.flags.isEmpty {
            lines.append("")
            lines.append("Flags:")
            lines += Self.aligned(node.flags.map { ($0.usage, $0.isRequired ? $0.summary + " (required)" : $0.summary) })
        }
        lines.append("")
        lines.append("Global flags:")
        lines += Self.aligned(globals.map { ($0.usage, $0.summary) })
        return lines.joined(separator: "\n") + "\n"
    }

    private static func aligned(_ rows: [(String, String)]) -> [String] {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { left, right in
            "  " + left + String(repeating: " ", count: width - left.count + 2) + right
        }
    }
}
