import Foundation
import PurserPolicy
import PurserRPC

/// Field rules shared by the handlers. Pure functions: each returns the
/// normalized value or throws `RPCError.invalid` naming the field.
package enum Validation {
    /// Handles and slugs: `[a-z0-9][a-z0-9-]{1,62}` (2 to 63 characters).
    package static func isValidHandle(_ value: String) -> Bool {
        let bytes = value.utf8
        guard bytes.count >= 2, bytes.count <= 63, let first = bytes.first else { return false }
        func isLowerAlnum(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        guard isLowerAlnum(first) else { return false }
        return bytes.dropFirst().allSatisfy { isLowerAlnum($0) || $0 == UInt8(ascii: "-") }
    }

    /// Checks a handle or slug field.
    package static func handle(_ value: String, field: String) throws(RPCError) -> String {
        guard isValidHandle(value) else {
            throw .invalid(field, "must match [a-z0-9][a-z0-9-]{1,62}", reason: "\(field)_invalid")
        }
        return value
    }

    /// Most categories a provider registers besides its default one.
    package static let maximumProviderCategories = 64

    /// A category name: lowercased, then `[a-z0-9][a-z0-9._-]{0,63}` (the
    /// grammar policies name categories in); "" stays "" (none).
    package static func category(_ value: String, field: String) throws(RPCError) -> String {
        if value.isEmpty { return "" }
        guard let name = PolicyName.normalized(value) else {
            throw .invalid(field, "must match [a-z0-9][a-z0-9._-]{0,63} after lowercasing", reason: "category_invalid")
        }
        return name
    }

    /// A required display text: trimmed, 1 to `maximum` characters, no control characters.
    package static func text(_ value: String, field: String, required: Bool, maximum: Int = 200) throws(RPCError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            if required { throw .invalid(field, "is required") }
            return ""
        }
        guard trimmed.count <= maximum else { throw .invalid(field, "is longer than \(maximum) characters") }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field, "holds control characters")
        }
        return trimmed
    }

    /// The IANA time zone names this system knows, e.g. `Europe/Paris`; "" means `UTC`.
    package static func timeZone(_ value: String) throws(RPCError) -> String {
        if value.isEmpty { return "UTC" }
        guard knownTimeZones.contains(value) else {
            throw .invalid("time_zone", "\"\(value)\" is not an IANA time zone name (e.g. Europe/Paris)", reason: "time_zone_invalid")
        }
        return value
    }

    private static let knownTimeZones: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers).union(["UTC"])

    /// An ISO 4217-shaped currency code (three upper-case letters); "" means `USD`.
    package static func currency(_ value: String) throws(RPCError) -> String {
        if value.isEmpty { return "USD" }
        guard value.utf8.count == 3, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw .invalid("currency", "must be three upper-case letters (e.g. USD)", reason: "currency_invalid")
        }
        return value
    }

    /// An optional email domain: lower-case DNS labels separated by dots, at least two labels.
    package static func emailDomain(_ value: String) throws(RPCError) -> String {
        if value.isEmpty { return "" }
        let domain = value.lowercased()
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let valid = domain.utf8.count <= 253 && labels.count >= 2 && labels.allSatisfy { label in
            label.utf8.count >= 1 && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        }
        guard valid else { throw .invalid("email_domain", "\"\(value)\" is not a domain name", reason: "email_domain_invalid") }
        return domain
    }

    /// A lower-case canonical UUID; anything else is treated as an id that does
    /// not exist, so malformed and foreign ids answer alike.
    package static func id(_ value: String, what: String) throws(RPCError) -> String {
        guard let uuid = UUID(uuidString: value) else { throw .notFound(what) }
        let canonical = uuid.uuidString.lowercased()
        guard canonical == value.lowercased() else { throw .notFound(what) }
        return canonical
    }

    /// Agent metadata: at most 64 entries, keys 1–64 bytes, values up to 1024, no NUL.
    package static func metadata(_ value: [String: String]) throws(RPCError) -> [String: String] {
        guard value.count <= 64 else { throw .invalid("metadata", "has more than 64 entries") }
        for (key, entry) in value {
            guard !key.isEmpty, key.utf8.count <= 64 else { throw .invalid("metadata", "keys must be 1 to 64 bytes") }
            guard entry.utf8.count <= 1024 else { throw .invalid("metadata", "value of \"\(key)\" is longer than 1024 bytes") }
            guard !key.utf8.contains(0), !entry.utf8.contains(0) else { throw .invalid("metadata", "keys and values must not hold NUL") }
        }
        return value
    }

    /// A grace period in microseconds: 0 to 30 days.
    package static func gracePeriod(_ micros: Int64) throws(RPCError) -> Int64 {
        guard micros >= 0, micros <= 30 * 86_400 * 1_000_000 else {
            throw .invalid("grace_period_us", "must be between 0 and 30 days")
        }
        return micros
    }
}
