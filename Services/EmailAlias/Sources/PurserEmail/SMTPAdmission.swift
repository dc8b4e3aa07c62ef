/// Which connections an SMTP listener takes: at most `maxConnections` open at
/// once, and at most `maxPerAddress` of them from one remote IP address, so one
/// sender cannot hold every slot. Pure; the listener keeps one behind a lock,
/// asks `admit` for every accepted socket and calls `release` when it closes.
package struct SMTPAdmission: Sendable {
    /// The answer for one new connection.
    package enum Verdict: Sendable, Hashable {
        case admitted
        /// `maxConnections` are open.
        case listenerFull
        /// `maxPerAddress` are open from the client's address.
        case addressFull

        /// The 421 a refused client is sent before its connection is closed; `nil` when admitted.
        package var refusal: SMTPReply? {
            switch self {
            case .admitted: nil
            case .listenerFull: .tooManyConnections
            case .addressFull: .tooManyConnectionsFromAddress
            }
        }
    }

    package let maxConnections: Int
    package let maxPerAddress: Int
    /// Connections admitted and not yet released.
    package private(set) var openConnections = 0
    private var perAddress: [String: Int] = [:]

    /// Limits of at least one connection each.
    package init(maxConnections: Int, maxPerAddress: Int) {
        self.maxConnections = max(1, maxConnections)
        self.maxPerAddress = max(1, maxPerAddress)
    }

    /// Admits a connection from `address` (see `address(ofPeer:)`) and counts it, or refuses it.
    package mutating func admit(_ address: String) -> Verdict {
        guard openConnections < maxConnections else { return .listenerFull }
        let fromAddress = perAddress[address, default: 0]
        guard fromAddress < maxPerAddress else { return .addressFull }
        perAddress[address] = fromAddress + 1
        openConnections += 1
        return .admitted
    }

    /// Forgets an admitted connection from `address`.
    package mutating func release(_ address: String) {
        guard let count = perAddress[address] else { return }
        perAddress[address] = count > 1 ? count - 1 : nil
        openConnections -= 1
    }

    /// Connections open from `address`.
    package func openConnections(from address: String) -> Int { perAddress[address, default: 0] }

    /// The IP address of a peer written `host:port` or `[host]:port`, the unit
    /// connections are counted by; an IPv4-mapped IPv6 address counts as its IPv4 address.
    package static func address(ofPeer peer: String) -> String {
        var host = Substring(peer)
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            host = host[..<colon]
        }
        let lowered = host.lowercased()
        if lowered.hasPrefix("::ffff:"), lowered.dropFirst(7).contains(".") { return String(lowered.dropFirst(7)) }
        return lowered
    }
}
