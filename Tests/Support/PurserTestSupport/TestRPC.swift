import Foundation
import PurserKit
import PurserRPC
#if canImport(Glibc)
import Glibc
#endif

/// RPC plumbing the service test harnesses share.
public enum TestRPC {
    /// A client of `127.0.0.1:port` that trusts the test CA and, when `certificate`
    /// names a test identity, presents it (mutual TLS). Calls are never retried, so
    /// tests see every failure as it happened.
    public static func client(port: Int, certificate: String?, logger: Logger) throws -> RPCClient {
        let tls = TLSConfiguration.client(
            trustRootsPath: try TestEnvironment.certificate("ca"),
            certificatePath: try certificate.map(TestEnvironment.certificate),
            privateKeyPath: try certificate.map(TestEnvironment.privateKey))
        return try RPCClient(
            configuration: ClientConfiguration(host: "127.0.0.1", port: port, tls: tls, maximumAttempts: 1, maximumTransparentRetries: 0),
            logger: logger)
    }

    /// A loopback port the kernel reports free right now. Another process may take
    /// it before the caller binds it; callers that must know a port in advance
    /// retry on `bind_failed`.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RPCError(.internal, "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw RPCError(.internal, "bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The `RPCError` `body` throws, or `nil` when it succeeds.
public func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.unknown, "not an RPCError: \(error)")
    }
}
