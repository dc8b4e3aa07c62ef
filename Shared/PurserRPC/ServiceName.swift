/// The five Purser services with their default ports: the one table the
/// settings' defaults, the CLI and the clients read. `deploy/dev` and
/// `docker-compose.yml` are checked against it (`ServiceTableTests`).
public enum ServiceName: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    case identity, wallet, policy, settlement, email

    /// The port the service serves `purser/1` on unless configured otherwise.
    public var defaultPort: Int {
        switch self {
        case .identity: 7101
        case .wallet: 7102
        case .policy: 7103
        case .settlement: 7104
        case .email: 7105
        }
    }

    /// The port the Email-alias service accepts inbound SMTP on unless configured otherwise.
    public static let defaultSMTPPort = 2525

    /// `127.0.0.1:<default port>`.
    public var defaultEndpoint: Endpoint { Endpoint(host: "127.0.0.1", port: defaultPort) }

    /// `0.0.0.0:<default port>`, where the service listens unless configured otherwise.
    public var defaultListen: Endpoint { Endpoint(host: "0.0.0.0", port: defaultPort) }

    public var description: String { rawValue }
}
