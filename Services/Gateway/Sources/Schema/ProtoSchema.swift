import Foundation
import PurserWire

/// The messages, enums and services of Purser's `.proto` files, read from
/// their compiled descriptor set (`protoc --descriptor_set_out
/// --include_source_info`): what the gateway's JSON mapping and OpenAPI
/// document are made from, so neither can drift from the schema the services
/// speak. Names are fully qualified without the leading dot
/// (`purser.wallet.v1.AuthorizeRequest`).
package struct ProtoSchema: Sendable {
    package var messages: [String: MessageSchema] = [:]
    package var enums: [String: EnumSchema] = [:]
    package private(set) var services: [ServiceSchema] = []
    /// `services`' methods by full name, for `method(_:)`.
    private var methodsByFullName: [String: MethodSchema] = [:]

    /// A field's scalar or named type.
    package enum FieldType: Sendable, Hashable {
        case int32, int64, uint32, uint64, sint32, sint64, fixed32, fixed64, sfixed32, sfixed64
        case bool, string, bytes, double, float
        case enumeration(String)
        case message(String)
    }

    /// How many values a field holds.
    package enum Cardinality: Sendable, Hashable {
        /// Proto3 implicit presence: the default is not written.
        case singular
        /// Proto3 `optional`: present or absent.
        case optional
        case repeated
        /// `map<K, V>`: repeated entries of a message with key 1 and value 2.
        case map(key: FieldType, value: FieldType)
    }

    package struct FieldSchema: Sendable, Hashable {
        package var name: String
        package var jsonName: String
        package var number: Int
        package var type: FieldType
        package var cardinality: Cardinality
        package var comment: String
    }

    package struct MessageSchema: Sendable {
        package var name: String
        package var fields: [FieldSchema]
        package var comment: String
        package var byNumber: [Int: FieldSchema]
    }

    package struct EnumSchema: Sendable {
        package var name: String
        /// Value names in declaration order, with their numbers.
        package var values: [(name: String, number: Int32)]
        package var comment: String
    }

    package struct MethodSchema: Sendable {
        package var name: String
        /// `purser.wallet.v1.Wallet/Authorize`.
        package var fullName: String
        package var input: String
        package var output: String
        /// `idempotency_level = NO_SIDE_EFFECTS` in the `.proto`.
        package var readOnly: Bool
        package var comment: String
    }

    package struct ServiceSchema: Sendable {
        /// `purser.wallet.v1.Wallet`.
        package var name: String
        package var methods: [MethodSchema]
        package var comment: String
    }

    /// The schema of the descriptor set `bytes`; throws when they do not
    /// decode or name a type they do not define.
    package init(descriptorSet bytes: [UInt8]) throws(SchemaError) {
        let set: FileDescriptorSet
        do {
            set = try FileDescriptorSet(serializedBytes: bytes)
        } catch {
            throw SchemaError("the descriptor set does not decode: \(error)")
        }
        var mapEntries: [String: DescriptorProto] = [:]
        for file in set.file {
            let comments = Comments(file.sourceCodeInfo)
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for (index, message) in file.messageType.enumerated() {
                collect(message, named: prefix + message.name, path: [4, Int32(index)], comments, &mapEntries)
            }
            for (index, enumeration) in file.enumType.enumerated() {
                add(enumeration, named: prefix + enumeration.name, comment: comments[[5, Int32(index)]])
            }
            for (index, service) in file.service.enumerated() {
                let name = prefix + service.name
                services.append(ServiceSchema(
                    name: name,
                    methods: service.method.enumerated().map { methodIndex, method in
                        MethodSchema(
                            name: method.name, fullName: "\(name)/\(method.name)", input: Self.strip(method.inputType),
                            output: Self.strip(method.outputType), readOnly: method.options.idempotencyLevel == 1,
                            comment: comments[[6, Int32(index), 2, Int32(methodIndex)]])
                    },
                    comment: comments[[6, Int32(index)]]))
            }
        }
        // Resolve map fields now that every entry type is known, and check every reference.
        for (name, var message) in messages {
            for index in message.fields.indices {
                let field = message.fields[index]
                if case .message(let entryName) = field.type, let entry = mapEntries[entryName] {
                    let key = entry.field.first { $0.number == 1 }, value = entry.field.first { $0.number == 2 }
                    guard let key, let value else { throw SchemaError("map entry \(entryName) lacks its key or value") }
                    message.fields[index].cardinality = .map(key: try Self.type(of: key), value: try Self.type(of: value))
                    message.fields[index].type = try Self.type(of: value)
                }
                switch message.fields[index].type {
                case .message(let target) where messages[target] == nil:
                    throw SchemaError("\(name).\(field.name) names \(target), which the descriptor set does not define")
                case .enumeration(let target) where enums[target] == nil:
                    throw SchemaError("\(name).\(field.name) names \(target), which the descriptor set does not define")
                default: break
                }
            }
            message.byNumber = Dictionary(message.fields.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
            messages[name] = message
        }
        methodsByFullName = Self.index(services)
    }

    /// A method by its full name (`purser.wallet.v1.Wallet/Authorize`).
    package func method(_ fullName: String) -> MethodSchema? { methodsByFullName[fullName] }

    /// The methods of `services` by full name; the first of a repeated name wins.
    private static func index(_ services: [ServiceSchema]) -> [String: MethodSchema] {
        var index: [String: MethodSchema] = [:]
        for service in services {
            for method in service.methods where index[method.fullName] == nil { index[method.fullName] = method }
        }
        return index
    }

    private mutating func collect(
        _ message: DescriptorProto, named name: String, path: [Int32], _ comments: Comments,
        _ mapEntries: inout [String: DescriptorProto]
    ) {
        if message.options.mapEntry {
            mapEntries[name] = message
            return
        }
        var fields: [FieldSchema] = []
        for (index, field) in message.field.enumerated() {
            let cardinality: Cardinality = field.label == 3 ? .repeated : field.proto3Optional ? .optional : .singular
            fields.append(FieldSchema(
                name: field.name, jsonName: field.jsonName.isEmpty ? field.name : field.jsonName, number: Int(field.number),
                type: (try? Self.type(of: field)) ?? .bytes, cardinality: cardinality,
                comment: comments[path + [2, Int32(index)]]))
        }
        messages[name] = MessageSchema(name: name, fields: fields, comment: comments[path], byNumber: [:])
        for (index, nested) in message.nestedType.enumerated() {
            collect(nested, named: name + "." + nested.name, path: path + [3, Int32(index)], comments, &mapEntries)
        }
        for (index, enumeration) in message.enumType.enumerated() {
            add(enumeration, named: name + "." + enumeration.name, comment: comments[path + [4, Int32(index)]])
        }
    }

    private mutating func add(_ enumeration: EnumDescriptorProto, named name: String, comment: String) {
        enums[name] = EnumSchema(name: name, values: enumeration.value.map { ($0.name, $0.number) }, comment: comment)
    }

    private static func strip(_ typeName: String) -> String {
        typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    }

    private static func type(of field: FieldDescriptorProto) throws(SchemaError) -> FieldType {
        switch field.type {
        case 1: .double
        case 2: .float
        case 3: .int64
        case 4: .uint64
        case 5: .int32
        case 6: .fixed64
        case 7: .fixed32
        case 8: .bool
        case 9: .string
        case 11: .message(strip(field.typeName))
        case 12: .bytes
        case 13: .uint32
        case 14: .enumeration(strip(field.typeName))
        case 15: .sfixed32
        case 16: .sfixed64
        case 17: .sint32
        case 18: .sint64
        default: throw SchemaError("field \(field.name) has type \(field.type), which the gateway does not map")
        }
    }

    /// The leading comments of a file's elements, by descriptor path, without
    /// the `swift: Name` lines that name Swift types (proto/CONVENTIONS.md).
    private struct Comments {
        var byPath: [[Int32]: String] = [:]

        init(_ info: SourceCodeInfo) {
            for location in info.location {
                let text = location.leadingComments.isEmpty ? location.trailingComments : location.leadingComments
                if !text.isEmpty {
                    byPath[location.path] = text.split(separator: "\n", omittingEmptySubsequences: false)
                        .map { $0.hasPrefix(" ") ? String($0.dropFirst()) : String($0) }
                        .filter { !Self.namesSwiftType($0) }
                        .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
        }

        /// `swift: MailHeaderField`: one word after `swift:`, nothing else.
        static func namesSwiftType(_ line: String) -> Bool {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            return words.count == 2 && words[0] == "swift:"
        }

        subscript(path: [Int32]) -> String { byPath[path] ?? "" }
    }
}

/// The descriptor set cannot serve as the gateway's schema.
package struct SchemaError: Error, Sendable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}

extension ProtoSchema {
    /// The schema of the descriptor set generated into this module
    /// (`EmbeddedDescriptors`, by `deploy/dev generate`); `PurserAPITests`
    /// fails while it is older than the `.proto` files.
    package static func embedded() throws(SchemaError) -> ProtoSchema {
        guard let data = Data(base64Encoded: EmbeddedDescriptors.base64, options: .ignoreUnknownCharacters) else {
            throw SchemaError("the embedded descriptor set is not base64")
        }
        return try ProtoSchema(descriptorSet: Array(data))
    }
}
