/// A JSON document (RFC 8259) as parsed by `JSONParser` or built to be written.
///
/// Numbers keep the exact text they were written with (`"3000000"`,
/// `"1e3"`), so no value passes through floating point: a reader that wants
/// an integer parses the text itself and refuses what does not fit.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number literal, exactly as in the document (valid per RFC 8259).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A number written from an integer.
    public static func integer(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }

    /// An object of `members`, in order; a later duplicate key replaces the earlier value.
    public static func members(_ members: [(String, JSONValue)]) -> JSONValue {
        var object = JSONObject()
        for (key, value) in members { object[key] = value }
        return .object(object)
    }

    /// The member `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The kind of value, for error messages (`"string"`, `"number"`, …).
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object: members in the order they were written or added, keys unique.
public struct JSONObject: Sendable, Equatable {
    /// The keys, in order.
    public private(set) var keys: [String] = []
    private var values: [String: JSONValue] = [:]

    public init() {}

    /// An object of `members`, in order; a later duplicate key replaces the earlier value.
    public init(_ members: KeyValuePairs<String, JSONValue>) {
        for (key, value) in members { self[key] = value }
    }

    /// The value of `key`; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Number of members.
    public var count: Int { keys.count }

    /// The members, in order.
    public var members: [(key: String, value: JSONValue)] {
        keys.map { ($0, values[$0] ?? .null) }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.values == rhs.values
    }
}
