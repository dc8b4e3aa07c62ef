import PurserRPC
import PurserService

/// How Identity's list methods read a request's paging fields, with Identity's errors.
extension PageToken {
    /// A request's `page_token`: `nil` for "" (the first page); `page_token_invalid`
    /// for a text this service did not write.
    package static func parse(_ text: String) throws(RPCError) -> PageToken? {
        if text.isEmpty { return nil }
        guard let token = PageToken(text: text) else {
            throw .invalid("page_token", "is not a token this service issued", reason: "page_token_invalid")
        }
        return token
    }

    /// The page size to serve for a requested one (0 → default; capped; negative → error).
    package static func size(_ requested: Int32) throws(RPCError) -> Int {
        guard let size = size(requested: requested) else { throw .invalid("page_size", "must not be negative") }
        return size
    }
}
