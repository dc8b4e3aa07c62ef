import Foundation
import PurserJSON
import PurserKit
import PurserWire

/// Protobuf messages ⇄ JSON, driven by `ProtoSchema`: the proto3 JSON mapping
/// (lowerCamelCase names, 64-bit integers as strings, enums by name, bytes as
/// base64, repeated fields as arrays, maps as objects), with one rule of
/// Purser's: a money field `x_micros` appears as `x`, a decimal string of
/// credits (`"amountMicros": 3000` is `"amount": "0.003"`), never a JSON number.
///
/// Reading JSON is strict: an unknown field, a value of the wrong kind, an
/// integer out of range or an amount with more than six decimals is an error
/// naming the field path and a stable reason; nothing is rounded or dropped.
/// Writing JSON emits every singular field (defaults included, so a reader
/// sees one shape), optional fields only when present, unset messages not at all.
package struct JSONMapping: Sendable {
    package let schema: ProtoSchema
    /// Every message of `schema` with its fields' JSON names, worked out once.
    private let mapped: [String: MappedMessage]

    /// A message and the names its fields have in JSON.
    private struct MappedMessage: Sendable {
        let message: ProtoSchema.MessageSchema
        /// The fields in declaration order, each with its JSON name.
        let fields: [(key: String, field: ProtoSchema.FieldSchema)]
        /// Fields by JSON name and by proto name.
        let byName: [String: ProtoSchema.FieldSchema]

        init(_ message: ProtoSchema.MessageSchema) {
            self.message = message
            fields = message.fields.map { (JSONMapping.jsonName(of: $0), $0) }
            var byName: [String: ProtoSchema.FieldSchema] = [:]
            for (key, field) in fields {
                byName[key] = field
                byName[field.name] = field
            }
            self.byName = byName
        }
    }

    package init(schema: ProtoSchema) {
        self.schema = schema
        mapped = schema.messages.mapValues(MappedMessage.init)
    }

    /// The name `field` has in JSON.
    package static func jsonName(of field: ProtoSchema.FieldSchema) -> String {
        guard isAmount(field) else { return field.jsonName }
        return lowerCamel(String(field.name.dropLast("_micros".count)))
    }

    /// Whether `field` is a money amount (`int64 …_micros`, repeated or not).
    package static func isAmount(_ field: ProtoSchema.FieldSchema) -> Bool {
        field.type == .int64 && field.name.hasSuffix("_micros") && field.name.count > "_micros".count
    }

    package static func lowerCamel(_ name: String) -> String {
        var result = ""
        var upper = false
        for character in name {
            if character == "_" {
                upper = true
            } else {
                result += upper ? character.uppercased() : String(character)
                upper = false
            }
        }
        return result
    }

    // MARK: JSON → protobuf

    /// The protobuf encoding of `json`, read as message `name`.
    package func encode(_ json: JSONValue, as name: String) throws(JSONMappingError) -> [UInt8] {
        var writer = WireWriter()
        try encodeMessage(json, name, path: "", into: &writer)
        return writer.bytes
    }

    private func encodeMessage(_ json: JSONValue, _ name: String, path: String, into writer: inout WireWriter) throws(JSONMappingError) {
        guard let mapped = mapped[name] else { throw JSONMappingError(.internal, path, "no message \(name) in the schema") }
        guard case .object(let object) = json else {
            throw JSONMappingError(.fieldType, path, "expected an object, found \(json.kind)")
        }
        var seen: Set<Int> = []
        for (key, value) in object.members {
            let fieldPath = path.isEmpty ? key : path + "." + key
            guard let field = mapped.byName[key] else {
                throw JSONMappingError(.unknownField, fieldPath, "\(mapped.message.name) has no field \(key)")
            }
            guard seen.insert(field.number).inserted else {
                throw JSONMappingError(.duplicateField, fieldPath, "the field is given twice (by its JSON and its proto name)")
            }
            if value == .null { continue }
            try encodeField(field, value, path: fieldPath, into: &writer)
        }
    }

    private func encodeField(
        _ field: ProtoSchema.FieldSchema, _ value: JSONValue, path: String, into writer: inout WireWriter
    ) throws(JSONMappingError) {
        switch field.cardinality {
        case .singular, .optional:
            try encodeValue(field, value, path: path, into: &writer, skipDefault: field.cardinality == .singular)
        case .repeated:
            guard case .array(let elements) = value else {
                throw JSONMappingError(.fieldType, path, "expected an array, found \(value.kind)")
            }
            for (index, element) in elements.enumerated() {
                guard element != .null else { throw JSONMappingError(.fieldType, "\(path)[\(index)]", "null in a repeated field") }
                try encodeValue(field, element, path: "\(path)[\(index)]", into: &writer, skipDefault: false)
            }
        case .map(let keyType, _):
            guard case .object(let object) = value else {
                throw JSONMappingError(.fieldType, path, "expected an object, found \(value.kind)")
            }
            guard keyType == .string else { throw JSONMappingError(.internal, path, "only string map keys are mapped") }
            for (key, entry) in object.members {
                var entryWriter = WireWriter()
                entryWriter.writeTag(1, .lengthDelimited)
                entryWriter.writeString(key)
                var valueField = field
                valueField.number = 2
                valueField.cardinality = .singular
                try encodeValue(valueField, entry, path: "\(path).\(key)", into: &entryWriter, skipDefault: false)
                writer.writeTag(field.number, .lengthDelimited)
                entryWriter.bytes.withUnsafeBytes { writer.writeLengthDelimited($0) }
            }
        }
    }

    // swiftlint:disable:next cyclomatic_complexity
    private func encodeValue(
        _ field: ProtoSchema.FieldSchema, _ value: JSONValue, path: String, into writer: inout WireWriter, skipDefault: Bool
    ) throws(JSONMappingError) {
        let number = field.number
        switch field.type {
        case .string:
            guard case .string(let text) = value else { throw JSONMappingError(.fieldType, path, "expected a string, found \(value.kind)") }
            if skipDefault && text.isEmpty { return }
            writer.writeTag(number, .lengthDelimited)
            writer.writeString(text)
        case .bytes:
            guard case .string(let text) = value else { throw JSONMappingError(.fieldType, path, "expected base64 text, found \(value.kind)") }
            guard let data = Self.base64(text) else { throw JSONMappingError(.fieldType, path, "not base64") }
            if skipDefault && data.isEmpty { return }
            writer.writeTag(number, .lengthDelimited)
            data.withUnsafeBytes { writer.writeLengthDelimited($0) }
        case .bool:
            guard case .bool(let flag) = value else { throw JSONMappingError(.fieldType, path, "expected true or false, found \(value.kind)") }
            if skipDefault && !flag { return }
            writer.writeTag(number, .varint)
            writer.writeVarint(flag ? 1 : 0)
        case .int64 where Self.isAmount(field):
            guard case .string(let text) = value else {
                throw JSONMappingError(.amountNotString, path, "an amount is a decimal string of credits (e.g. \"0.003\"), found \(value.kind)")
            }
            let micros: Int64
            do {
                micros = try Money(parsing: text).micros
            } catch {
                throw JSONMappingError(.amountInvalid, path, error.description)
            }
            if skipDefault && micros == 0 { return }
            writer.writeTag(number, .varint)
            writer.writeVarint(UInt64(bitPattern: micros))
        case .int64, .int32, .sint32, .sint64, .sfixed32, .sfixed64:
            let integer = try Self.integer(value, path: path, in: Self.signedRange(field.type))
            if skipDefault && integer == 0 { return }
            Self.writeSigned(integer, field.type, number, into: &writer)
        case .uint32, .uint64, .fixed32, .fixed64:
            let integer = try Self.unsigned(value, path: path, maximum: Self.unsignedMaximum(field.type))
            if skipDefault && integer == 0 { return }
            switch field.type {
            case .fixed32: writer.writeTag(number, .fixed32); writer.writeFixed32(UInt32(integer))
            case .fixed64: writer.writeTag(number, .fixed64); writer.writeFixed64(integer)
            default: writer.writeTag(number, .varint); writer.writeVarint(integer)
            }
        case .double, .float:
            throw JSONMappingError(.internal, path, "floating-point fields are not mapped")
        case .enumeration(let enumName):
            let raw = try enumNumber(value, enumName, path: path)
            if skipDefault && raw == 0 { return }
            writer.writeTag(number, .varint)
            writer.writeVarint(UInt64(bitPattern: Int64(raw)))
        case .message(let messageName):
            var nested = WireWriter()
            try encodeMessage(value, messageName, path: path, into: &nested)
            writer.writeTag(number, .lengthDelimited)
            nested.bytes.withUnsafeBytes { writer.writeLengthDelimited($0) }
        }
    }

    private func enumNumber(_ value: JSONValue, _ enumName: String, path: String) throws(JSONMappingError) -> Int32 {
        guard let enumeration = schema.enums[enumName] else { throw JSONMappingError(.internal, path, "no enum \(enumName)") }
        switch value {
        case .string(let name):
            guard let match = enumeration.values.first(where: { $0.name == name }) else {
                let names = enumeration.values.map(\.name).joined(separator: ", ")
                throw JSONMappingError(.enumInvalid, path, "\"\(name)\" is not one of \(names)")
            }
            return match.number
        case .number:
            return Int32(try Self.integer(value, path: path, in: Int64(Int32.min)...Int64(Int32.max)))
        default:
            throw JSONMappingError(.fieldType, path, "expected an enum name, found \(value.kind)")
        }
    }

    static func signedRange(_ type: ProtoSchema.FieldType) -> ClosedRange<Int64> {
        switch type {
        case .int32, .sint32, .sfixed32: Int64(Int32.min)...Int64(Int32.max)
        default: Int64.min...Int64.max
        }
    }

    static func unsignedMaximum(_ type: ProtoSchema.FieldType) -> UInt64 {
        switch type {
        case .uint32, .fixed32: UInt64(UInt32.max)
        default: UInt64.max
        }
    }

    static func writeSigned(_ value: Int64, _ type: ProtoSchema.FieldType, _ number: Int, into writer: inout WireWriter) {
        switch type {
        case .sint32, .sint64:
            writer.writeTag(number, .varint)
            writer.writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
        case .sfixed32:
            writer.writeTag(number, .fixed32)
            writer.writeFixed32(UInt32(bitPattern: Int32(value)))
        case .sfixed64:
            writer.writeTag(number, .fixed64)
            writer.writeFixed64(UInt64(bitPattern: value))
        default:
            writer.writeTag(number, .varint)
            writer.writeVarint(UInt64(bitPattern: value))
        }
    }

    /// An integer given as a JSON integer literal or a decimal string (the
    /// proto3 mapping accepts both), within `range`.
    static func integer(_ value: JSONValue, path: String, in range: ClosedRange<Int64>) throws(JSONMappingError) -> Int64 {
        let text: String
        switch value {
        case .number(let literal): text = literal
        case .string(let string): text = string
        default: throw JSONMappingError(.fieldType, path, "expected an integer, found \(value.kind)")
        }
        guard let integer = Int64(text), range.contains(integer) else {
            throw JSONMappingError(.integerInvalid, path, "\(text) is not an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return integer
    }

    static func unsigned(_ value: JSONValue, path: String, maximum: UInt64) throws(JSONMappingError) -> UInt64 {
        let text: String
        switch value {
        case .number(let literal): text = literal
        case .string(let string): text = string
        default: throw JSONMappingError(.fieldType, path, "expected an integer, found \(value.kind)")
        }
        guard let integer = UInt64(text), integer <= maximum else {
            throw JSONMappingError(.integerInvalid, path, "\(text) is not an integer in 0…\(maximum)")
        }
        return integer
    }

    static func base64(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }

    // MARK: protobuf → JSON

    /// `bytes`, an encoded message `name`, as JSON.
    package func decode(_ bytes: ArraySlice<UInt8>, as name: String) throws(JSONMappingError) -> JSONValue {
        try decodeMessage(bytes, name, path: "", depth: 0)
    }

    private func decodeMessage(_ bytes: ArraySlice<UInt8>, _ name: String, path: String, depth: Int) throws(JSONMappingError) -> JSONValue {
        guard depth < 64 else { throw JSONMappingError(.internal, path, "nested deeper than 64") }
        guard let mapped = mapped[name] else { throw JSONMappingError(.internal, path, "no message \(name) in the schema") }
        let fields: [WireField]
        do {
            fields = try WireField.fields(of: bytes)
        } catch {
            throw JSONMappingError(.internal, path, "the \(name) from the service does not decode: \(error)")
        }
        var object = JSONObject()
        for (key, field) in mapped.fields {
            let fieldPath = path.isEmpty ? key : path + "." + key
            // Messages are small: a scan per field costs less than grouping them first.
            let values = fields.lazy.filter { $0.number == field.number }.map(\.value)
            switch field.cardinality {
            case .singular:
                if let last = values.last {
                    object[key] = try decodeValue(field, last, path: fieldPath, depth: depth)
                } else if case .message = field.type {
                    continue
                } else {
                    object[key] = defaultValue(field)
                }
            case .optional:
                if let last = values.last { object[key] = try decodeValue(field, last, path: fieldPath, depth: depth) }
            case .repeated:
                var elements: [JSONValue] = []
                for value in values {
                    if case .lengthDelimited(let payload) = value, Self.isPackable(field.type) {
                        let packed: [UInt64]
                        do { packed = try WireField.packedVarints(payload) } catch {
                            throw JSONMappingError(.internal, fieldPath, "a packed run does not decode")
                        }
                        for raw in packed { elements.append(try decodeValue(field, .varint(raw), path: fieldPath, depth: depth)) }
                    } else {
                        elements.append(try decodeValue(field, value, path: fieldPath, depth: depth))
                    }
                }
                object[key] = .array(elements)
            case .map:
                var map = JSONObject()
                for value in values {
                    guard case .lengthDelimited(let payload) = value else { continue }
                    let entry: [WireField]
                    do { entry = try WireField.fields(of: payload) } catch {
                        throw JSONMappingError(.internal, fieldPath, "a map entry does not decode")
                    }
                    var entryKey = ""
                    var entryValue: JSONValue?
                    for part in entry {
                        if part.number == 1, case .lengthDelimited(let text) = part.value { entryKey = String(decoding: text, as: UTF8.self) }
                        if part.number == 2 { entryValue = try decodeValue(field, part.value, path: fieldPath, depth: depth) }
                    }
                    map[entryKey] = entryValue ?? defaultValue(field)
                }
                object[key] = .object(map)
            }
        }
        return .object(object)
    }

    static func isPackable(_ type: ProtoSchema.FieldType) -> Bool {
        switch type {
        case .string, .bytes, .message: false
        default: true
        }
    }

    private func defaultValue(_ field: ProtoSchema.FieldSchema) -> JSONValue {
        switch field.type {
        case .string, .bytes: .string("")
        case .bool: .bool(false)
        case .int64 where Self.isAmount(field): .string("0")
        case .int64, .uint64, .fixed64, .sfixed64, .sint64: .string("0")
        case .enumeration(let name): .string(schema.enums[name]?.values.first { $0.number == 0 }?.name ?? "0")
        case .message: .null
        default: .number("0")
        }
    }

    private func decodeValue(
        _ field: ProtoSchema.FieldSchema, _ value: WireField.Value, path: String, depth: Int
    ) throws(JSONMappingError) -> JSONValue {
        func mismatch() -> JSONMappingError {
            JSONMappingError(.internal, path, "the service sent field \(field.number) with another wire type")
        }
        switch field.type {
        case .string:
            guard case .lengthDelimited(let payload) = value else { throw mismatch() }
            return .string(String(decoding: payload, as: UTF8.self))
        case .bytes:
            guard case .lengthDelimited(let payload) = value else { throw mismatch() }
            return .string(Data(payload).base64EncodedString())
        case .message(let name):
            guard case .lengthDelimited(let payload) = value else { throw mismatch() }
            return try decodeMessage(payload, name, path: path, depth: depth + 1)
        case .bool:
            guard case .varint(let bits) = value else { throw mismatch() }
            return .bool(bits != 0)
        case .enumeration(let name):
            guard case .varint(let bits) = value else { throw mismatch() }
            let raw = Int32(truncatingIfNeeded: bits)
            if let match = schema.enums[name]?.values.first(where: { $0.number == raw }) { return .string(match.name) }
            return .integer(raw)
        case .int64 where Self.isAmount(field):
            guard case .varint(let bits) = value else { throw mismatch() }
            return .string(Money(micros: Int64(bitPattern: bits)).description)
        case .int64:
            guard case .varint(let bits) = value else { throw mismatch() }
            return .string(String(Int64(bitPattern: bits)))
        case .int32:
            guard case .varint(let bits) = value else { throw mismatch() }
            return .integer(Int32(truncatingIfNeeded: bits))
        case .uint32:
            guard case .varint(let bits) = value else { throw mismatch() }
            return .integer(UInt32(truncatingIfNeeded: bits))
        case .uint64:
            guard case .varint(let bits) = value else { throw mismatch() }
            return .string(String(bits))
        case .sint32, .sint64:
            guard case .varint(let bits) = value else { throw mismatch() }
            let decoded = Int64(bitPattern: bits >> 1) ^ -Int64(bitPattern: bits & 1)
            return field.type == .sint32 ? .integer(decoded) : .string(String(decoded))
        case .fixed32, .sfixed32:
            guard case .fixed32(let bits) = value else { throw mismatch() }
            return field.type == .fixed32 ? .integer(bits) : .integer(Int32(bitPattern: bits))
        case .fixed64, .sfixed64:
            guard case .fixed64(let bits) = value else { throw mismatch() }
            return .string(field.type == .fixed64 ? String(bits) : String(Int64(bitPattern: bits)))
        case .double, .float:
            throw JSONMappingError(.internal, path, "floating-point fields are not mapped")
        }
    }
}

/// A JSON body that does not map onto the method's request message.
package struct JSONMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        case unknownField = "json_field_unknown"
        case duplicateField = "json_field_duplicate"
        case fieldType = "json_field_type"
        case integerInvalid = "json_integer_invalid"
        case enumInvalid = "json_enum_invalid"
        case amountNotString = "amount_not_string"
        case amountInvalid = "amount_invalid"
        /// The schema or a service's answer is at fault, not the request.
        case `internal` = "internal"
    }

    package var kind: Kind
    /// The field path (`limits[2].cap`), empty for the whole body.
    package var path: String
    package var message: String

    init(_ kind: Kind, _ path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// The stable reason a client is answered with.
    package var reason: String { kind.rawValue }

    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
