import Foundation
import PurserAPI
import PurserAuth
import PurserIdentity
import PurserKit
import PurserRPC
import PurserService
import PurserTestSupport
import PurserWire
import Synchronization
import Testing

/// A subscriber stand-in for tests only: a real RPC server over mutual TLS
/// that records every `AgentRevocationNotice` and fails the first `failures` calls.
final class StubSubscriber: Sendable {
    let server: RPCServer
    let port: Int
    private let log = Log()

    final class Log: Sendable {
        let entries = Mutex<[(notice: AgentRevocationNotice, peer: String?)]>([])
    }

    init(certificate: String, method: String, failures: Int) throws {
        let router = RPCRouter()
        let server = RPCServer(
            configuration: ServerConfiguration(
                host: "127.0.0.1", port: 0,
                tls: .server(
                    certificatePath: try TestEnvironment.certificate(certificate),
                    privateKeyPath: try TestEnvironment.privateKey(certificate),
                    trustRootsPath: try TestEnvironment.certificate("ca"), clientCertificate: .required),
                eventLoops: 1),
            router: router, logger: Logger(label: "stub-\(certificate)", level: .error))
        self.server = server
        let log = self.log
        router.register(MethodDescriptor<AgentRevocationNotice, AgentRevocationAck>(method)) { notice, context in
            let call = log.entries.withLock { list -> Int in
                list.append((notice, context.peerIdentity))
                return list.count
            }
            if call <= failures { throw RPCError(.unavailable, "not yet", reason: "stub_failure") }
            return AgentRevocationAck()
        }
        self.port = try server.start()
    }

    /// Every notice received, acknowledged or not, in arrival order.
    var notices: [AgentRevocationNotice] { log.entries.withLock { $0.map(\.notice) } }
    /// The client-certificate name of every caller.
    var peers: [String?] { log.entries.withLock { $0.map(\.peer) } }

    func stop() async { await server.shutdown(gracePeriod: .milliseconds(100)) }
}

/// A probe message for the second service in tests.
struct WhoAmI: WireMessage {
    var subject = ""
    init() {}
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &subject)
    }
}

extension IdentityIntegrationTests {
    @Suite("Identity revocation: outbox delivery and propagation to other services")
    struct RevocationTests {
        @Test func revocationReachesASubscriberThatFailsTwiceThenSucceeds() async throws {
            let wallet = try StubSubscriber(certificate: "wallet", method: "purser.wallet.v1.Wallet/FreezeAccount", failures: 2)
            let email = try StubSubscriber(certificate: "email", method: "purser.email.v1.EmailAlias/DisableAgent", failures: 0)
            let subscribers = try RevocationSubscriber.parseList(["wallet=127.0.0.1:\(wallet.port)", "email=127.0.0.1:\(email.port)"])
            try await withIdentity("revocation_outbox", subscribers: subscribers) { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let response = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, reason: "leaked key"),
                    token: acme.adminToken)
                #expect(response.acknowledged == ["email"])
                #expect(response.pending == ["wallet"])
                #expect(email.notices.count == 1)
                #expect(wallet.notices.count == 1)

                let deadline = ContinuousClock.now + .seconds(10)
                while wallet.notices.count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(wallet.notices.count == 3)
                var delivered: [String?] = []
                while ContinuousClock.now < deadline {
                    delivered = try await identity.query(
                        "SELECT subscriber || ':' || attempts FROM identity.revocation_outbox WHERE delivered_at IS NOT NULL ORDER BY subscriber")
                    if delivered.count == 2 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(delivered == ["email:1", "wallet:3"])
                // Nothing more may arrive: an absence has no condition to wait on, so a few dispatch intervals pass.
                try await Task.sleep(for: .milliseconds(300))
                #expect(wallet.notices.count == 3)
                #expect(email.notices.count == 1)

                let notice = try #require(wallet.notices.last)
                #expect(notice.tenantID == acme.tenant.id)
                #expect(notice.agentID == agent.agent.id)
                #expect(notice.reason == "leaked key")
                #expect(notice.revokedAtUs == response.agent.revokedAtUs)
                #expect(Set(wallet.peers + email.peers) == ["identity"])

                let replay = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, reason: "leaked key"),
                    token: acme.adminToken)
                #expect(replay.acknowledged == ["email", "wallet"])
                #expect(replay.pending.isEmpty)
            }
            await wallet.stop()
            await email.stop()
        }

        /// How fast is a figure (printed), not an assertion: the wait has a deadline of 40 poll intervals, so a
        /// service that stops polling fails here rather than hanging.
        @Test func revokedAgentsUnexpiredTokenIsRejectedByASecondServiceOnceItPolls() async throws {
            try await withIdentity("revocation_propagation") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                let agentToken = try await identity.token(agent.secret)

                let settings = ServiceSettings(
                    name: "wallet", listen: Endpoint(host: "127.0.0.1", port: 0),
                    tlsCertificatePath: try TestEnvironment.certificate("wallet"),
                    tlsPrivateKeyPath: try TestEnvironment.privateKey("wallet"),
                    tlsCAPath: try TestEnvironment.certificate("ca"),
                    databaseURL: try await TestDatabase.create(label: "second_service"), databasePoolSize: 2,
                    identityEndpoint: Endpoint(host: "127.0.0.1", port: identity.port),
                    revocationPollInterval: .milliseconds(250), drainTimeout: .seconds(2))
                let second = try await ServiceHost(settings: settings, migrations: [], authentication: .identityService, logger: identity.logger)
                let probe = MethodDescriptor<WhoAmI, WhoAmI>("purser.test.v1.Probe/WhoAmI")
                second.handle(probe, allowing: [.agent]) { _, principal, _ in
                    var answer = WhoAmI()
                    if case .agent(_, let agentID) = principal { answer.subject = agentID }
                    return answer
                }
                let port = try second.start()
                let client = try TestRPC.client(port: port, certificate: nil, logger: identity.logger)
                let bearer: Metadata = ["authorization": "Bearer \(agentToken)"]
                #expect(try await client.call(probe, WhoAmI(), metadata: bearer, timeout: .seconds(5)).subject == agent.agent.id)

                _ = try await identity.call(
                    IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: acme.tenant.id, agentID: agent.agent.id, reason: "stop"),
                    token: acme.adminToken)
                let revokedAt = ContinuousClock.now
                var rejection: RPCError?
                while rejection == nil, ContinuousClock.now - revokedAt < .seconds(10) {
                    rejection = await rpcError { _ = try await client.call(probe, WhoAmI(), metadata: bearer, timeout: .seconds(5)) }
                    if rejection == nil { try await Task.sleep(for: .milliseconds(10)) }
                }
                let elapsed = ContinuousClock.now - revokedAt
                print("revoked agent's token refused by the second service after \(elapsed)")
                #expect(rejection?.code == .unauthenticated)
                #expect(rejection?.reason == "subject_revoked")
                client.close()
                try await second.shutdown()
                try await TestDatabase.drop(url: settings.databaseURL)
            }
        }
    }
}
