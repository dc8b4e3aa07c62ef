import Foundation
import PurserAPI
import PurserAuth
import PurserIdentity
import PurserPostgres
import PurserRPC
import PurserServiceHarness
import PurserTestSupport
import Testing

/// What Identity and the Wallet keep in PostgreSQL never includes a secret in
/// clear: every table of every schema is read back as text after a real run.
@Suite struct SecretsAtRestTests {
    /// Every row of every user table reachable through `pool`, each as its row-literal text
    /// (`bytea` columns appear as `\x…` hex). Returns table count and rows.
    static func dump(_ pool: PostgresPool) async throws -> (tables: Int, rows: [String]) {
        try await pool.withConnection { connection in
            let tables = try connection.query("""
                SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
                WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
                """)
            var rows: [String] = []
            for table in tables {
                let name = try table.decode(String.self, at: 0)
                for row in try connection.query("SELECT t::text FROM \(name) t") {
                    rows.append(try row.decode(String.self, at: 0))
                }
            }
            return (tables.rowCount, rows)
        }
    }

    /// The forms a binary secret could take in a text dump: hex in both cases, base64 and base64url.
    static func encodings(of bytes: [UInt8]) -> [String] {
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let base64 = Data(bytes).base64EncodedString()
        let base64URL = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return [hex, hex.uppercased(), base64, base64.replacingOccurrences(of: "=", with: ""), base64URL]
    }

    @Test func noSecretPrivateSigningKeyKEKOrTokenIsStoredInClear() async throws {
        try await withWallet("rel_secrets") { harness in
            var secrets: [String: String] = [:]
            let bootstrapClient = try TestRPC.client(port: harness.identityPort, certificate: "test-client", logger: harness.logger)
            defer { bootstrapClient.close() }
            let bootstrap = try await bootstrapClient.call(
                IdentityMethods.bootstrap, BootstrapRequest(label: "secrets"), timeout: .seconds(20))
            secrets["bootstrap secret"] = bootstrap.secret
            let operatorToken = try await harness.token(bootstrap.secret)
            secrets["operator token"] = operatorToken

            let world = try await harness.world("secrets", operatorToken: operatorToken)
            for (label, token) in [
                ("admin token", world.adminToken), ("finance token", world.financeToken), ("agent token", world.agentToken),
                ("other agent token", world.otherAgentToken), ("provider token", world.providerToken),
            ] {
                secrets[label] = token
            }
            var keyRequest = CreateApiKeyRequest()
            keyRequest.tenantID = world.tenantID
            keyRequest.role = .admin
            keyRequest.label = "second admin"
            secrets["api key secret"] = try await harness.identity(IdentityMethods.createApiKey, keyRequest, token: operatorToken).secret
            secrets["agent secret"] = try await harness.identity(
                IdentityMethods.createAgent, CreateAgentRequest(tenantID: world.tenantID, handle: "secrets-third"),
                token: world.adminToken).secret
            secrets["provider secret"] = try await harness.identity(
                IdentityMethods.registerProvider,
                RegisterProviderRequest(slug: "secrets-second-api", name: "Second", defaultCategory: "inference"),
                token: operatorToken).secret
            for label in ["api key secret", "agent secret", "provider secret"] {
                secrets[label.replacingOccurrences(of: "secret", with: "token")] = try await harness.token(secrets[label] ?? "")
            }
            try await harness.fund(world, agentMicros: 5_000_000)
            let hold = try await harness.authorize(world, micros: 1_000_000)
            #expect(!hold.holdID.isEmpty)
            // A payment token the Wallet charged under: it remembers the token's id, never the token.
            let paymentToken = try await harness.paymentToken(world, maxMicros: 1_000_000)
            secrets["payment token"] = paymentToken
            #expect(try await harness.charge(world, micros: 500_000, with: paymentToken).amountMicros == 500_000)

            var needles: [(String, String)] = []
            for (label, secret) in secrets {
                #expect(secret.count >= 16, "\(label) is suspiciously short")
                needles.append((label, secret))
                let parts = secret.split(separator: ".")
                if parts.count == 3 { needles.append((label + " signature", String(parts[2]))) }
            }
            let signer = try await SigningKeyStore(
                pool: harness.identityHost.pool, kek: harness.keyEncryptionKey, tokenLifetime: .seconds(900)
            ).currentSigner()
            let privateKey = signer.key.privateKey.rawRepresentation
            #expect(privateKey.count == 32)
            for form in Self.encodings(of: privateKey) { needles.append(("private signing key", form)) }
            let kek = try #require(Data(base64Encoded: harness.keyEncryptionKey.base64))
            #expect(kek.count == 32)
            for form in Self.encodings(of: Array(kek)) { needles.append(("KEK", form)) }

            let identity = try await Self.dump(harness.identityHost.pool)
            let wallet = try await Self.dump(harness.walletHost.pool)
            let rows = identity.rows + wallet.rows
            #expect(identity.tables >= 5 && wallet.tables >= 3, "too few tables: \(identity.tables), \(wallet.tables)")
            // The dump does show keys: the public half of the signing key is stored, in hex.
            let publicKeyHex = Self.encodings(of: signer.key.privateKey.publicKey.rawRepresentation)[0]
            #expect(identity.rows.contains { $0.contains(publicKeyHex) }, "the dump does not show bytea as hex")
            for (label, needle) in needles {
                let leaks = rows.filter { $0.contains(needle) }
                #expect(leaks.isEmpty, "\(label) stored in clear: \(leaks.prefix(2))")
            }
            print("secrets at rest: \(identity.tables + wallet.tables) tables, \(rows.count) rows, \(needles.count) needles, 0 found")
        }
    }
}
