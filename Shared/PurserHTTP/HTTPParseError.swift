/// Why bytes are not an acceptable HTTP/1.1 message: the status a server
/// answers with (400, 413, 414, 417, 431, 501 or 505) and a stable
/// snake_case `reason`. After such an error the connection is closed: the
/// message boundary is lost, so nothing more on it can be trusted.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    public let reason: String

    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status.code) \(reason)" }

    static func bad(_ reason: String) -> HTTPParseError { HTTPParseError(.badRequest, reason) }
}
