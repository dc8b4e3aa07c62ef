import PurserRPC

/// The five Purser services a client can talk to, with their default ports.
public enum ServiceName: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    case identity, wallet, policy, settlement, email

    /// The port the service listens on unless configured otherwise.
    public var defaultPort: Int {
        switch self {
        case .identity: 7101
        case .wallet: 7102
        case .policy: 7103
        case .settlement: 7104
        case .email: 7105
        }
    }

    /// `127.0.0.1:<default port>`.
    public var defaultEndpoint: Endpoint { Endpoint(host: "127.0.0.1", port: defaultPort) }

    public var description: String { rawValue }
}
