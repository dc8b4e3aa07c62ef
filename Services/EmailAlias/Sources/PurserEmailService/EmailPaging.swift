import PurserRPC
import PurserService

/// How the Email-alias lists read a request's paging fields, with the service's
/// errors. Both lists sort by a time in µs, then a UUID: a `PageToken.Position`.
package enum EmailPaging {
    /// The page size to serve for a requested one: 0 → default, capped, negative refused.
    package static func size(_ requested: Int32) throws(RPCError) -> Int {
        guard let size = PageToken.size(requested: requested) else {
            throw RPCError.invalidArgument("page_size must not be negative")
        }
        return size
    }

    /// The position (its id canonical) a request's `page_token` resumes after: `nil`
    /// for "" (the first page); `page_token_invalid` for a text this service did not write.
    package static func position(_ text: String) throws(RPCError) -> PageToken.Position? {
        if text.isEmpty { return nil }
        guard let position = PageToken(text: text)?.position, let id = EmailIDs.canonical(position.id) else {
            throw RPCError.invalidArgument("page_token is not a token this service issued", reason: "page_token_invalid")
        }
        return PageToken.Position(timeUs: position.timeUs, id: id)
    }
}
