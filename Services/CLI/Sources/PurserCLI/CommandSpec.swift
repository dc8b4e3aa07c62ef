/// One flag a command accepts: `--name VALUE`, `--name=VALUE`, or a switch
/// `--name` that takes no value.
public struct FlagSpec: Sendable, Equatable {
    /// How a flag consumes the command line.
    public enum Kind: Sendable, Equatable {
        /// Takes no value; present or absent.
        case toggle
        /// Takes one value; given at most once.
        case value(placeholder: String)
        /// Takes one value; may be given many times (values kept in order).
        case repeated(placeholder: String)
    }

    /// Long name without the leading dashes, e.g. `amount`.
    public let name: String
    public let kind: Kind
    /// Whether parsing fails when the flag is absent.
    public let isRequired: Bool
    /// One line for `--help`.
    public let summary: String

    /// A flag; see the static helpers for the common shapes.
    public init(_ name: String, _ kind: Kind = .value(placeholder: "VALUE"), required: Bool = false, _ summary: String) {
        self.name = name
        self.kind = kind
        self.isRequired = required
        self.summary = summary
    }

    /// A required flag taking one value.
    public static func required(_ name: String, _ placeholder: String, _ summary: String) -> FlagSpec {
        FlagSpec(name, .value(placeholder: placeholder), required: true, summary)
    }

    /// An optional flag taking one value.
    public static func optional(_ name: String, _ placeholder: String, _ summary: String) -> FlagSpec {
        FlagSpec(name, .value(placeholder: placeholder), summary)
    }

    /// A switch that takes no value.
    public static func toggle(_ name: String, _ summary: String) -> FlagSpec {
        FlagSpec(name, .toggle, summary)
    }

    /// An optional flag that may repeat.
    public static func repeated(_ name: String, _ placeholder: String, _ summary: String) -> FlagSpec {
        FlagSpec(name, .repeated(placeholder: placeholder), summary)
    }

    /// `--name VALUE` as shown in usage lines.
    var usage: String {
        switch kind {
        case .toggle: "--\(name)"
        case .value(let placeholder): "--\(name) \(placeholder)"
        case .repeated(let placeholder): "--\(name) \(placeholder)..."
        }
    }

    var takesValue: Bool { kind != .toggle }
}

/// A node of the command tree: a group (with subcommands) or a leaf command
/// (with flags). The tree is pure data, so parsing and help text are tested
/// without running anything.
public struct CommandSpec: Sendable {
    public let name: String
    /// One line shown in the parent's list and at the top of `--help`.
    public let summary: String
    /// Extra paragraphs for `--help` (examples, who may call it).
    public let details: String
    public let flags: [FlagSpec]
    public let subcommands: [CommandSpec]

    /// A leaf command taking `flags`.
    public init(_ name: String, _ summary: String, details: String = "", flags: [FlagSpec] = []) {
        self.name = name
        self.summary = summary
        self.details = details
        self.flags = flags
        self.subcommands = []
    }

    /// A group of subcommands.
    public init(group name: String, _ summary: String, details: String = "", _ subcommands: [CommandSpec]) {
        self.name = name
        self.summary = summary
        self.details = details
        self.flags = []
        self.subcommands = subcommands
    }

    public var isGroup: Bool { !subcommands.isEmpty }

    /// The direct subcommand called `name`.
    public func subcommand(_ name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    /// The flag called `name` among this command's flags and `globals`.
    func flag(_ name: String, globals: [FlagSpec]) -> FlagSpec? {
        flags.first { $0.name == name } ?? globals.first { $0.name == name }
    }
}
