/// One `purser/1` frame (PROTOCOL.md §3). On the wire every frame is
/// `u32 length · u8 type · u8 flags · u16 reserved · u32 stream · body`,
/// big-endian, with `8 ≤ length ≤ max frame size`.
public enum Frame: Sendable, Equatable {
    /// A call: `method` (UTF-8), `timeoutMilliseconds` (0 = none), metadata and the request message bytes.
    case request(stream: UInt32, method: String, timeoutMilliseconds: UInt32, metadata: Metadata, message: [UInt8])
    /// A call's outcome; `message` bytes are empty unless `status` is OK.
    case response(stream: UInt32, status: StatusCode, statusMessage: String, metadata: Metadata, message: [UInt8])
    /// The client abandons a stream.
    case cancel(stream: UInt32)
    /// Liveness probe; the peer answers with a PONG carrying the same 8 bytes.
    case ping(UInt64)
    /// Answer to a PING.
    case pong(UInt64)
    /// The server accepts no stream above `lastStream` and finishes those in flight.
    case goAway(lastStream: UInt32, status: StatusCode, message: String)

    /// Default largest frame length accepted or produced: 4 MiB.
    public static let defaultMaximumSize = 4 * 1024 * 1024
    /// Bytes after the length field that every frame carries (type, flags, reserved, stream).
    static let headerSize = 8

    /// Wire values of the frame `type` byte.
    public enum Kind: UInt8, Sendable {
        case request = 1, response = 2, cancel = 3, ping = 4, pong = 5, goAway = 6
    }

    /// The frame's type.
    public var kind: Kind {
        switch self {
        case .request: .request
        case .response: .response
        case .cancel: .cancel
        case .ping: .ping
        case .pong: .pong
        case .goAway: .goAway
        }
    }

    /// The stream the frame belongs to; 0 for connection-level frames.
    public var stream: UInt32 {
        switch self {
        case .request(let stream, _, _, _, _), .response(let stream, _, _, _, _), .cancel(let stream): stream
        case .ping, .pong, .goAway: 0
        }
    }
}
