import PurserWire

/// `purser.health.v1.ServingStatus` (Shared/PurserAPI/proto/health.proto), as in
/// gRPC health. Open like every proto3 enum: unnamed numbers are kept.
public struct ServingStatus: WireEnum, Hashable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unknown = ServingStatus(rawValue: 0)
    public static let serving = ServingStatus(rawValue: 1)
    public static let notServing = ServingStatus(rawValue: 2)

    public var description: String {
        switch rawValue {
        case 0: "UNKNOWN"
        case 1: "SERVING"
        case 2: "NOT_SERVING"
        default: "ServingStatus(\(rawValue))"
        }
    }
}

/// `purser.health.v1.HealthCheckRequest { string service = 1; }`.
public struct HealthCheckRequest: WireMessage {
    /// The service asked about; empty means the server as a whole.
    public var service = ""
    public init() {}
    public init(service: String) { self.service = service }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &service)
    }
}

/// `purser.health.v1.HealthCheckResponse { ServingStatus status = 1; }`.
public struct HealthCheckResponse: WireMessage {
    public var status = ServingStatus.unknown
    public init() {}
    public init(status: ServingStatus) { self.status = status }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &status)
    }
}

/// `purser.health.v1.Health`, served by every `RPCServer`.
public enum Health {
    /// `rpc Check(HealthCheckRequest) returns (HealthCheckResponse)`.
    public static let check = MethodDescriptor<HealthCheckRequest, HealthCheckResponse>(
        "purser.health.v1.Health/Check", idempotent: true)

    /// `SERVING` unless the server is draining or its health check fails.
    static func handler(server: ServerShared) -> RPCRouter.Handler {
        RPCRouter.typedHandler(check) { _, _ in
            HealthCheckResponse(status: await server.servingStatus())
        }
    }
}
