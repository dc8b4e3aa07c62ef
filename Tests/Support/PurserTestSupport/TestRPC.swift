import Foundation
import PurserKit
import PurserRPC
import Synchronization
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

    /// A loopback port free right now, for a service whose address must be known
    /// before it starts: the one free-port helper of the test suites. Drawn below
    /// Linux's ephemeral range (32768–60999), so no socket bound to port 0 meanwhile
    /// (other test systems, outgoing connections) can take it before the service
    /// binds it, and never the same port twice in one test process. Another process
    /// may still bind it first; callers that must know a port in advance retry on
    /// `bind_failed`. Nothing listens on it, so it also serves as a refused address.
    public static func freePort() throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000..<32_000)
            guard handedOutPorts.withLock({ $0.insert(port).inserted }) else { continue }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw RPCError(.internal, "socket failed") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if bound == 0 { return port }
        }
        throw RPCError(.internal, "no free port below the ephemeral range")
    }

    /// Ports `freePort` returned (or found taken) in this process.
    private static let handedOutPorts = Mutex<Set<Int>>([])
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

/// The `RPCError` synchronous `body` throws, or `nil` when it succeeds (an error
/// of another type comes back as UNKNOWN naming it).
public func thrownRPCError<T>(_ body: () throws -> T) -> RPCError? {
    do {
        _ = try body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.unknown, "not an RPCError: \(error)")
    }
}
