import PurserJSON
import PurserRPC

/// The OpenAPI 3.1 document of the JSON API, made from `GatewayRoutes` and
/// the descriptor set: the paths are the routes, the schemas the messages
/// (with the JSON mapping's names and types, and the `.proto` comments as
/// descriptions). Served at `GET /v1/openapi.json`; nothing in it is written
/// by hand, so it cannot drift from what the gateway serves, except the x402
/// facilitator's routes, whose shapes are x402's (`X402OpenAPI`, beside the
/// code that reads them).
package enum OpenAPIDocument {
    /// The document for `routes` over `mapping`'s schema.
    package static func make(routes: [Route] = GatewayRoutes.all, mapping: JSONMapping, version: String = "1") -> JSONValue {
        var schemas = JSONObject()
        var referenced: [String] = []
        var paths = JSONObject()
        for route in routes {
            guard let method = mapping.schema.method(route.method), let input = mapping.schema.messages[method.input] else { continue }
            let openAPIPath = route.path
            var item: JSONObject
            if case .object(let existing) = paths[openAPIPath] { item = existing } else { item = JSONObject() }
            var operation = JSONObject()
            operation["operationId"] = .string(route.methodName)
            operation["tags"] = .array([.string(route.service)])
            operation["summary"] = .string(firstSentence(method.comment, or: route.methodName))
            if !method.comment.isEmpty { operation["description"] = .string(method.comment) }
            var parameters: [JSONValue] = []
            for name in route.pathFields {
                guard let field = input.fields.first(where: { $0.name == name }) else { continue }
                parameters.append(parameter(name: name, in: "path", required: true, schema: fieldSchema(field, mapping, &referenced),
                                            description: field.comment))
            }
            let bodyFields = input.fields.filter { !route.pathFields.contains($0.name) }
            if route.verb.readsQuery {
                for field in bodyFields {
                    parameters += queryParameters(field, prefix: "", mapping, &referenced, depth: 0)
                }
            } else {
                var body = JSONObject()
                body["type"] = .string("object")
                body["additionalProperties"] = .bool(false)
                var properties = JSONObject()
                for field in bodyFields { properties[JSONMapping.jsonName(of: field)] = fieldSchema(field, mapping, &referenced) }
                body["properties"] = .object(properties)
                operation["requestBody"] = .object(JSONObject([
                    "required": .bool(false),
                    "content": .object(JSONObject(["application/json": .object(JSONObject(["schema": .object(body)]))])),
                ]))
                if !method.readOnly {
                    parameters.append(parameter(
                        name: "Idempotency-Key", in: "header", required: route.requiresIdempotencyKey(readOnly: method.readOnly),
                        schema: .object(JSONObject([
                            "type": .string("string"), "minLength": .integer(1),
                            "maxLength": .integer(Metadata.idempotencyKeyMaximumLength),
                        ])),
                        description: "Makes a retry of this call safe: the same key and body answer the first outcome."))
                }
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            referenced.append(method.output)
            operation["responses"] = .object(JSONObject([
                "200": .object(JSONObject([
                    "description": .string("OK"),
                    "content": .object(JSONObject([
                        "application/json": .object(JSONObject(["schema": reference(method.output)])),
                    ])),
                ])),
                "default": .object(JSONObject([
                    "description": .string("A refusal or failure, as an RFC 9457 problem document"),
                    "content": .object(JSONObject([
                        "application/problem+json": .object(JSONObject(["schema": .object(JSONObject(["$ref": .string("#/components/schemas/Problem")]))])),
                    ])),
                ])),
            ]))
            if !route.isPublic { operation["security"] = .array([.object(JSONObject(["bearer": .array([])]))]) }
            item[route.verb.rawValue.lowercased()] = .object(operation)
            paths[openAPIPath] = .object(item)
        }
        if routes == GatewayRoutes.all {
            for (path, item) in X402OpenAPI.paths { paths[path] = item }
            for (name, schema) in X402OpenAPI.schemas { schemas[name] = schema }
        }
        var done: Set<String> = []
        while let name = referenced.popLast() {
            guard done.insert(name).inserted, let message = mapping.schema.messages[name] else { continue }
            schemas[componentName(name)] = messageSchema(message, mapping, &referenced)
        }
        schemas["Problem"] = problemSchema
        var document = JSONObject()
        document["openapi"] = .string("3.1.0")
        document["info"] = .object(JSONObject([
            "title": .string("Purser"),
            "version": .string(version),
            "description": .string("""
                Payment accounts for AI agents. Amounts are decimal strings of credits ("0.003"), never JSON numbers; \
                64-bit integers are strings; errors are RFC 9457 problem documents with a stable `reason`.
                """),
        ]))
        document["paths"] = .object(sortedObject(paths))
        document["components"] = .object(JSONObject([
            "schemas": .object(sortedObject(schemas)),
            "securitySchemes": .object(JSONObject([
                "bearer": .object(JSONObject(["type": .string("http"), "scheme": .string("bearer"), "bearerFormat": .string("JWT")])),
            ])),
        ]))
        return .object(document)
    }

    static func sortedObject(_ object: JSONObject) -> JSONObject {
        var sorted = JSONObject()
        for key in object.keys.sorted() { sorted[key] = object[key] }
        return sorted
    }

    static func firstSentence(_ comment: String, or fallback: String) -> String {
        let line = comment.split(separator: "\n").first.map(String.init) ?? ""
        guard !line.isEmpty else { return fallback }
        if let end = line.firstIndex(of: ".") { return String(line[...end]) }
        return line
    }

    /// `purser.wallet.v1.AuthorizeRequest` → `wallet.AuthorizeRequest`.
    static func componentName(_ message: String) -> String {
        let parts = message.split(separator: ".")
        guard parts.count >= 4, parts[0] == "purser" else { return message }
        return ([parts[1]] + parts[3...]).joined(separator: ".")
    }

    static func reference(_ message: String) -> JSONValue {
        .object(JSONObject(["$ref": .string("#/components/schemas/\(componentName(message))")]))
    }

    static func parameter(name: String, in location: String, required: Bool, schema: JSONValue, description: String) -> JSONValue {
        var object = JSONObject()
        object["name"] = .string(name)
        object["in"] = .string(location)
        object["required"] = .bool(required)
        object["schema"] = schema
        if !description.isEmpty { object["description"] = .string(description) }
        return .object(object)
    }

    static func queryParameters(
        _ field: ProtoSchema.FieldSchema, prefix: String, _ mapping: JSONMapping, _ referenced: inout [String], depth: Int
    ) -> [JSONValue] {
        let name = prefix + JSONMapping.jsonName(of: field)
        switch (field.type, field.cardinality) {
        case (_, .map):
            return []
        case (.message(let nested), .singular), (.message(let nested), .optional):
            guard depth < 2, let message = mapping.schema.messages[nested] else { return [] }
            return message.fields.flatMap { queryParameters($0, prefix: name + ".", mapping, &referenced, depth: depth + 1) }
        case (.message, .repeated):
            return []
        default:
            return [parameter(name: name, in: "query", required: false, schema: fieldSchema(field, mapping, &referenced),
                              description: field.comment)]
        }
    }

    static func messageSchema(_ message: ProtoSchema.MessageSchema, _ mapping: JSONMapping, _ referenced: inout [String]) -> JSONValue {
        var properties = JSONObject()
        for field in message.fields { properties[JSONMapping.jsonName(of: field)] = fieldSchema(field, mapping, &referenced) }
        var object = JSONObject()
        object["type"] = .string("object")
        if !message.comment.isEmpty { object["description"] = .string(message.comment) }
        object["properties"] = .object(properties)
        return .object(object)
    }

    static func fieldSchema(_ field: ProtoSchema.FieldSchema, _ mapping: JSONMapping, _ referenced: inout [String]) -> JSONValue {
        var single = valueSchema(field.type, amount: JSONMapping.isAmount(field), mapping, &referenced)
        if !field.comment.isEmpty, case .object(var object) = single, object["$ref"] == nil {
            object["description"] = .string(field.comment)
            single = .object(object)
        }
        let whole: JSONValue
        switch field.cardinality {
        case .repeated: whole = .object(JSONObject(["type": .string("array"), "items": single]))
        case .map: whole = .object(JSONObject(["type": .string("object"), "additionalProperties": single]))
        case .singular, .optional: whole = single
        }
        return orNull(whole)
    }

    /// `schema` or JSON `null`: the proto3 JSON mapping reads `null` as the
    /// field's default, so every field accepts it (the gateway never writes it).
    static func orNull(_ schema: JSONValue) -> JSONValue {
        let null = JSONValue.object(JSONObject(["type": .string("null")]))
        guard case .object(var object) = schema else { return schema }
        switch (object["type"], object["anyOf"]) {
        case (.string(let type)?, _): object["type"] = .array([.string(type), .string("null")])
        case (.array(let types)?, _): object["type"] = .array(types + [.string("null")])
        case (nil, .array(let choices)?): object["anyOf"] = .array(choices + [null])
        default: return .object(JSONObject(["anyOf": .array([schema, null])]))
        }
        if case .array(let values)? = object["enum"] { object["enum"] = .array(values + [.null]) }
        return .object(object)
    }

    static func valueSchema(_ type: ProtoSchema.FieldType, amount: Bool, _ mapping: JSONMapping, _ referenced: inout [String]) -> JSONValue {
        switch type {
        case .int64 where amount:
            return .object(JSONObject([
                "type": .string("string"), "pattern": .string("^[+-]?[0-9]+(\\.[0-9]{1,6})?$"),
                "description": .string("An amount of credits as a decimal string, at most 6 decimals."),
            ]))
        // Written as strings; read as strings or numbers, as the proto3 JSON mapping says.
        case .int64, .sint64, .sfixed64:
            return .object(JSONObject([
                "type": .array([.string("string"), .string("integer")]), "pattern": .string("^-?[0-9]+$"), "format": .string("int64"),
                "minimum": .integer(Int64.min), "maximum": .integer(Int64.max),
            ]))
        case .uint64, .fixed64:
            return .object(JSONObject([
                "type": .array([.string("string"), .string("integer")]), "pattern": .string("^[0-9]+$"), "format": .string("uint64"),
                "minimum": .integer(0), "maximum": .integer(UInt64.max),
            ]))
        case .int32, .sint32, .sfixed32:
            return .object(JSONObject([
                "type": .array([.string("integer"), .string("string")]), "pattern": .string("^-?[0-9]+$"), "format": .string("int32"),
                "minimum": .integer(Int32.min), "maximum": .integer(Int32.max),
            ]))
        case .uint32, .fixed32:
            return .object(JSONObject([
                "type": .array([.string("integer"), .string("string")]), "pattern": .string("^[0-9]+$"),
                "minimum": .integer(0), "maximum": .integer(UInt32.max),
            ]))
        case .bool:
            return .object(JSONObject(["type": .string("boolean")]))
        case .string:
            return .object(JSONObject(["type": .string("string")]))
        case .bytes:
            return .object(JSONObject(["type": .string("string"), "contentEncoding": .string("base64")]))
        case .double, .float:
            return .object(JSONObject(["type": .string("number")]))
        case .enumeration(let name):
            // By name, or by number as the proto3 JSON mapping allows.
            let names = mapping.schema.enums[name]?.values.map { JSONValue.string($0.name) } ?? []
            return .object(JSONObject(["anyOf": .array([
                .object(JSONObject(["type": .string("string"), "enum": .array(names)])),
                .object(JSONObject(["type": .string("integer"), "minimum": .integer(Int32.min), "maximum": .integer(Int32.max)])),
            ])]))
        case .message(let name):
            referenced.append(name)
            return reference(name)
        }
    }

    static let problemSchema: JSONValue = .object(JSONObject([
        "type": .string("object"),
        "required": .array([.string("type"), .string("title"), .string("status"), .string("reason")]),
        "properties": .object(JSONObject([
            "type": .object(JSONObject(["type": .string("string")])),
            "title": .object(JSONObject(["type": .string("string")])),
            "status": .object(JSONObject(["type": .string("integer")])),
            "detail": .object(JSONObject(["type": .string("string")])),
            "reason": .object(JSONObject(["type": .string("string"), "description": .string("Stable snake_case code, e.g. insufficient_funds.")])),
            "rule": .object(JSONObject(["type": .string("string")])),
            "headroom": .object(JSONObject(["type": .string("string"), "description": .string("Credits left under the rule.")])),
        ])),
    ]))
}
