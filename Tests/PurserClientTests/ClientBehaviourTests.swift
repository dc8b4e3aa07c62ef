import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserTestSupport
import PurserWire
import Synchronization
import Testing

@testable import PurserClient

/// A message for the test methods: one string each way.
struct Note: WireMessage {
    var text = ""
    init() {}
    init(_ text: String) { self.text = text }
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &text)
    }
}

/// A real `purser/1` server over TLS answering `Identity/Authenticate` and two
/// test methods, recording what every call carried, so the client's token,
/// retry and idempotency behaviour is observed on the wire.
final class RecordingServer: Sendable {
    static let mutate = MethodDescriptor<Note, Note>("purser.test.v1.Test/Mutate")
    static let read = MethodDescriptor<Note, Note>("purser.test.v1.Test/Read", idempotent: true)

    struct Call: Sendable {
        let method: String
        let authorization: String?
        let idempotencyKey: String?
        let text: String
    }

    struct State {
        var authentications = 0
        var calls: [Call] = []
        /// Failures to answer, in order, before calls succeed (per method).
        var failures: [String: [RPCError]] = [:]
        var tokenLifetimeUs: Int64 = 900_000_000
        var refusedTokens: Set<String> = []
        /// Run inside the handler of every test method, after the call is recorded (before it is answered).
        var whileHandling: (@Sendable (Call) -> Void)?
    }

    /// Shared with the handlers.
    final class Recorder: Sendable {
        let state = Mutex(State())
    }

    let recorder = Recorder()
    let server: RPCServer
    let port: Int

    init() throws {
        let router = RPCRouter()
        let recorder = self.recorder
        router.register(IdentityMethods.authenticate) { request, _ in
            let (count, lifetime) = recorder.state.withLock { state -> (Int, Int64) in
                state.authentications += 1
                return (state.authentications, state.tokenLifetimeUs)
            }
            guard request.secret == "purser_ak_good" else {
                throw RPCError(.unauthenticated, "unknown secret", reason: "invalid_credentials")
            }
            var response = AuthenticateResponse()
            response.token = "token-\(count)"
            response.expiresAtUs = Int64(Date().timeIntervalSince1970 * 1_000_000) + lifetime
            response.subject = "agent-1"
            response.tenantID = "tenant-1"
            response.role = "agent"
            return response
        }
        for method in [Self.mutate, Self.read] {
            router.register(method) { request, context in
                let authorization = context.metadata["authorization"]
                let (failure, whileHandling, call) = recorder.state.withLock { state -> (RPCError?, (@Sendable (Call) -> Void)?, Call) in
                    let call = Call(method: method.fullName, authorization: authorization,
                                    idempotencyKey: context.metadata["idempotency-key"], text: request.text)
                    state.calls.append(call)
                    let failure = Self.nextFailure(&state, method: method.fullName, authorization: authorization)
                    return (failure, state.whileHandling, call)
                }
                whileHandling?(call)
                if let failure { throw failure }
                return Note("done: \(request.text)")
            }
        }
        let certificates = try TestEnvironment.certificatesDirectory()
        server = RPCServer(
            configuration: ServerConfiguration(
                host: "127.0.0.1", port: 0,
                tls: .server(certificatePath: certificates + "/wallet.pem", privateKeyPath: certificates + "/wallet.key"),
                eventLoops: 1),
            router: router, logger: Logger(label: "test-server", level: .error))
        port = try server.start()
    }

    /// The failure the next call of `method` answers with, if any (a refused token first).
    private static func nextFailure(_ state: inout State, method: String, authorization: String?) -> RPCError? {
        if let token = authorization?.dropFirst("Bearer ".count), state.refusedTokens.contains(String(token)) {
            return RPCError(.unauthenticated, "token refused", reason: "token_revoked")
        }
        guard var queue = state.failures[method], !queue.isEmpty else { return nil }
        let next = queue.removeFirst()
        state.failures[method] = queue
        return next
    }

    /// A client whose every service endpoint is this server (or `port`, e.g. a relay to it);
    /// the server stands in for every service with one certificate, so service names are not checked.
    func client(_ credentials: Credentials = .secret("purser_ak_good"), retry: RetryPolicy = RetryPolicy(initialBackoff: .milliseconds(5)),
                timeout: Duration = .seconds(10), port: Int? = nil) throws -> PurserClient {
        var endpoints: [ServiceName: Endpoint] = [:]
        for service in ServiceName.allCases { endpoints[service] = Endpoint(host: "127.0.0.1", port: port ?? self.port) }
        let configuration = PurserClientConfiguration(
            endpoints: endpoints, trustRootsPath: try TestEnvironment.certificatesDirectory() + "/ca.pem", timeout: timeout, retry: retry,
            verifiesServiceNames: false)
        return PurserClient(configuration: configuration, credentials: credentials, logger: Logger(label: "test-client", level: .error))
    }

    var calls: [Call] { recorder.state.withLock { $0.calls } }
    var authentications: Int { recorder.state.withLock { $0.authentications } }
}

