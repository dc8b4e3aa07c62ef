import PurserJSON

/// Builds a method's request message from the parts of an HTTP request: the
/// fields the path binds, the query string (GET, DELETE) or the JSON body
/// (POST, PUT). The result is what `JSONMapping` encodes, so every rule of
/// the mapping (names, amounts, strictness) holds for every part alike.
package struct RequestBuilder: Sendable {
    package let mapping: JSONMapping

    package init(mapping: JSONMapping) {
        self.mapping = mapping
    }

    /// The request of `route` as protobuf bytes. `query` is the decoded query
    /// string, in order; `body` the raw body (empty for none).
    package func request(
        _ route: Route, pathFields: [String: String], query: [(String, String)], body: [UInt8]
    ) throws(GatewayRequestError) -> [UInt8] {
        guard let method = mapping.schema.method(route.method), let message = mapping.schema.messages[method.input] else {
            throw GatewayRequestError(.internal, "", "\(route.method) is not in the schema")
        }
        var object = JSONObject()
        if route.verb.readsQuery {
            guard body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                throw GatewayRequestError(.bodyNotAllowed, "", "\(route.verb.rawValue) takes its fields from the query string, not a body")
            }
            object = try queryObject(query, message: message)
        } else {
            guard query.isEmpty else {
                throw GatewayRequestError(.queryNotAllowed, "", "\(route.verb.rawValue) takes its fields from the JSON body, not the query string")
            }
            if !body.isEmpty {
                let value: JSONValue
                do {
                    value = try JSONParser().parse(body)
                } catch {
                    throw GatewayRequestError(reason: error.reason, "", error.description)
                }
                guard case .object(let given) = value else {
                    throw GatewayRequestError(.mapping(.fieldType), "", "the body is a JSON object, not \(value.kind)")
                }
                object = given
            }
        }
        for (name, value) in pathFields {
            guard let field = message.fields.first(where: { $0.name == name }) else {
                throw GatewayRequestError(.internal, name, "the path binds \(name), which \(message.name) lacks")
            }
            let key = JSONMapping.jsonName(of: field)
            for other in [key, field.name] {
                if let given = object[other], given != .string(value) {
                    throw GatewayRequestError(.pathConflict, other, "the body sets \(other), which the path already gives as \(value)")
                }
                object[other] = nil
            }
            object[key] = .string(value)
        }
        do {
            return try mapping.encode(.object(object), as: message.name)
        } catch {
            throw GatewayRequestError(reason: error.reason, error.path, error.message)
        }
    }

    /// The query string as a JSON object: `a=1&b.c=x&d=1&d=2` gives
    /// `{"a": …, "b": {"c": "x"}, "d": […]}`, each value typed by the field it names.
    func queryObject(_ query: [(String, String)], message: ProtoSchema.MessageSchema) throws(GatewayRequestError) -> JSONObject {
        var object = JSONObject()
        for (key, text) in query {
            try set(&object, path: key.split(separator: ".").map(String.init), text, message: message, fullKey: key)
        }
        return object
    }

    private func set(
        _ object: inout JSONObject, path: [String], _ text: String, message: ProtoSchema.MessageSchema, fullKey: String
    ) throws(GatewayRequestError) {
        guard let name = path.first,
              let field = message.fields.first(where: { JSONMapping.jsonName(of: $0) == name || $0.name == name })
        else {
            throw GatewayRequestError(.queryUnknown, fullKey, "\(message.name) has no field \(fullKey)")
        }
        let key = JSONMapping.jsonName(of: field)
        if case .message(let nestedName) = field.type, field.cardinality != .repeated {
            guard path.count > 1, let nested = mapping.schema.messages[nestedName] else {
                throw GatewayRequestError(.queryUnknown, fullKey, "\(fullKey) is a message: name one of its fields (\(fullKey).field)")
            }
            var inner: JSONObject
            if case .object(let existing) = object[key] { inner = existing } else { inner = JSONObject() }
            try set(&inner, path: Array(path.dropFirst()), text, message: nested, fullKey: fullKey)
            object[key] = .object(inner)
            return
        }
        guard path.count == 1 else { throw GatewayRequestError(.queryUnknown, fullKey, "\(name) has no fields") }
        let value: JSONValue
        switch field.type {
        case .bool:
            guard text == "true" || text == "false" else {
                throw GatewayRequestError(.mapping(.fieldType), fullKey, "expected true or false, found \"\(text)\"")
            }
            value = .bool(text == "true")
        case .int32, .uint32, .sint32, .fixed32, .sfixed32:
            value = .number(text)
        default:
            value = .string(text)
        }
        switch field.cardinality {
        case .repeated:
            var elements: [JSONValue] = []
            if case .array(let existing) = object[key] { elements = existing }
            object[key] = .array(elements + [value])
        case .map:
            throw GatewayRequestError(.queryUnknown, fullKey, "a map field is not read from the query string")
        case .singular, .optional:
            guard object[key] == nil else { throw GatewayRequestError(.mapping(.duplicateField), fullKey, "given twice") }
            object[key] = value
        }
    }
}

/// An HTTP request that does not make a request message.
package struct GatewayRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        case mapping(JSONMappingError.Kind)
        case bodyNotAllowed, queryNotAllowed, queryUnknown, pathConflict
        case `internal`
    }

    /// The stable reason a client is answered with.
    package var reason: String
    /// The field path, when one field is at fault.
    package var path: String
    package var message: String

    init(_ kind: Kind, _ path: String, _ message: String) {
        switch kind {
        case .mapping(let mapping): reason = mapping.rawValue
        case .bodyNotAllowed: reason = "body_not_allowed"
        case .queryNotAllowed: reason = "query_not_allowed"
        case .queryUnknown: reason = "query_parameter_unknown"
        case .pathConflict: reason = "path_field_conflict"
        case .internal: reason = "internal"
        }
        self.path = path
        self.message = message
    }

    init(reason: String, _ path: String, _ message: String) {
        self.reason = reason
        self.path = path
        self.message = message
    }

    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
