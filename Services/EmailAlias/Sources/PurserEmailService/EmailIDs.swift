import Foundation
import PurserRPC

/// Identifier checks: every id on the wire is a UUID in lowercase canonical form.
package enum EmailIDs {
    /// The lowercase canonical form of `text` when it is a UUID; `nil` otherwise.
    package static func canonical(_ text: String) -> String? {
        guard text.utf8.count == 36, let uuid = UUID(uuidString: text) else { return nil }
        return uuid.uuidString.lowercased()
    }

    /// The canonical id of request field `field`; INVALID_ARGUMENT naming the field otherwise.
    package static func require(_ text: String, field: String) throws(RPCError) -> String {
        guard !text.isEmpty else { throw RPCError.invalidArgument("\(field) is required") }
        guard let id = canonical(text) else { throw RPCError.invalidArgument("\(field) must be a UUID") }
        return id
    }
}