@Suite struct ClientBehaviourTests {
    @Test func concurrentCallsShareOneAuthentication() async throws {
        let server = try RecordingServer()
        let client = try server.client()
        let channel = try client.channel(.wallet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask { _ = try await channel.call(RecordingServer.read, Note("\(index)")) }
            }
            try await group.waitForAll()
        }
        #expect(server.authentications == 1)
        #expect(server.calls.count == 20)
        #expect(server.calls.allSatisfy { $0.authorization == "Bearer token-1" })
        #expect(try await client.session()?.tenantID == "tenant-1")
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aTokenNearItsExpiryIsReplacedBeforeTheNextCall() async throws {
        let server = try RecordingServer()
        // A 3 s token is replaced once less than a fifth of its life (0.6 s) is left: the second call comes
        // long before that, and the third after it (the token was issued before the first call returned).
        server.recorder.state.withLock { $0.tokenLifetimeUs = 3_000_000 }
        let client = try server.client()
        let channel = try client.channel(.wallet)
        _ = try await channel.call(RecordingServer.read, Note("first"))
        let firstAnswered = ContinuousClock.now
        _ = try await channel.call(RecordingServer.read, Note("second"))
        try await Task.sleep(until: firstAnswered.advanced(by: .milliseconds(2_500)), clock: .continuous)
        _ = try await channel.call(RecordingServer.read, Note("third"))
        #expect(server.calls.map(\.authorization) == ["Bearer token-1", "Bearer token-1", "Bearer token-2"])
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aRefusedTokenIsReplacedOnceAndTheCallRepeated() async throws {
        let server = try RecordingServer()
        server.recorder.state.withLock { $0.refusedTokens = ["token-1"] }
        let client = try server.client()
        let answer = try await client.channel(.wallet).call(RecordingServer.mutate, Note("pay"))
        #expect(answer.text == "done: pay")
        #expect(server.calls.map(\.authorization) == ["Bearer token-1", "Bearer token-2"])
        #expect(Set(server.calls.compactMap(\.idempotencyKey)).count == 1, "the repeat is the same logical call")

        server.recorder.state.withLock { $0.refusedTokens = ["token-2", "token-3", "token-4"] }
        await #expect(throws: PurserClientError.self) { try await client.channel(.wallet).call(RecordingServer.read, Note("again")) }
        #expect(server.authentications == 3, "a second refusal is reported, not retried forever")
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func retriesOfOneLogicalCallReuseItsIdempotencyKey() async throws {
        let server = try RecordingServer()
        server.recorder.state.withLock {
            $0.failures[RecordingServer.mutate.fullName] = [RPCError(.unavailable, "restarting"), RPCError(.aborted, "serialization failure")]
        }
        let client = try server.client()
        let channel = try client.channel(.wallet)
        let answer = try await channel.call(RecordingServer.mutate, Note("capture"))
        #expect(answer.text == "done: capture")
        let keys = server.calls.map(\.idempotencyKey)
        #expect(keys.count == 3)
        #expect(keys.allSatisfy { $0 != nil && $0 == keys[0] })

        _ = try await channel.call(RecordingServer.mutate, Note("another"))
        #expect(server.calls.last?.idempotencyKey != keys[0], "a new logical call gets a new key")
        _ = try await channel.call(RecordingServer.mutate, Note("mine"), idempotencyKey: "order-77")
        #expect(server.calls.last?.idempotencyKey == "order-77")
        _ = try await channel.call(RecordingServer.read, Note("look"))
        #expect(server.calls.last?.idempotencyKey == nil, "idempotent methods need no key")
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func refusalsAreReportedWithTheirReasonAndNeverRetried() async throws {
        let server = try RecordingServer()
        server.recorder.state.withLock {
            $0.failures[RecordingServer.mutate.fullName] = [
                RPCError(.failedPrecondition, "over the daily cap", reason: "limit_exceeded",
                         metadata: ["rule": "daily", "headroom_micros": "1250000"]),
            ]
        }
        let client = try server.client()
        do {
            _ = try await client.channel(.wallet).call(RecordingServer.mutate, Note("too much"))
            Issue.record("the refusal was not reported")
        } catch {
            #expect(error.code == .failedPrecondition)
            #expect(error.reason == "limit_exceeded")
            #expect(error.rule == "daily")
            #expect(error.headroom == Money(micros: 1_250_000))
        }
        #expect(server.calls.count == 1)
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aBadSecretFailsUnauthenticatedWithoutCallingTheService() async throws {
        let server = try RecordingServer()
        let client = try server.client(.secret("purser_ak_wrong"))
        do {
            _ = try await client.channel(.wallet).call(RecordingServer.read, Note("x"))
            Issue.record("call succeeded with a bad secret")
        } catch {
            #expect(error.code == .unauthenticated)
            #expect(error.reason == "invalid_credentials")
        }
        #expect(server.calls.isEmpty)
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }

    /// The time limit turns retries that never stop into a failure, not a hang.
    @Test(.timeLimit(.minutes(1))) func anUnreachableServiceFailsUnavailableAfterTheConfiguredAttempts() async throws {
        let server = try RecordingServer()
        await server.server.shutdown(gracePeriod: .seconds(1))
        let client = try server.client(.anonymous, retry: RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(5)))
        do {
            _ = try await client.channel(.wallet).call(RecordingServer.read, Note("x"))
            Issue.record("call succeeded against a stopped server")
        } catch {
            #expect(error.code == .unavailable)
        }
        client.close()
    }

    @Test func healthAnswersServingWithoutCredentials() async throws {
        let server = try RecordingServer()
        let client = try server.client(.anonymous)
        #expect(try await client.health(.policy) == .serving)
        #expect(try await client.session() == nil)
        #expect(server.authentications == 0)
        client.close()
        await server.server.shutdown(gracePeriod: .seconds(1))
    }
}
