import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity providers")
    struct ProviderTests {
        @Test func providerCategoriesAreLowercasedCheckedAgainstTheNameGrammarAndStored() async throws {
            try await withIdentity("provider_categories") { identity in
                let op = try await identity.operatorToken()
                let travel = try await identity.call(
                    IdentityMethods.registerProvider,
                    RegisterProviderRequest(
                        slug: "travel-api", name: "Travel", defaultCategory: "Travel",
                        categories: ["flights.intl", "HOTELS", "travel", "hotels"]),
                    token: op)
                #expect(travel.provider.defaultCategory == "travel")
                #expect(travel.provider.categories == ["flights.intl", "hotels"])
                let read = try await identity.call(
                    IdentityMethods.getProvider, GetProviderRequest(providerID: travel.provider.id), token: op)
                #expect(read == travel.provider)
                for (index, request) in [
                    RegisterProviderRequest(slug: "bad-default", name: "Bad", defaultCategory: "search "),
                    RegisterProviderRequest(slug: "bad-extra", name: "Bad", defaultCategory: "search", categories: ["ok", "-x"]),
                ].enumerated() {
                    let refused = await rpcError { _ = try await identity.call(IdentityMethods.registerProvider, request, token: op) }
                    #expect(refused?.code == .invalidArgument, "case \(index)")
                    #expect(refused?.reason == "category_invalid", "case \(index)")
                }
            }
        }

        @Test func operatorRegistersProvidersThatAuthenticateAndSeeOnlyThemselves() async throws {
            try await withIdentity("providers") { identity in
                let op = try await identity.operatorToken()
                let search = try await identity.call(
                    IdentityMethods.registerProvider, RegisterProviderRequest(slug: "search-api", name: "Search", defaultCategory: "search"),
                    token: op)
                #expect(search.secret.hasPrefix("purser_pk_"))
                #expect(search.provider.defaultCategory == "search")
                let llm = try await identity.call(
                    IdentityMethods.registerProvider, RegisterProviderRequest(slug: "llm-api", name: "LLM"), token: op)

                let providerToken = try await identity.token(search.secret)
                let auth = try await identity.call(IdentityMethods.authenticate, AuthenticateRequest(secret: search.secret))
                #expect(auth.role == "provider")
                #expect(auth.subject == search.provider.id)
                #expect(auth.tenantID == "")

                #expect(try await identity.call(IdentityMethods.getProvider, GetProviderRequest(providerID: search.provider.id), token: providerToken) == search.provider)
                let other = await rpcError {
                    _ = try await identity.call(IdentityMethods.getProvider, GetProviderRequest(providerID: llm.provider.id), token: providerToken)
                }
                #expect(other?.code == .notFound)
                #expect(other?.reason == "not_found")
                let own = try await identity.call(IdentityMethods.listProviders, ListProvidersRequest(), token: providerToken)
                #expect(own.providers == [search.provider])
                let all = try await identity.call(IdentityMethods.listProviders, ListProvidersRequest(pageSize: 1), token: op)
                #expect(all.providers == [llm.provider])
                let rest = try await identity.call(IdentityMethods.listProviders, ListProvidersRequest(pageSize: 1, pageToken: all.nextPageToken), token: op)
                #expect(rest.providers == [search.provider])
                #expect(rest.nextPageToken.isEmpty)

                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let agent = try await identity.makeAgent("buyer", in: acme)
                let agentToken = try await identity.token(agent.secret)
                #expect(try await identity.call(IdentityMethods.getProvider, GetProviderRequest(providerID: llm.provider.id), token: agentToken) == llm.provider)
            }
        }

        @Test func providerSecretRotationAndDuplicateSlug() async throws {
            try await withIdentity("provider_rotate") { identity in
                let op = try await identity.operatorToken()
                let search = try await identity.call(IdentityMethods.registerProvider, RegisterProviderRequest(slug: "search", name: "S"), token: op)
                let duplicate = await rpcError {
                    _ = try await identity.call(IdentityMethods.registerProvider, RegisterProviderRequest(slug: "search", name: "T"), token: op)
                }
                #expect(duplicate?.code == .alreadyExists)
                #expect(duplicate?.reason == "slug_taken")
                let badSlug = await rpcError {
                    _ = try await identity.call(IdentityMethods.registerProvider, RegisterProviderRequest(slug: "Search!", name: "T"), token: op)
                }
                #expect(badSlug?.message.hasPrefix("slug:") == true)

                let providerToken = try await identity.token(search.secret)
                let rotated = try await identity.call(
                    IdentityMethods.rotateProviderSecret, RotateProviderSecretRequest(providerID: search.provider.id), token: providerToken)
                #expect(rotated.secret.hasPrefix("purser_pk_"))
                let old = await rpcError { _ = try await identity.token(search.secret) }
                #expect(old?.reason == "invalid_credentials")
                _ = try await identity.token(rotated.secret)
                let byOperator = try await identity.call(
                    IdentityMethods.rotateProviderSecret, RotateProviderSecretRequest(providerID: search.provider.id, gracePeriodUs: 60_000_000),
                    token: op)
                _ = try await identity.token(rotated.secret)
                _ = try await identity.token(byOperator.secret)
            }
        }
    }
}
