import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity under hostile input")
    struct HostileInputTests {
        @Test func randomRequestBytesToEveryMethodGetAClearAnswerNeverAnInternalError() async throws {
            try await withIdentity("hostile") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                var random = SeededGenerator(seed: 0x5EED)
                for method in IdentityMethods.allNames {
                    for token in [op, acme.adminToken] {
                        for _ in 0..<15 {
                            let length = Int.random(in: 0...64, using: &random)
                            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                            let error = await rpcError {
                                _ = try await identity.anonymous.call(
                                    method, bytes, metadata: ["authorization": "Bearer \(token)"], timeout: .seconds(5))
                            }
                            #expect(error?.code != .internal, "\(method) with \(bytes): \(String(describing: error))")
                            #expect(error?.code != .unknown, "\(method) with \(bytes): \(String(describing: error))")
                        }
                    }
                }
                #expect(try await identity.call(Health.check, HealthCheckRequest()).status == .serving)
            }
        }

        @Test func hostileStringsInEveryTextFieldAreRefusedOrStoredNeverAnInternalError() async throws {
            try await withIdentity("hostile_strings") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("worker", in: acme)
                var random = SeededGenerator(seed: 0xBAD5EED)
                let alphabet: [Unicode.Scalar] = ["\u{0}", "\u{1}", "\n", "\"", "'", "\\", "a", "Z", "-", "_", " ", "é", "\u{1F600}", "\u{FEFF}", "%", "/", ";"]
                func hostile() -> String {
                    var text = String.UnicodeScalarView()
                    for _ in 0..<Int.random(in: 0...80, using: &random) { text.append(alphabet.randomElement(using: &random) ?? "a") }
                    return String(text)
                }
                let tenantID = acme.tenant.id
                for _ in 0..<25 {
                    let (a, b, c, d) = (hostile(), hostile(), hostile(), hostile())
                    let calls: [(String, () async throws -> Void)] = [
                        ("CreateTenant", { _ = try await identity.call(IdentityMethods.createTenant, CreateTenantRequest(slug: a, name: b, emailDomain: c, timeZone: d, currency: a), token: op) }),
                        ("CreateAgent", { _ = try await identity.call(IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenantID, handle: a, displayName: b, metadata: [c: d]), token: acme.adminToken) }),
                        ("CreateAgent metadata", { _ = try await identity.call(IdentityMethods.createAgent, CreateAgentRequest(tenantID: tenantID, handle: "ok-\(Int.random(in: 0...1_000_000))", displayName: "x", metadata: [c.isEmpty ? "k" : c: d]), token: acme.adminToken) }),
                        ("CreateApiKey", { _ = try await identity.call(IdentityMethods.createApiKey, CreateApiKeyRequest(tenantID: tenantID, role: .finance, label: b), token: acme.adminToken) }),
                        ("RegisterProvider", { _ = try await identity.call(IdentityMethods.registerProvider, RegisterProviderRequest(slug: a, name: b, defaultCategory: c), token: op) }),
                        ("RevokeAgent", { _ = try await identity.call(IdentityMethods.revokeAgent, RevokeAgentRequest(tenantID: tenantID, agentID: a, reason: b), token: acme.adminToken) }),
                        ("GetAgent", { _ = try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: a, agentID: b), token: acme.adminToken) }),
                        ("ListAgents", { _ = try await identity.call(IdentityMethods.listAgents, ListAgentsRequest(tenantID: tenantID, pageToken: a), token: acme.adminToken) }),
                        ("ListTenants", { _ = try await identity.call(IdentityMethods.listTenants, ListTenantsRequest(pageSize: 3, pageToken: PageTokenText.hex(a)), token: op) }),
                        ("Authenticate", { _ = try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: a, audience: b)) }),
                        ("Bearer", { _ = try await identity.call(IdentityMethods.listTenants, ListTenantsRequest(), token: a) }),
                    ]
                    for (name, call) in calls {
                        let error = await rpcError(call)
                        #expect(error?.code != .internal, "\(name): \(String(describing: error))")
                        #expect(error?.code != .unknown, "\(name): \(String(describing: error))")
                    }
                }
                #expect(try await identity.call(IdentityMethods.getAgent, GetAgentRequest(tenantID: tenantID, agentID: agent.agent.id), token: acme.adminToken).status == .active)
            }
        }
    }
}

/// Page tokens as the service writes them (hex of the sort key), for feeding it hostile keys.
enum PageTokenText {
    static func hex(_ text: String) -> String {
        text.utf8.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
