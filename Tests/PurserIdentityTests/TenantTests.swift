import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity tenants")
    struct TenantTests {
        @Test func operatorCreatesGetsAndListsTenantsWithDefaults() async throws {
            try await withIdentity("tenants") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.call(
                    IdentityMethods.createTenant,
                    CreateTenantRequest(slug: "acme", name: "Acme", emailDomain: "agents.acme.test", timeZone: "Europe/Paris"),
                    token: op)
                #expect(acme.currency == "USD")
                #expect(acme.timeZone == "Europe/Paris")
                #expect(acme.adminCanReadMail == false)
                #expect(acme.acceptsPaymentsFromOtherTenants == false, "payments from other tenants are refused unless asked for")
                #expect(acme.emailDomain == "agents.acme.test")
                #expect(acme.id.count == 36)
                let plain = try await identity.call(IdentityMethods.createTenant, CreateTenantRequest(slug: "beta", name: "Beta"), token: op)
                #expect(plain.timeZone == "UTC")
                let euro = try await identity.call(
                    IdentityMethods.createTenant,
                    CreateTenantRequest(slug: "gamma", name: "Gamma", currency: "EUR", adminCanReadMail: true), token: op)
                #expect(euro.currency == "EUR")
                #expect(euro.adminCanReadMail)
                let open = try await identity.call(
                    IdentityMethods.createTenant,
                    CreateTenantRequest(slug: "delta", name: "Delta", acceptsPaymentsFromOtherTenants: true), token: op)
                #expect(open.acceptsPaymentsFromOtherTenants)

                #expect(try await identity.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: acme.id), token: op) == acme)

                var seen: [String] = []
                var page = ListTenantsRequest(pageSize: 2)
                repeat {
                    let response = try await identity.call(IdentityMethods.listTenants, page, token: op)
                    #expect(response.tenants.count <= 2)
                    seen += response.tenants.map(\.slug)
                    page.pageToken = response.nextPageToken
                } while !page.pageToken.isEmpty
                #expect(seen == ["acme", "beta", "delta", "gamma"])
            }
        }

        @Test(arguments: [
            (CreateTenantRequest(slug: "Bad Slug", name: "x"), "slug"),
            (CreateTenantRequest(slug: "okay", name: ""), "name"),
            (CreateTenantRequest(slug: "okay", name: "x", timeZone: "Mars/Olympus"), "time_zone"),
            (CreateTenantRequest(slug: "okay", name: "x", currency: "usd"), "currency"),
            (CreateTenantRequest(slug: "okay", name: "x", emailDomain: "not a domain"), "email_domain"),
        ])
        func invalidTenantFieldsAreInvalidArgumentNamingTheField(_ request: CreateTenantRequest, _ field: String) async throws {
            try await withIdentity("tenant_invalid") { identity in
                let op = try await identity.operatorToken()
                let error = await rpcError { _ = try await identity.call(IdentityMethods.createTenant, request, token: op) }
                #expect(error?.code == .invalidArgument)
                let reasons = [
                    "slug": "slug_invalid", "name": "invalid_argument", "time_zone": "time_zone_invalid",
                    "currency": "currency_invalid", "email_domain": "email_domain_invalid",
                ]
                #expect(error?.reason == reasons[field])
                #expect(error?.message.hasPrefix("\(field):") == true)
            }
        }

        @Test func duplicateTenantSlugIsAlreadyExists() async throws {
            try await withIdentity("tenant_dup") { identity in
                let op = try await identity.operatorToken()
                _ = try await identity.call(IdentityMethods.createTenant, CreateTenantRequest(slug: "acme", name: "A"), token: op)
                let error = await rpcError {
                    _ = try await identity.call(IdentityMethods.createTenant, CreateTenantRequest(slug: "acme", name: "B"), token: op)
                }
                #expect(error?.code == .alreadyExists)
                #expect(error?.reason == "slug_taken")
            }
        }

        /// The operator and the tenant's own admin change its settings; a
        /// setting left unset keeps its value; another tenant's admin finds
        /// no such tenant and a finance key may not.
        @Test func theOperatorOrTheTenantsAdminUpdatesItsSettings() async throws {
            try await withIdentity("tenant_settings") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                let accept = UpdateTenantSettingsRequest(tenantID: acme.tenant.id, acceptsPaymentsFromOtherTenants: true)
                let updated = try await identity.call(IdentityMethods.updateTenantSettings, accept, token: acme.adminToken)
                #expect(updated.acceptsPaymentsFromOtherTenants && updated.slug == "acme")
                let kept = try await identity.call(
                    IdentityMethods.updateTenantSettings, UpdateTenantSettingsRequest(tenantID: acme.tenant.id), token: op)
                #expect(kept.acceptsPaymentsFromOtherTenants)
                let refuse = UpdateTenantSettingsRequest(tenantID: acme.tenant.id, acceptsPaymentsFromOtherTenants: false)
                #expect(try await identity.call(IdentityMethods.updateTenantSettings, refuse, token: op).acceptsPaymentsFromOtherTenants == false)
                let foreign = await rpcError { _ = try await identity.call(IdentityMethods.updateTenantSettings, accept, token: beta.adminToken) }
                #expect(foreign?.code == .notFound)
                let finance = await rpcError { _ = try await identity.call(IdentityMethods.updateTenantSettings, accept, token: acme.financeToken) }
                #expect(finance?.code == .permissionDenied)
                let read = try await identity.call(IdentityMethods.getTenant, GetTenantRequest(tenantID: acme.tenant.id), token: op)
                #expect(read.acceptsPaymentsFromOtherTenants == false)
            }
        }
    }
}
