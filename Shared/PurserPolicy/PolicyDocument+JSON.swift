import Foundation
import PurserKit

extension PolicyDocument: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case version
        case perCallMax = "per_call_max"
        case limits
        case allowedCategories = "allowed_categories"
        case blockedCategories = "blocked_categories"
        case allowedProviders = "allowed_providers"
        case blockedProviders = "blocked_providers"
        case allowedPayees = "allowed_payees"
        case blockedPayees = "blocked_payees"
    }

    /// Decodes the JSON form, refusing unknown fields (a misspelt rule must not
    /// be silently ignored) and amounts that are not exact decimal strings.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(Int.self, forKey: .version) ?? 0
        perCallMax = try decodeAmountIfPresent(container, .perCallMax)
        limits = try container.decodeIfPresent([Limit].self, forKey: .limits) ?? []
        allowedCategories = try container.decodeIfPresent([String].self, forKey: .allowedCategories)
        blockedCategories = try container.decodeIfPresent([String].self, forKey: .blockedCategories)
        allowedProviders = try container.decodeIfPresent([String].self, forKey: .allowedProviders)
        blockedProviders = try container.decodeIfPresent([String].self, forKey: .blockedProviders)
        allowedPayees = try container.decodeIfPresent([String].self, forKey: .allowedPayees)?.map { $0.lowercased() }
        blockedPayees = try container.decodeIfPresent([String].self, forKey: .blockedPayees)?.map { $0.lowercased() }
    }

    /// Encodes the JSON form with amounts as decimal strings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if version != 0 { try container.encode(version, forKey: .version) }
        try container.encodeIfPresent(perCallMax.map { Money(micros: $0).policyText }, forKey: .perCallMax)
        if !limits.isEmpty { try container.encode(limits, forKey: .limits) }
        try container.encodeIfPresent(allowedCategories, forKey: .allowedCategories)
        try container.encodeIfPresent(blockedCategories, forKey: .blockedCategories)
        try container.encodeIfPresent(allowedProviders, forKey: .allowedProviders)
        try container.encodeIfPresent(blockedProviders, forKey: .blockedProviders)
        try container.encodeIfPresent(allowedPayees, forKey: .allowedPayees)
        try container.encodeIfPresent(blockedPayees, forKey: .blockedPayees)
    }

    /// Largest document accepted by `decode(json:)`, in bytes.
    public static let maxDocumentSize = 64 * 1024

    /// Parses and validates a submitted document. Throws `PolicyError` with
    /// reason `invalid_document` for malformed JSON (naming the field where
    /// decoding stopped) and `invalid_policy` with every rule violation found.
    public static func decode(json: some Collection<UInt8>) throws(PolicyError) -> PolicyDocument {
        guard json.count <= maxDocumentSize else {
            throw PolicyError(
                reason: .invalidDocument,
                fieldErrors: [FieldError(field: "", message: "document exceeds \(maxDocumentSize) bytes")])
        }
        let document: PolicyDocument
        do {
            document = try JSONDecoder().decode(PolicyDocument.self, from: Data(json))
        } catch let error as DecodingError {
            throw PolicyError(reason: .invalidDocument, fieldErrors: [FieldError(decodingError: error)])
        } catch {
            throw PolicyError(
                reason: .invalidDocument, fieldErrors: [FieldError(field: "", message: "not a JSON document")])
        }
        let problems = document.validate()
        guard problems.isEmpty else { throw PolicyError(reason: .invalidPolicy, fieldErrors: problems) }
        return document
    }
}

extension Limit: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case amount, count, interval, categories
    }

    /// Decodes `{"amount": "50.00", "count": 10, "interval": "daily", "categories": [...]}`.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let amount = try decodeAmountIfPresent(container, .amount) else {
            throw DecodingError.keyNotFound(
                CodingKeys.amount, .init(codingPath: container.codingPath, debugDescription: "is required"))
        }
        self.amount = amount
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        interval = try container.decode(Interval.self, forKey: .interval)
        categories = try container.decodeIfPresent([String].self, forKey: .categories)
    }

    /// Encodes the JSON form with the amount as a decimal string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Money(micros: amount).policyText, forKey: .amount)
        try container.encodeIfPresent(count, forKey: .count)
        try container.encode(interval, forKey: .interval)
        try container.encodeIfPresent(categories, forKey: .categories)
    }
}

/// A coding key for any field name, used to list the keys a document holds.
private struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

private func rejectUnknownKeys(_ decoder: any Decoder, known: [String]) throws {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    for key in container.allKeys where !known.contains(key.stringValue) {
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath + [key], debugDescription: "unknown field"))
    }
}

private func decodeAmountIfPresent<Key: CodingKey>(
    _ container: KeyedDecodingContainer<Key>, _ key: Key
) throws -> Int64? {
    guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
    let text: String
    do {
        text = try container.decode(String.self, forKey: key)
    } catch DecodingError.typeMismatch {
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: container.codingPath + [key],
                debugDescription: "must be a decimal string such as \"5.00\", not a JSON number"))
    }
    guard let amount = Money(policyText: text) else {
        throw DecodingError.dataCorrupted(
            .init(
                codingPath: container.codingPath + [key],
                debugDescription: "\"\(text.prefix(40))\" is not a decimal amount with at most 6 decimals"))
    }
    return amount.micros
}

extension FieldError {
    /// Names the field where decoding stopped as a JSON path (`limits[2].interval`).
    init(decodingError: DecodingError) {
        switch decodingError {
        case .typeMismatch(let type, let context):
            self.init(field: fieldPath(context.codingPath), message: "expected \(jsonTypeName(type))")
        case .valueNotFound(let type, let context):
            self.init(field: fieldPath(context.codingPath), message: "expected \(jsonTypeName(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(field: fieldPath(context.codingPath + [key]), message: "is required")
        case .dataCorrupted(let context):
            let message =
                context.codingPath.isEmpty ? "not a valid JSON document" : context.debugDescription
            self.init(field: fieldPath(context.codingPath), message: message)
        @unknown default:
            self.init(field: "", message: "not a valid policy document")
        }
    }
}

/// Renders a coding path as `limits[2].interval`.
func fieldPath(_ path: [any CodingKey]) -> String {
    var result = ""
    for key in path {
        if let index = key.intValue {
            result += "[\(index)]"
        } else {
            result += result.isEmpty ? key.stringValue : "." + key.stringValue
        }
    }
    return result
}

private func jsonTypeName(_ type: Any.Type) -> String {
    if type == String.self { return "a string" }
    if type == Int.self || type == Int64.self { return "an integer" }
    if type is [Any].Type || type == [String].self || type == [Limit].self { return "an array" }
    if type == Interval.self { return "one of " + Interval.allCases.map(\.rawValue).joined(separator: ", ") }
    return "an object"
}
