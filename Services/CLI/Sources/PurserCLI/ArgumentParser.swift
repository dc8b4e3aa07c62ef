/// What a command line asks for: run a leaf command, or show help for a node.
public enum ParseOutcome: Sendable, Equatable {
    case run(ParsedCommand)
    /// `--help`, `-h` or `help` was given at `path` (empty = the top level).
    case help(path: [String])
}

/// Parses `purser <group> <verb> [flags]` against a `CommandSpec` tree.
///
/// Rules: flags are `--name VALUE`, `--name=VALUE` or a bare switch; global
/// flags are accepted anywhere, before or after the command words; a value may
/// start with a single `-` (negative amounts) but not with `--` (use
/// `--name=--x`); `--help`/`-h` wins over everything else on the line. Errors
/// name the offending word and, for misspellings, the closest valid one.
public struct ArgumentParser: Sendable {
    public let root: CommandSpec
    /// Flags every command accepts (`--json`, `--profile`, …).
    public let globals: [FlagSpec]

    /// A parser for the tree under `root`, accepting `globals` everywhere.
    public init(root: CommandSpec, globals: [FlagSpec]) {
        self.root = root
        self.globals = globals
    }

    public func parse(_ arguments: [String]) throws(UsageError) -> ParseOutcome {
        var node = root
        var path: [String] = []
        var values: [String: [String]] = [:]
        var toggles: Set<String> = []
        var index = 0

        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--help" || word == "-h" || (node.isGroup && word == "help") {
                return .help(path: path)
            }
            if word.hasPrefix("--"), word.count > 2 {
                try consumeFlag(word, node: node, path: path, arguments: arguments, index: &index,
                                values: &values, toggles: &toggles)
                continue
            }
            guard node.isGroup else {
                throw UsageError(reason: "unexpected_argument",
                                 "unexpected argument \"\(word)\" (\(commandName(path)) takes only flags)", path: path)
            }
            guard let next = node.subcommand(word) else {
                var message = "unknown command \"\(word)\"" + (path.isEmpty ? "" : " in \(commandName(path))")
                if let hint = Self.closest(to: word, among: node.subcommands.map(\.name)) {
                    message += "; did you mean \"\(hint)\"?"
                }
                throw UsageError(reason: "unknown_command", message, path: path)
            }
            node = next
            path.append(word)
        }
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) { return .help(path: path) }
        guard !node.isGroup else {
            let message = path.isEmpty ? "missing command" : "missing subcommand for \(commandName(path))"
            throw UsageError(reason: "missing_command", message, path: path)
        }
        for flag in node.flags where flag.isRequired && values[flag.name] == nil {
            throw UsageError(reason: "missing_flag", "\(commandName(path)) requires \(flag.usage)", path: path)
        }
        return .run(ParsedCommand(path: path, values: values, toggles: toggles))
    }

    private func consumeFlag(
        _ word: String, node: CommandSpec, path: [String], arguments: [String], index: inout Int,
        values: inout [String: [String]], toggles: inout Set<String>
    ) throws(UsageError) {
        let body = word.dropFirst(2)
        let name: String
        var inline: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            inline = String(body[body.index(after: equals)...])
        } else {
            name = String(body)
        }
        // Leaf flags are known only once the command is; a group accepts globals only.
        guard let flag = node.isGroup ? globals.first(where: { $0.name == name }) : node.flag(name, globals: globals) else {
            var message = "unknown flag --\(name)" + (path.isEmpty ? "" : " for \(commandName(path))")
            let candidates = (node.isGroup ? globals : node.flags + globals).map(\.name)
            if let hint = Self.closest(to: name, among: candidates) { message += "; did you mean --\(hint)?" }
            throw UsageError(reason: "unknown_flag", message, path: path)
        }
        guard flag.takesValue else {
            if inline != nil {
                throw UsageError(reason: "unexpected_argument", "--\(name) takes no value", path: path)
            }
            toggles.insert(name)
            return
        }
        let value: String
        if let inline {
            value = inline
        } else {
            guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                throw UsageError(reason: "missing_value", "\(flag.usage): missing value", path: path)
            }
            value = arguments[index]
            index += 1
        }
        if case .value = flag.kind, values[name] != nil {
            throw UsageError(reason: "repeated_flag", "--\(name) given more than once", path: path)
        }
        values[name, default: []].append(value)
    }

    private func commandName(_ path: [String]) -> String {
        (["purser"] + path).joined(separator: " ")
    }

    /// The candidate within edit distance 2 of `word` (the nearest one), if any.
    static func closest(to word: String, among candidates: [String]) -> String? {
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word.utf8), Array(candidate.utf8))
            if distance <= 2, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Levenshtein distance over bytes, two rows of memory.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
