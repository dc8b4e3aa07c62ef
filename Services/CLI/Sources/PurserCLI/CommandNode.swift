/// Runs a leaf command.
public typealias CommandHandler = @Sendable (CommandContext) async throws -> CommandOutput

/// The command tree with its handlers; `spec` strips the handlers off for
/// the parser and help, `handlers` indexes them by command path.
public indirect enum CommandNode: Sendable {
    case verb(CommandSpec, CommandHandler)
    case group(name: String, summary: String, details: String = "", [CommandNode])

    /// The pure command tree.
    public var spec: CommandSpec {
        switch self {
        case .verb(let spec, _): spec
        case .group(let name, let summary, let details, let children): CommandSpec(group: name, summary, details: details, children.map(\.spec))
        }
    }

    /// Every leaf's handler keyed by its command words joined with spaces.
    public func handlers(prefix: [String] = []) -> [String: CommandHandler] {
        switch self {
        case .verb(let spec, let handler):
            return [(prefix + [spec.name]).joined(separator: " "): handler]
        case .group(let name, _, _, let children):
            let path = name.isEmpty ? prefix : prefix + [name]
            var result: [String: CommandHandler] = [:]
            for child in children { result.merge(child.handlers(prefix: path)) { first, _ in first } }
            return result
        }
    }
}
