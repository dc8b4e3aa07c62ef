import Foundation
import PurserTestSupport
import Testing
import COpenSSL
@testable import PurserRPC

/// TLS 1.3 only, ALPN purser/1, server verification and mutual TLS.
@Suite struct TLSTests {
    @Test func linksAgainstOpenSSL3() {
        #expect(openSSLVersion().hasPrefix("OpenSSL 3"))
    }

    @Test func tls12ClientIsRefused() async throws {
        let fixture = try TestServer.start()
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake(maximumVersion: purser_SSL_TLS1_2_VERSION()) == false)
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientOfferingAnotherALPNProtocolIsRefused() async throws {
        let fixture = try TestServer.start()
        let peer = try RawPeer(port: fixture.port)
        #expect(try await peer.handshake(alpn: [2] + Array("h2".utf8)) == false)
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientWithoutALPNIsDisconnected() async throws {
        let fixture = try TestServer.start()
        let peer = try RawPeer(port: fixture.port)
        // TLS 1.3 clients finish first; the server then checks ALPN and drops the connection.
        _ = try await peer.handshake(alpn: nil)
        _ = peer.write(try Frame.ping(1).encoded())
        #expect(await peer.readFrame() == nil)
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func serverSignedByAnotherCAIsRefused() async throws {
        let fixture = try TestServer.start()
        let otherCA = FileManager.default.temporaryDirectory.appendingPathComponent("purser-other-ca-\(UUID().uuidString)").path
        let made = try await runChildProcess(TestEnvironment.repositoryRoot() + "/deploy/certs.sh", [otherCA])
        #expect(made.status == 0, "\(made.output)")
        defer { try? FileManager.default.removeItem(atPath: otherCA) }
        let client = try fixture.client(trustRoots: otherCA + "/ca.pem")
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.echo, [1]) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("certificate verify failed") == true, "\(String(describing: error))")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func serverNameMismatchIsRefused() async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client(serverName: "bank.example.com")
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.echo, [1]) }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("certificate verify failed") == true, "\(String(describing: error))")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test(arguments: ["localhost", "127.0.0.1"])
    func serverNameMatchingASubjectAltNameIsAccepted(serverName: String) async throws {
        let fixture = try TestServer.start()
        let client = try fixture.client(serverName: serverName)
        #expect(try await client.call(TestMethod.echo, [7]).body == [7])
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    /// Every service certificate of a deployment is valid for `localhost` and
    /// 127.0.0.1, so the host name alone cannot tell the Wallet from Policy: a
    /// client meant for `wallet` that reaches a server presenting the `policy`
    /// certificate fails the handshake, never sending the request.
    @Test func serverPresentingAnotherServicesCertificateIsRefused() async throws {
        let fixture = try TestServer.start(tls: try TestServer.serverTLS(certificate: "policy"))
        let client = try fixture.client(serverName: "localhost", expectedPeer: "wallet")
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.echo, [1]) }
        #expect(error?.code == .unavailable)
        #expect(error?.reason == "wrong_peer")
        #expect(error?.message.contains("server certificate names policy, not wallet") == true, "\(String(describing: error))")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test(arguments: ["localhost", "127.0.0.1"])
    func serverPresentingTheExpectedServicesCertificateIsAccepted(serverName: String) async throws {
        let fixture = try TestServer.start(tls: try TestServer.serverTLS(certificate: "wallet"))
        let client = try fixture.client(serverName: serverName, expectedPeer: "wallet")
        #expect(try await client.call(TestMethod.echo, [7]).body == [7])
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func missingClientCertificateIsRefusedWhenRequired() async throws {
        let fixture = try TestServer.start(tls: try TestServer.serverTLS(clientCertificate: .required))
        let client = try fixture.client(identity: nil)
        let error = await #expect(throws: RPCError.self) { try await client.call(TestMethod.whoAmI, []) }
        #expect(error?.code == .unavailable)
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func peerIdentityIsTheClientCertificateCommonName() async throws {
        let fixture = try TestServer.start(tls: try TestServer.serverTLS(clientCertificate: .required))
        let client = try fixture.client(identity: "test-client")
        let response = try await client.call(TestMethod.whoAmI, [])
        #expect(String(decoding: response.body, as: UTF8.self) == "test-client|test-client,localhost")
        client.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func optionalClientCertificateLeavesAnonymousCallersWithoutIdentity() async throws {
        let fixture = try TestServer.start(tls: try TestServer.serverTLS(clientCertificate: .optional))
        let anonymous = try fixture.client()
        let named = try fixture.client(identity: "test-other")
        #expect(String(decoding: try await anonymous.call(TestMethod.whoAmI, []).body, as: UTF8.self) == "-|")
        #expect(String(decoding: try await named.call(TestMethod.whoAmI, []).body, as: UTF8.self).hasPrefix("test-other|"))
        anonymous.close()
        named.close()
        await fixture.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func serverRefusesToStartWithAMissingCertificate() throws {
        var tls = try TestServer.serverTLS()
        tls.certificatePath = "/nonexistent/server.pem"
        let server = RPCServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, tls: tls), router: RPCRouter(),
                               logger: TestServer.quietLogger)
        let error = #expect(throws: RPCError.self) { try server.start() }
        #expect(error?.reason == "tls_configuration")
        #expect(error?.message.contains("No such file") == true || error?.message.contains("system library") == true)
    }
}
