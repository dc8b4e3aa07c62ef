import PurserJSON

/// What a command prints on success: the same result as JSON (for `--json`)
/// and as text for people.
public struct CommandOutput: Sendable {
    public var json: JSONValue
    public var text: String

    /// An output with its JSON and text forms.
    public init(json: JSONValue, text: String) {
        self.json = json
        self.text = text
    }
}

/// A command that ran but did not succeed for a reason the CLI itself found
/// (a service not SERVING, an audit with discrepancies). Exits 1 with `reason`
/// on stderr; `output` is still printed when present.
public struct CommandFailure: Error, Sendable {
    public let reason: String
    public let message: String
    public let output: CommandOutput?

    /// A failure with its reason, message and any output to print.
    public init(reason: String, _ message: String, output: CommandOutput? = nil) {
        self.reason = reason
        self.message = message
        self.output = output
    }
}

/// Where the CLI writes: standard output and standard error, replaceable in tests.
public struct Terminal: Sendable {
    public let out: @Sendable (String) -> Void
    public let err: @Sendable (String) -> Void

    /// A terminal writing through the two closures.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }
}
