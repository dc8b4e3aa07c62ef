/// `purser.health.v1.ServingStatus` (Shared/PurserAPI/proto/health.proto), as in gRPC health.
public enum ServingStatus: Int32, Sendable, CaseIterable {
    case unknown = 0
    case serving = 1
    case notServing = 2
}

/// `purser.health.v1.HealthCheckRequest { string service = 1; }`.
public struct HealthCheckRequest: Sendable, Equatable {
    public var service: String
    public init(service: String = "") { self.service = service }
}

/// `purser.health.v1.HealthCheckResponse { ServingStatus status = 1; }`.
public struct HealthCheckResponse: Sendable, Equatable {
    public var status: ServingStatus
    public init(status: ServingStatus = .unknown) { self.status = status }
}

/// The health service every `RPCServer` registers.
enum HealthService {
    static let checkMethod = "purser.health.v1.Health/Check"

    static func handler(server: ServerShared) -> RPCRouter.Handler {
        { bytes, _ in
            _ = try HealthCheckRequest(protobuf: bytes)
            return HealthCheckResponse(status: await server.servingStatus()).protobufBytes()
        }
    }
}
