/// A `host:port` a service listens on or a client calls (`127.0.0.1:7101`,
/// `identity:7101`, `[::1]:7101`).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Ports a peer can be called on.
    public static let peerPorts = 1...65_535
    /// Ports a listener can bind: 0 asks the kernel for a free one.
    public static let listenPorts = 0...65_535

    /// An endpoint from its parts; no validation (see `init(parsing:ports:)`).
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (an IPv6 host in brackets); `nil` unless the host is
    /// non-empty and the port is at most five decimal digits within `ports`.
    public init?(parsing text: String, ports: ClosedRange<Int> = Endpoint.peerPorts) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, !portText.isEmpty, portText.count <= 5,
            portText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let port = Int(portText), ports.contains(port)
        else { return nil }
        self.host = String(host)
        self.port = port
    }

    /// `host:port`, the host in brackets when it is an IPv6 address;
    /// `init(parsing:ports:)` reads it back.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
