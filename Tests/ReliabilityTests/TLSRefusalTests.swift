import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// The TLS policy of a real Wallet (in-process, behind a real Identity), checked
/// with `openssl s_client` as an independent client: TLS 1.3 with ALPN
/// `purser/1` only, client certificates only from the deployment's CA and only
/// while valid, internal methods only for the services allowed to call them.
@Suite struct TLSRefusalTests {
    static let logger = Logger(label: "reliability-tls", level: .critical)

    /// A Wallet client presenting the certificate at `certificatePath`.
    static func client(port: Int, certificatePath: String, keyPath: String) throws -> RPCClient {
        let tls = TLSConfiguration.client(
            trustRootsPath: try TestEnvironment.certificate("ca"), certificatePath: certificatePath, privateKeyPath: keyPath)
        return try RPCClient(
            configuration: ClientConfiguration(
                host: "127.0.0.1", port: port, serverName: "localhost", tls: tls, maximumAttempts: 1, maximumTransparentRetries: 0),
            logger: logger)
    }

    /// Whether the world's agent can still authorize (it was not frozen).
    static func agentCanAuthorize(_ harness: WalletHarness, _ world: WalletHarness.World) async -> Bool {
        (try? await harness.authorize(world, micros: 1_000)) != nil
    }

    @Test func onlyTLS13WithPurserALPNIsAccepted() async throws {
        try await withWallet("rel_tls_versions") { harness in
            let accepted = try await OpenSSLTool.sClient(port: harness.walletPort, ["-alpn", "purser/1"])
            #expect(OpenSSLTool.handshakeSucceeded(accepted), "\(accepted)")
            for version in ["-tls1_2", "-tls1_1", "-tls1"] {
                let transcript = try await OpenSSLTool.sClient(
                    port: harness.walletPort, [version, "-cipher", "DEFAULT@SECLEVEL=0", "-alpn", "purser/1"])
                #expect(!OpenSSLTool.handshakeSucceeded(transcript), "\(version) was accepted: \(transcript)")
                #expect(transcript.contains("alert protocol version") || transcript.contains("Cipher is (NONE)"), "\(version): \(transcript)")
                #expect(!transcript.contains("no protocols available"), "the client never offered \(version)")
            }
        }
    }

    @Test func connectionsWithoutOrWithAnotherALPNAreRefused() async throws {
        try await withWallet("rel_tls_alpn") { harness in
            for alpn in [[], ["-alpn", "h2"], ["-alpn", "http/1.1"], ["-alpn", "purser/2"]] {
                let transcript = try await OpenSSLTool.sClient(port: harness.walletPort, ["-tls1_3"] + alpn, waitForServer: true)
                #expect(!OpenSSLTool.handshakeSucceeded(transcript), "\(alpn) was accepted: \(transcript)")
                #expect(!transcript.contains("ALPN protocol: purser/1"))
                #expect(OpenSSLTool.serverRefused(transcript), "\(alpn): \(transcript)")
            }
        }
    }

    @Test(arguments: ["untrusted-ca", "expired"])
    func clientCertificateNamingAServiceIsRefusedWhenNotFromTheDeploymentCAOrExpired(kind: String) async throws {
        let directory = try OpenSSLTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if kind == "untrusted-ca" {
            try OpenSSLTool.makeCA("rogue-ca", in: directory)
            try OpenSSLTool.makeLeaf(
                "forged", commonName: "identity", in: directory, caPath: "\(directory)/rogue-ca.pem",
                caKeyPath: "\(directory)/rogue-ca.key", notBefore: "20200101000000Z", notAfter: "20991231000000Z")
        } else {
            let certificates = try TestEnvironment.certificatesDirectory()
            try OpenSSLTool.makeLeaf(
                "forged", commonName: "identity", in: directory, caPath: "\(certificates)/ca.pem",
                caKeyPath: "\(certificates)/ca.key", notBefore: "20200101000000Z", notAfter: "20200201000000Z")
        }
        try await withWallet("rel_tls_\(kind == "expired" ? "expired" : "rogue")") { harness in
            let world = try await harness.world("tls", operatorToken: try await harness.operatorToken())
            try await harness.fund(world, agentMicros: 1_000_000)

            let transcript = try await OpenSSLTool.sClient(
                port: harness.walletPort,
                ["-alpn", "purser/1", "-cert", "\(directory)/forged.pem", "-key", "\(directory)/forged.key"], waitForServer: true)
            #expect(transcript.contains("alert"), "the server did not refuse the \(kind) certificate: \(transcript)")

            let forged = try Self.client(
                port: harness.walletPort, certificatePath: "\(directory)/forged.pem", keyPath: "\(directory)/forged.key")
            defer { forged.close() }
            let notice = AgentRevocationNotice(tenantID: world.tenantID, agentID: world.agentID, reason: "forged", revokedAtUs: 1)
            let error = await rpcError { _ = try await forged.call(WalletMethods.freezeAccount, notice, timeout: .seconds(10)) }
            #expect(error != nil, "FreezeAccount succeeded with a \(kind) certificate")
            #expect(await Self.agentCanAuthorize(harness, world), "the agent was frozen through a \(kind) certificate")
        }
    }

