import Foundation
import PurserKit
import PurserMetrics
import PurserTestSupport
import Synchronization
@testable import PurserRPC

/// Methods the test server implements.
enum TestMethod {
    static let echo = "test.v1.Test/Echo"
    /// Request: 4-byte big-endian microseconds to sleep, then any bytes; echoes the request.
    static let sleepThenEcho = "test.v1.Test/SleepThenEcho"
    static let fail = "test.v1.Test/Fail"
    static let crash = "test.v1.Test/Crash"
    static let whoAmI = "test.v1.Test/WhoAmI"
    /// Waits until cancelled (at most 30 s), recording start and cancellation in the probe.
    static let waitForCancel = "test.v1.Test/WaitForCancel"
    /// Waits until the probe is released (at most 30 s), then echoes the request.
    static let waitForRelease = "test.v1.Test/WaitForRelease"
}

/// What handlers observed, for assertions.
final class Probe: Sendable {
    let started = Atomic<Int>(0)
    let cancelled = Atomic<Int>(0)
    let completionOrder = Mutex<[UInt32]>([])
    let released = Atomic<Bool>(false)

    func waitUntilStarted(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while started.load(ordering: .acquiring) < count {
            guard ContinuousClock.now < deadline else { throw RPCError(.deadlineExceeded, "handlers did not start") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    func waitUntilCancelled(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while cancelled.load(ordering: .acquiring) < count {
            guard ContinuousClock.now < deadline else { throw RPCError(.deadlineExceeded, "handlers were not cancelled") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Bytes for `sleepThenEcho`: the sleep in microseconds, then a payload.
func sleepRequest(microseconds: UInt32, payload: [UInt8] = []) -> [UInt8] {
    [UInt8(microseconds >> 24), UInt8(microseconds >> 16 & 0xFF), UInt8(microseconds >> 8 & 0xFF), UInt8(microseconds & 0xFF)] + payload
}

/// A real server on 127.0.0.1 with an ephemeral port, and clients for it.
struct TestServer {
    let server: RPCServer
    let port: Int
    let probe: Probe

    static let quietLogger = Logger(label: "rpc-test", level: ProcessInfo.processInfo.environment["RPC_TEST_LOG"] == nil ? .critical : .debug)

    static func makeRouter(probe: Probe) -> RPCRouter {
        let router = RPCRouter()
        router.register(TestMethod.echo) { bytes, _ in bytes }
        router.register(TestMethod.sleepThenEcho) { bytes, _ in
            probe.started.add(1, ordering: .releasing)
            guard bytes.count >= 4 else { throw RPCError(.invalidArgument, "need 4 bytes", reason: "short_request") }
            let micros = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
            do {
                try await Task.sleep(for: .microseconds(Int(micros)))
            } catch {
                probe.cancelled.add(1, ordering: .releasing)
                throw error
            }
            if bytes.count >= 8 {
                let index = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
                probe.completionOrder.withLock { $0.append(index) }
            }
            return bytes
        }
        router.register(TestMethod.fail) { _, _ in
            throw RPCError(.failedPrecondition, "not enough credit", reason: "insufficient_funds", metadata: ["headroom": "12"])
        }
        router.register(TestMethod.crash) { _, _ in
            struct SecretFailure: Error { let detail = "connection string postgres://secret" }
            throw SecretFailure()
        }
        router.register(TestMethod.whoAmI) { _, context in
            Array((context.peerIdentity ?? "-").utf8) + Array(("|" + context.peerDNSNames.joined(separator: ",")).utf8)
        }
        router.register(TestMethod.waitForCancel) { _, _ in
            probe.started.add(1, ordering: .releasing)
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                probe.cancelled.add(1, ordering: .releasing)
                throw error
            }
            return []
        }
        router.register(TestMethod.waitForRelease) { bytes, _ in
            probe.started.add(1, ordering: .releasing)
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while !probe.released.load(ordering: .acquiring) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(1))
            }
            return bytes
        }
        return router
    }

    /// Server TLS presenting the test certificate `certificate` (CN = that name, SAN localhost and 127.0.0.1).
    static func serverTLS(clientCertificate: TLSConfiguration.ClientCertificatePolicy = .none, handshakeTimeout: Duration = .seconds(10),
                          certificate: String = "wallet") throws -> TLSConfiguration {
        var tls = TLSConfiguration.server(
            certificatePath: try TestEnvironment.certificate(certificate), privateKeyPath: try TestEnvironment.privateKey(certificate),
            trustRootsPath: try TestEnvironment.certificate("ca"), clientCertificate: clientCertificate)
        tls.handshakeTimeout = handshakeTimeout
        return tls
    }

    static func start(
        port: Int = 0, tls: TLSConfiguration? = nil, limits: ServerLimits = ServerLimits(), eventLoops: Int = 2,
        router: RPCRouter? = nil, probe: Probe = Probe(), healthCheck: (@Sendable () async -> Bool)? = nil,
        metrics: MetricsRegistry? = nil
    ) throws -> TestServer {
        let configuration = ServerConfiguration(host: "127.0.0.1", port: port, tls: try tls ?? serverTLS(), eventLoops: eventLoops, limits: limits)
        let server = RPCServer(configuration: configuration, router: router ?? makeRouter(probe: probe), logger: quietLogger,
                               healthCheck: healthCheck, metrics: metrics)
        let bound = try server.start()
        return TestServer(server: server, port: bound, probe: probe)
    }

    func client(identity: String? = nil, connections: Int = 1, serverName: String = "localhost", expectedPeer: String? = nil,
                trustRoots: String? = nil, maximumAttempts: Int = 3) throws -> RPCClient {
        try Self.client(port: port, identity: identity, connections: connections, serverName: serverName,
                        expectedPeer: expectedPeer, trustRoots: trustRoots, maximumAttempts: maximumAttempts)
    }

    static func client(port: Int, identity: String? = nil, connections: Int = 1, serverName: String = "localhost",
                       expectedPeer: String? = nil, trustRoots: String? = nil, maximumAttempts: Int = 3) throws -> RPCClient {
        let tls = TLSConfiguration.client(
            trustRootsPath: try trustRoots ?? TestEnvironment.certificate("ca"),
            certificatePath: try identity.map { try TestEnvironment.certificate($0) },
            privateKeyPath: try identity.map { try TestEnvironment.privateKey($0) })
        let configuration = ClientConfiguration(host: "127.0.0.1", port: port, serverName: serverName, expectedPeer: expectedPeer, tls: tls,
                                                connections: connections, maximumAttempts: maximumAttempts)
        return try RPCClient(configuration: configuration, logger: quietLogger)
    }
}
