/// Why bytes from a peer are not a valid `purser/1` frame. Any of these closes
/// the connection (with a GOAWAY where possible); `reason` is a stable
/// snake_case code for logs and metrics.
public struct FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of malformation the decoder and encoder recognise.
    public enum Kind: String, Sendable {
        case frameTooLarge = "frame_too_large"
        case frameTooShort = "frame_too_short"
        case unknownFrameType = "unknown_frame_type"
        case truncatedBody = "truncated_body"
        case trailingBytes = "trailing_bytes"
        case invalidUTF8 = "invalid_utf8"
        case invalidMetadataKey = "invalid_metadata_key"
        case metadataTooLarge = "metadata_too_large"
        case fieldTooLong = "field_too_long"
        case invalidStatus = "invalid_status"
        case invalidStream = "invalid_stream"
        case invalidPingPayload = "invalid_ping_payload"
    }

    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// The stable snake_case code of `kind`.
    public var reason: String { kind.rawValue }

    public var description: String { "\(kind.rawValue): \(detail)" }
}
