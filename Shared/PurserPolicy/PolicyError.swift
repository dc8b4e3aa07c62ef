/// Why a policy document was refused. One error type for the policy boundary:
/// `reason` is a stable snake_case code for the RPC `reason` metadata, and
/// every problem found is listed with the field that holds it.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable machine-readable codes.
    public struct Reason: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        /// Wraps a reason code.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The bytes are not a well-formed policy document (bad JSON, wrong type, unknown field).
        public static let invalidDocument = Reason(rawValue: "invalid_document")
        /// The document is well-formed but breaks a rule (bounds, names, contradictions).
        public static let invalidPolicy = Reason(rawValue: "invalid_policy")
    }

    public var reason: Reason
    /// Every problem found, each naming its field (`limits[2].interval`).
    public var fieldErrors: [FieldError]

    /// Creates an error listing every problem found.
    public init(reason: Reason, fieldErrors: [FieldError]) {
        self.reason = reason
        self.fieldErrors = fieldErrors
    }

    public var description: String {
        "\(reason.rawValue): " + fieldErrors.map(\.description).joined(separator: "; ")
    }
}

/// One problem in a policy document: the path of the offending field in the
/// JSON document (`per_call_max`, `limits[2].interval`, `blocked_categories[0]`)
/// and what is wrong with it.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    /// Creates a problem report for the field at path `field`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
