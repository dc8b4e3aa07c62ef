/// A webhook endpoint URL, parsed strictly: `https://host[:port][/path][?query]`.
///
/// The host is a DNS name (letters, digits, hyphens; stored lowercased), an
/// IPv4 dotted quad, or a bracketed IPv6 address without a zone. Refused, each
/// with `HTTPError` 400 and a stable reason:
/// - `url_too_long`: over 2048 bytes;
/// - `url_invalid`: whitespace, control or non-ASCII characters, or not `scheme://authority…`;
/// - `url_scheme`: a scheme other than `https` (and `http`, which `validate(policy:)` narrows);
/// - `url_userinfo`: `user[:password]@` in the authority;
/// - `url_fragment`: a `#fragment`;
/// - `url_host`: an empty or malformed host, or a name whose last label is
///   numeric (`127.1`, `0x7f.1`: resolvers read those as IPv4 addresses);
/// - `url_port`: a port that is not 1–65535.
public struct WebhookURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case https, http
    }

    public static let maximumLength = 2048

    public let scheme: Scheme
    /// A lowercased DNS name, or an IP address in canonical form without brackets.
    public let host: String
    /// Set when the host is an IP address literal.
    public let address: IPAddress?
    public let port: Int
    /// The request target: path and query, `/` when the URL has neither.
    public let target: String

    public init(string: String) throws(HTTPError) {
        guard string.utf8.count <= Self.maximumLength else {
            throw Self.error("url_too_long", "a webhook URL has at most \(Self.maximumLength) bytes")
        }
        guard string.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw Self.error("url_invalid", "a webhook URL has no whitespace, control or non-ASCII characters (percent-encode them)")
        }
        guard let separator = string.range(of: "://") else {
            throw Self.error("url_invalid", "a webhook URL looks like https://host/path")
        }
        guard let scheme = Scheme(rawValue: string[..<separator.lowerBound].lowercased()) else {
            throw Self.error("url_scheme", "a webhook URL is https")
        }
        let rest = string[separator.upperBound...]
        guard !rest.contains("#") else { throw Self.error("url_fragment", "a webhook URL has no #fragment") }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else {
            throw Self.error("url_userinfo", "a webhook URL carries no user name or password; use the signature to authenticate")
        }
        let (host, address, portText) = try Self.splitAuthority(authority)
        let port: Int
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let value = Int(portText), (1...65535).contains(value) else {
                throw Self.error("url_port", "a webhook URL's port is 1 to 65535")
            }
            port = value
        } else {
            port = scheme == .https ? 443 : 80
        }
        let pathAndQuery = rest[authorityEnd...]
        self.scheme = scheme
        self.host = host
        self.address = address
        self.port = port
        self.target = pathAndQuery.isEmpty ? "/" : pathAndQuery.hasPrefix("?") ? "/" + pathAndQuery : String(pathAndQuery)
    }

    /// Checks what needs no DNS: a literal address the policy refuses
    /// (`address_not_allowed`), and plain `http` (`url_scheme`), which is
    /// allowed only with `allowPrivate` to a loopback host (`localhost`,
    /// 127.0.0.0/8, `::1`) for local receivers in tests and development.
    /// A name's addresses are checked by `WebhookSender` when it resolves them.
    public func validate(policy: OutboundAddressPolicy) throws(HTTPError) {
        if let address { try policy.check(address) }
        if scheme == .http {
            let loopback = host == "localhost" || address.map { OutboundAddressPolicy.category(of: $0) == .loopback } == true
            guard policy.allowPrivate && loopback else {
                throw Self.error("url_scheme", "a webhook URL is https (plain http only to a local receiver in development)")
            }
        }
    }

    /// The `Host` field: the host, bracketed if IPv6, with the port unless it is the scheme's default.
    public var hostField: String {
        let name = address.map { if case .v6 = $0 { "[\(host)]" } else { host } } ?? host
        let defaultPort = scheme == .https ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }

    /// The URL in normal form (lowercase scheme and host, default port left out).
    public var description: String { "\(scheme.rawValue)://\(hostField)\(target)" }

    private static func splitAuthority(_ authority: Substring) throws(HTTPError) -> (host: String, address: IPAddress?, port: Substring?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw error("url_host", "an IPv6 host is written [address]") }
            let inside = String(authority[authority.index(after: authority.startIndex)..<close])
            guard let address = IPAddress(inside), case .v6 = address else {
                throw error("url_host", "[\(inside)] is not an IPv6 address (zones are not allowed)")
            }
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw error("url_host", "unexpected text after the IPv6 host") }
            return (address.description, address, after.isEmpty ? nil : after.dropFirst())
        }
        let colon = authority.firstIndex(of: ":")
        let host = String(authority[..<(colon ?? authority.endIndex)]).lowercased()
        let port = colon.map { authority[authority.index(after: $0)...] }
        if let address = IPAddress(host), case .v4 = address { return (host, address, port) }
        guard isDNSName(host) else { throw error("url_host", "\"\(host)\" is not a DNS name or an IPv4 address") }
        return (host, nil, port)
    }

    /// Letters, digits and inner hyphens in labels of 1–63 bytes, at most 253
    /// in all, and a last label that is not numeric.
    private static func isDNSName(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.utf8.allSatisfy({ $0.isASCIILetterOrDigit || $0 == UInt8(ascii: "-") }) else { return false }
        }
        let last = labels[labels.count - 1]
        let numeric = last.allSatisfy(\.isASCIIDigit) || (last.hasPrefix("0x") && last.dropFirst(2).allSatisfy(\.isHexDigit))
        return !numeric
    }

    private static func error(_ reason: String, _ detail: String) -> HTTPError {
        HTTPError(.badRequest, reason: reason, detail: detail)
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

private extension UInt8 {
    var isASCIILetterOrDigit: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
