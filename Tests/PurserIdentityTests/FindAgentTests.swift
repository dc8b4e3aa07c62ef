import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity FindAgent")
    struct FindAgentTests {
        static func find(_ tenantID: String, _ slug: String, _ handle: String) -> FindAgentRequest {
            var request = FindAgentRequest()
            request.tenantID = tenantID
            request.tenantSlug = slug
            request.handle = handle
            return request
        }

        /// The Wallet finds an agent by `handle@tenant-slug` in the tenant it
        /// names by id and whose slug that is, or with no tenant named in
        /// whichever tenant has that slug: the same handle in another
        /// tenant, another tenant's slug and an unknown handle are NOT_FOUND,
        /// a malformed handle or slug INVALID_ARGUMENT, and no one but the
        /// Wallet may look agents up this way.
        @Test func theWalletFindsAnAgentByHandleOnlyInTheTenantTheSlugNames() async throws {
            try await withIdentity("find_agent") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                let worker = try await identity.makeAgent("worker", in: acme)
                let twin = try await identity.makeAgent("worker", in: beta)
                let (a, b) = (acme.tenant.id, beta.tenant.id)

                let found = try await identity.call(IdentityMethods.findAgent, Self.find(a, "acme", "worker"), via: identity.wallet)
                #expect(found == worker.agent)
                let twinFound = try await identity.call(IdentityMethods.findAgent, Self.find(b, "beta", "worker"), via: identity.wallet)
                #expect(twinFound == twin.agent)

                for (name, request) in [
                    ("another tenant's slug", Self.find(a, "beta", "worker")),
                    ("an unknown slug", Self.find(a, "gamma", "worker")),
                    ("an unknown handle", Self.find(a, "acme", "nobody")),
                ] {
                    let refused = await rpcError { _ = try await identity.call(IdentityMethods.findAgent, request, via: identity.wallet) }
                    #expect(refused?.code == .notFound, "\(name)")
                }
                for request in [Self.find(a, "acme", "Worker"), Self.find(a, "acme@x", "worker"), Self.find(a, "", "worker")] {
                    let refused = await rpcError { _ = try await identity.call(IdentityMethods.findAgent, request, via: identity.wallet) }
                    #expect(refused?.code == .invalidArgument, "\(request)")
                }
                // With no tenant named, the slug alone says which tenant: the agent comes with its tenant.
                let anywhere = try await identity.call(IdentityMethods.findAgent, Self.find("", "beta", "worker"), via: identity.wallet)
                #expect(anywhere == twin.agent && anywhere.tenantID == b)
                for request in [Self.find("", "gamma", "worker"), Self.find("", "acme", "nobody")] {
                    let refused = await rpcError { _ = try await identity.call(IdentityMethods.findAgent, request, via: identity.wallet) }
                    #expect(refused?.code == .notFound, "\(request)")
                }
                let byAdmin = await rpcError {
                    _ = try await identity.call(IdentityMethods.findAgent, Self.find(a, "acme", "worker"), token: acme.adminToken)
                }
                #expect(byAdmin?.code == .permissionDenied)
            }
        }
    }
}
