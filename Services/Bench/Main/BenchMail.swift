import Foundation
import PurserAPI
import PurserEmailService
import PurserKit
import PurserRPC
import PurserService

/// Delivery throughput of the Email-alias SMTP listener: the service runs in
/// this process on the bench's PostgreSQL, looking agents up in the bench's
/// Identity; Python's smtplib (`Tests/Interop/smtp_client.py many`) sends over
/// concurrent connections, each upgraded with STARTTLS, to one agent's alias.
enum BenchMail {
    /// The smtplib client, found from this source file's place in the repository.
    static let smtpClientScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Interop/smtp_client.py").path

    /// Messages per second delivered over `connections` STARTTLS sessions of
    /// `perConnection` messages each; throws unless every message arrived and
    /// the alias counts each once.
    static func deliveryRate(
        _ system: BenchSystem, databaseURL: String, operatorToken: String, connections: Int = 20, perConnection: Int = 20
    ) async throws -> (rate: Double, delivered: Int) {
        let certificates = system.certificates
        let host = try await ServiceHost(
            settings: ServiceSettings(
                name: "email", listen: Endpoint(host: "127.0.0.1", port: 0),
                tlsCertificatePath: "\(certificates)/email.pem", tlsPrivateKeyPath: "\(certificates)/email.key",
                tlsCAPath: "\(certificates)/ca.pem", databaseURL: databaseURL, databasePoolSize: 4, logLevel: .error,
                identityEndpoint: Endpoint(host: "127.0.0.1", port: system.identityPort)),
            migrations: EmailMigrations.all, authentication: .identityService, logger: system.logger)
        let settings = EmailSettings(
            smtpListen: Endpoint(host: "127.0.0.1", port: 0), smtpHostname: "mx.bench.local", defaultDomain: "agents.bench",
            maxConnections: connections * 2, maxConnectionsPerAddress: connections * 2, smtpEventLoops: 2, startTLS: true)
        let email = try EmailService(
            host: host, settings: settings, directory: try EmailService.identityDirectory(host: host, settings: settings))
        let port = try host.start()
        let client = try BenchSystem.client(
            port: port, certificates: certificates, certificate: nil, connections: 1, logger: system.logger)
        do {
            let rate = try await deliver(
                system, email: email, client: client, operatorToken: operatorToken, connections: connections,
                perConnection: perConnection)
            client.close()
            try await host.shutdown()
            return rate
        } catch {
            client.close()
            try? await host.shutdown()
            throw error
        }
    }

    private static func deliver(
        _ system: BenchSystem, email: EmailService, client: RPCClient, operatorToken: String, connections: Int, perConnection: Int
    ) async throws -> (rate: Double, delivered: Int) {
        let tenant = try await system.callIdentity(
            IdentityMethods.createTenant, CreateTenantRequest(slug: "mail", name: "Bench mail"), token: operatorToken)
        let key = try await system.callIdentity(
            IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenant.id, role: .admin), token: operatorToken)
        let adminToken = try await system.token(key.secret)
        let agent = try await system.callIdentity(
            IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenant.id, handle: "sink"), token: adminToken)
        let agentToken = try await system.token(agent.secret)
        let bearer: Metadata = ["authorization": "Bearer \(agentToken)"]
        let alias = try await client.call(
            EmailAliasMethods.createAlias, CreateAliasRequest(tenantID: tenant.id, agentID: agent.agent.id), metadata: bearer,
            timeout: .seconds(30))

        let output = try await python([
            smtpClientScript, "many", "--port", "\(email.smtpPort)", "--starttls", "--cafile", "\(system.certificates)/ca.pem",
            "--count", "\(connections)", "--per-connection", "\(perConnection)", "--to", alias.address,
        ])
        guard let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any],
            let delivered = json["delivered"] as? Int, let seconds = json["seconds"] as? Double
        else { throw BenchMicro.BenchFailure(description: "smtp_client.py printed no result: \(String(decoding: output, as: UTF8.self))") }
        let aliases = try await client.call(
            EmailAliasMethods.listAliases, ListAliasesRequest(tenantID: tenant.id), metadata: bearer, timeout: .seconds(30))
        let expected = connections * perConnection
        guard delivered == expected, aliases.aliases.first?.receivedCount == Int64(expected) else {
            throw BenchMicro.BenchFailure(
                description: "SMTP delivered \(delivered) of \(expected) messages (alias counted "
                    + "\(aliases.aliases.first?.receivedCount ?? 0)); failures: \(json["failures"] ?? [])")
        }
        return (Double(delivered) / max(seconds, 1e-9), delivered)
    }

    /// Runs `python3 arguments…` and returns its standard output.
    private static func python(_ arguments: [String]) async throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return stdout.fileHandleForReading.readDataToEndOfFile()
    }
}