    @Test(arguments: ["untrusted-ca", "expired"])
    func serverCertificateNotFromTheDeploymentCAOrExpiredIsRefusedByClients(kind: String) async throws {
        let directory = try OpenSSLTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificates = try TestEnvironment.certificatesDirectory()
        if kind == "untrusted-ca" {
            try OpenSSLTool.makeCA("rogue-ca", in: directory)
            try OpenSSLTool.makeLeaf(
                "server", commonName: "wallet", in: directory, caPath: "\(directory)/rogue-ca.pem",
                caKeyPath: "\(directory)/rogue-ca.key", notBefore: "20200101000000Z", notAfter: "20991231000000Z")
        } else {
            try OpenSSLTool.makeLeaf(
                "server", commonName: "wallet", in: directory, caPath: "\(certificates)/ca.pem",
                caKeyPath: "\(certificates)/ca.key", notBefore: "20200101000000Z", notAfter: "20200201000000Z")
        }
        let router = RPCRouter()
        router.register("reliability.v1.Test/Echo") { bytes, _ in bytes }
        let server = RPCServer(
            configuration: ServerConfiguration(
                host: "127.0.0.1", port: 0,
                tls: .server(certificatePath: "\(directory)/server.pem", privateKeyPath: "\(directory)/server.key",
                             trustRootsPath: "\(certificates)/ca.pem", clientCertificate: .none),
                eventLoops: 1),
            router: router, logger: Self.logger)
        let port = try server.start()

        let transcript = try await OpenSSLTool.sClient(port: port, ["-alpn", "purser/1"])
        #expect(!OpenSSLTool.handshakeSucceeded(transcript), "s_client accepted a \(kind) server certificate")
        #expect(transcript.contains(kind == "expired" ? "certificate has expired" : "unable to get local issuer certificate"), "\(transcript)")

        let client = try RPCClient(
            configuration: ClientConfiguration(
                host: "127.0.0.1", port: port, serverName: "localhost",
                tls: .client(trustRootsPath: "\(certificates)/ca.pem"), maximumAttempts: 1, maximumTransparentRetries: 0),
            logger: Self.logger)
        let error = await rpcError { _ = try await client.call("reliability.v1.Test/Echo", [1, 2, 3], timeout: .seconds(5)) }
        #expect(error?.code == .unavailable, "the RPC client reached a server with a \(kind) certificate: \(String(describing: error))")
        client.close()
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func internalMethodsAreRefusedWithoutTheRightClientCertificate() async throws {
        try await withWallet("rel_tls_internal") { harness in
            let world = try await harness.world("internal", operatorToken: try await harness.operatorToken())
            try await harness.fund(world, agentMicros: 1_000_000)
            let notice = AgentRevocationNotice(tenantID: world.tenantID, agentID: world.agentID, reason: "test", revokedAtUs: 1)

            // A deployment certificate naming no service carries no principal at all.
            let asTestClient = await rpcError { _ = try await harness.call(WalletMethods.freezeAccount, notice, service: "test-client") }
            #expect(asTestClient?.code == .unauthenticated)
            #expect(asTestClient?.reason == "token_missing")
            // Services other than Identity are authenticated but not allowed to freeze.
            for service in ["settlement", "policy"] {
                let asService = await rpcError { _ = try await harness.call(WalletMethods.freezeAccount, notice, service: service) }
                #expect(asService?.code == .permissionDenied, "\(service): \(String(describing: asService))")
                #expect(asService?.reason == "permission_denied")
            }
            for token in [world.agentToken, world.adminToken, world.providerToken] {
                let asBearer = await rpcError { _ = try await harness.call(WalletMethods.freezeAccount, notice, token: token) }
                #expect(asBearer?.code == .permissionDenied)
                #expect(asBearer?.reason == "permission_denied")
            }
            #expect(await Self.agentCanAuthorize(harness, world))

            _ = try await harness.call(WalletMethods.freezeAccount, notice, service: "identity")
            #expect(await !Self.agentCanAuthorize(harness, world), "the identity certificate is the control: it must freeze")
        }
    }
}
